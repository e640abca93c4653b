"""The translation agency's start page: its open jobs and their due dates."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.core.actor import Actor
from service.core.web import page_router, render
from service.translation import access, queries
from service.translation.schemas import TranslationOut

router = page_router()


@router.get("/agency", response_class=HTMLResponse)
def agency_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(*access.TRANSLATORS))]
) -> HTMLResponse:
    jobs = [TranslationOut.present(job, agency) for job, agency in queries.jobs(db, actor, True)]
    context = {"jobs": jobs}
    return render(request, "agency/start.html", context, actor=actor)
