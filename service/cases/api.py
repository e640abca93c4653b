"""Case intake, reading, signals, withdrawal and the timeline."""

import io
from collections.abc import Sequence
from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, UploadFile, status
from sqlalchemy.orm import Session

from service.audit.access import about_case, audited
from service.audit.queries import measure
from service.cases import access, importing, queries, service
from service.cases.exceptions import BadImportFile
from service.cases.schemas import (
    CaseDetail,
    CaseIn,
    CaseOut,
    EventOut,
    ImportReport,
    MeasurementsOut,
    SignalCreate,
    SignalOut,
    StageOut,
    WithdrawIn,
    normalise_v_number,
)
from service.core.paging import page_of
from service.core.routing import UnitOfWorkRoute
from service.core.settings import get_settings
from service.terms.policy import local_date
from service.workflow import CaseState

router = APIRouter(tags=["cases"], route_class=UnitOfWorkRoute)
# Paging stops well before the database's integer limits.
MAX_OFFSET = 1_000_000


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def create_case(body: CaseIn, db: Session, actor: access.Intake) -> CaseDetail:
    """Register one case. It starts in `imported` and still needs screening."""
    return CaseDetail.present(service.create_case(db, body, actor), actor)


@router.post("/cases/import")
def import_cases(
    file: UploadFile, db: Session, actor: access.Intake, screen: bool = True
) -> ImportReport:
    """Import a CSV or JSON file of cases; existing V-numbers are skipped, bad rows reported.

    New cases are screened at once against the active eligibility policy unless
    `screen=false`.
    """
    limit = get_settings().max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise BadImportFile(f"The file is larger than {limit // 2**20} MB; split it.")
    rows = importing.read_rows(io.BytesIO(content), file.filename or "upload")
    return importing.import_all(db, rows, actor, screen=screen)


@router.get("/cases")
def list_cases(
    db: Session,
    actor: access.Reader,
    request: Request,
    response: Response,
    state: CaseState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Sequence[CaseOut]:
    """Cases you may see (a lawyer: own clients); ``Link: rel="next"`` when more follow."""
    cases = queries.list_cases(db, actor, state, limit + 1, offset)
    return [CaseOut.present(c, actor) for c in page_of(cases, limit, offset, request, response)]


@router.get("/cases/by-v-number/{v_number}", dependencies=[audited("case.read")])
def get_by_v_number(
    v_number: Annotated[str, Path(max_length=20)], db: Session, actor: access.Reader
) -> CaseDetail:
    with suppress(ValueError):  # not a V-number: found nowhere, the same 404
        v_number = normalise_v_number(v_number)  # written as on the document, any digits
    case = access.case_by_v_number(db, v_number, actor)
    about_case(case.id)
    return CaseDetail.present(case, actor)


@router.get("/cases/{case_id}", dependencies=[audited("case.read")])
def get_case(case: access.ReadableCase, actor: access.Reader) -> CaseDetail:
    return CaseDetail.present(case, actor)


@router.get("/cases/{case_id}/timeline", dependencies=[audited("case.timeline.read")])
def get_timeline(
    case: access.ReadableCase, db: Session, actor: access.Reader
) -> Sequence[EventOut]:
    """Every state change of the case, oldest first: who, in what role, when and why."""
    return [EventOut.present(e, actor) for e in queries.timeline(db, case.id, actor.role)]


@router.get("/cases/{case_id}/measurements")
def get_measurements(case: access.StaffCase, db: Session) -> MeasurementsOut:
    """Throughput time per stage and in total against the six-week target, and the
    officer's handling time: what the 2020 pilot could not measure."""
    measured = measure(queries.timeline(db, case.id))
    days = measured.throughput_days
    return MeasurementsOut(
        throughput_days=days,
        target_date=case.target_date,
        within_target=(
            None
            if case.decided_at is None or case.target_date is None
            else local_date(case.decided_at) <= case.target_date
        ),
        decision_handling_minutes=measured.decision_handling_minutes,
        stages=[
            StageOut(state=s.state, entered_at=s.entered_at, left_at=s.left_at, hours=s.hours)
            for s in measured.stages
        ],
    )


@router.post(
    "/cases/{case_id}/signals",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("signal.add")],
)
def add_signal(
    case: access.CaseToSignal, body: SignalCreate, db: Session, actor: access.Signaller
) -> SignalOut:
    """Record an NV or 1F signal. An open case leaves the written track at once."""
    return SignalOut.model_validate(service.add_signal(db, case, body, actor))


@router.post("/cases/{case_id}/withdraw", dependencies=[audited("case.withdraw")])
def withdraw(
    case: access.CaseToWithdraw, body: WithdrawIn, db: Session, actor: access.Withdrawer
) -> CaseDetail:
    """The applicant withdraws consent at any time: at the kiosk, via the lawyer or planner."""
    service.withdraw(db, case, actor, body.reason)
    return CaseDetail.present(case, actor)
