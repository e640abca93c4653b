from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.terms import access, service
from service.terms.schemas import ExtensionIn, TermOut

router = APIRouter(tags=["terms"], route_class=UnitOfWorkRoute)


@router.get("/cases/{case_id}/terms")
def list_terms(case: access.ReadableCase, db: Session) -> Sequence[TermOut]:
    """Every term of the case, oldest first: the policy version it was computed with,
    its due date, extensions, and whether it was reminded or flagged overdue."""
    return [TermOut.present(term) for term in service.terms_of(db, case.id)]


@router.post("/cases/{case_id}/terms/extensions")
def extend_term(
    case: access.ExtendableCase, body: ExtensionIn, db: Session, actor: access.Extender
) -> TermOut:
    """Give this one case more working days for a running term; the reason is logged."""
    return TermOut.present(service.extend(db, actor, case, body))


@router.get("/terms/overdue")
def list_overdue(
    db: Session,
    _: access.Reader,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[TermOut]:
    """Running translation and decision terms that have passed, oldest first, a page at a
    time; ``Link: rel="next"`` when more follow."""
    found = service.overdue(db, limit + 1, offset)
    return [TermOut.present(term) for term in page_of(found, limit, offset, request, response)]
