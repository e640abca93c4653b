"""The planner's start page: the backlog by stage, and what waits on someone."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases import queries
from service.core.actor import Actor
from service.core.templating import templates
from service.core.web import page_router, render
from service.models.auth import Role
from service.translation import queries as translation_queries
from service.translation.schemas import TranslationOut
from service.workflow import STATE_LABELS

router = page_router()
templates.env.globals["STATE_LABELS"] = STATE_LABELS
PLANNERS = (Role.PLANNER, Role.ADMIN)


@router.get("/planner", response_class=HTMLResponse)
def planner_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(*PLANNERS))]
) -> HTMLResponse:
    context = {
        "counts": queries.counts_by_state(db),
        "jobs": [
            TranslationOut.present(job, agency, actor)
            for job, agency in translation_queries.jobs(db, actor, open_only=True, limit=50)
        ],
    }
    return render(request, "planner/start.html", context, actor=actor)
