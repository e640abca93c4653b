"""The planner screens (or re-screens) a case, or every case still waiting, on a page:
the same service functions as the API's screening routes."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.web import page_router, see_other
from service.eligibility import service
from service.eligibility.api import SCREENERS

router = page_router()
Screener = Annotated[Actor, Depends(signed_in(*SCREENERS))]


@router.post("/planner/cases/{case_id}/screening")
def screen_case(case_id: uuid.UUID, request: Request, db: Session, actor: Screener) -> Response:
    case = readable_case(db, case_id, actor)
    service.screen_case(db, case, actor)
    return see_other(f"/planner/cases/{case.id}?done=screened")


@router.post("/planner/screenings/run")
def screen_all_imported(request: Request, db: Session, actor: Screener) -> Response:
    """Screen every case still waiting in ``imported``."""
    counts = service.screen_imported(db, actor)
    return see_other(f"/planner/cases?outcome=eligible&screened={sum(counts.values())}")
