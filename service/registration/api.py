"""The written registration interview for machines: select a case, read the prepared
files, the figures."""

from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.registration import queries, service
from service.registration.access import OfficersCase, Planner, PlannersCase, RegistrationOfficer
from service.registration.schemas import FiguresOut, RegistrationFileOut, SelectedOut

router = APIRouter(tags=["registration"], route_class=UnitOfWorkRoute)


@router.post(
    "/cases/{case_id}/registration-interview",
    dependencies=[audited("registration.select")],
)
def select_case(case: PlannersCase, db: Session, actor: Planner) -> SelectedOut:
    """Select a newly registered applicant for the written registration interview."""
    moved = service.select_case(db, case, actor)
    return SelectedOut(
        case_id=moved.id, v_number=moved.v_number, state=moved.state, track=moved.track
    )


@router.get("/registration-files")
def prepared_files(
    db: Session,
    actor: RegistrationOfficer,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[RegistrationFileOut]:
    """The prepared files for the aanmeldgehoor, newest first, a page at a time."""
    found = queries.prepared_files(db, limit + 1, offset)
    return [
        RegistrationFileOut.present(f, c)
        for f, c in page_of(found, limit, offset, request, response)
    ]


@router.get(
    "/cases/{case_id}/registration-file",
    dependencies=[audited("registration_file.read")],
)
def prepared_file(
    case: OfficersCase, db: Session, actor: RegistrationOfficer
) -> RegistrationFileOut:
    """One prepared file: the answers as given and in Dutch."""
    return RegistrationFileOut.present(service.prepared_file(db, case), case)


@router.get("/registration-interviews/figures")
def figures(db: Session, actor: Planner) -> FiguresOut:
    """How many cases took the written registration interview, and how long it took."""
    return FiguresOut.present(queries.figures(db))
