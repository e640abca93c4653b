import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from service.auth.access import allow
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.terms import access, service
from service.terms.schemas import ExtensionIn, TermOut

router = APIRouter(tags=["terms"], route_class=UnitOfWorkRoute)


@router.get("/cases/{case_id}/terms")
def list_terms(
    case_id: uuid.UUID, db: Session, actor: Annotated[Actor, Depends(allow(*access.READERS))]
) -> Sequence[TermOut]:
    """Every term of the case, oldest first: the policy version it was computed with,
    its due date, extensions, and whether it was reminded or flagged overdue."""
    case = readable_case(db, case_id, actor)
    return [TermOut.present(term) for term in service.terms_of(db, case.id)]


@router.post("/cases/{case_id}/terms/extensions")
def extend_term(
    case_id: uuid.UUID,
    body: ExtensionIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.EXTENDERS))],
) -> TermOut:
    """Give this one case more working days for a running term; the reason is logged."""
    case = readable_case(db, case_id, actor)
    term = service.extend(db, case, body.step, body.working_days, body.reason, actor)
    return TermOut.present(term)


@router.get("/terms/overdue")
def list_overdue(
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.READERS))],
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[TermOut]:
    """Running translation and decision terms that have passed, oldest first, a page at a
    time; ``Link: rel="next"`` when more follow."""
    found = service.overdue(db, limit + 1, offset)
    return [TermOut.present(term) for term in page_of(found, limit, offset, request, response)]
