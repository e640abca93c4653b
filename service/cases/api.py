"""Case intake, reading, signals, withdrawal and the timeline."""

import uuid
from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, UploadFile, status

from service.audit.service import measure, timeline
from service.auth.dependencies import STAFF, allow
from service.cases import importing, service
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
)
from service.core.actor import Actor
from service.core.db import DbSession
from service.core.settings import get_settings
from service.models.auth import Role
from service.models.cases import Case
from service.workflow import CaseState, Track, allowed_events, needs_physical_hearing

router = APIRouter(tags=["cases"])
M = TypeVar("M", bound=CaseOut)

READERS = (Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN, Role.LAWYER, Role.TRANSLATOR)
INTAKE = (Role.PLANNER, Role.ADMIN)
# Signals come from registration, screening, the form's answers or security partners.
SIGNALLERS = STAFF
WITHDRAWERS = (Role.APPLICANT, Role.LAWYER, Role.PLANNER, Role.ADMIN)
# Signal sources (security partners) and staff notes stay inside the IND.
SEES_SIGNALS = STAFF
SEES_NOTES = (*SEES_SIGNALS, Role.LAWYER)
REDACTED_EXCLUSION = "excluded from the written hearing: a physical hearing is required"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def create_case(
    body: CaseIn, db: DbSession, actor: Annotated[Actor, Depends(allow(*INTAKE))]
) -> CaseDetail:
    """Register one case. It starts in `imported` and still needs screening."""
    return case_detail(service.create_case(db, body, actor), actor)


@router.post("/cases/import")
def import_cases(
    file: UploadFile,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*INTAKE))],
    screen: bool = True,
) -> ImportReport:
    """Import a CSV or JSON file of cases; existing V-numbers are skipped, bad rows reported.

    New cases are screened at once against the active eligibility policy unless
    `screen=false`.
    """
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise BadImportFile("The file is larger than 50 MB; split it.")
    rows = importing.parse_file(content, file.filename or "upload")
    return importing.import_rows(db, rows, actor, screen=screen)


@router.get("/cases")
def list_cases(
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*READERS))],
    state: CaseState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Sequence[CaseOut]:
    """Cases you may see (a lawyer: own clients; a translator: assigned work)."""
    return [case_summary(c, actor) for c in service.list_cases(db, actor, state, limit, offset)]


@router.get("/cases/by-v-number/{v_number}")
def get_by_v_number(
    v_number: str, db: DbSession, actor: Annotated[Actor, Depends(allow(*READERS))]
) -> CaseDetail:
    return case_detail(service.get_case_by_v_number(db, v_number, actor), actor)


@router.get("/cases/{case_id}")
def get_case(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*READERS))],
) -> CaseDetail:
    return case_detail(service.get_case(db, case_id, actor), actor)


@router.get("/cases/{case_id}/timeline")
def get_timeline(
    case_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, Depends(allow(*READERS))]
) -> Sequence[EventOut]:
    """Every state change of the case, oldest first: who, in what role, when and why."""
    case = service.get_case(db, case_id, actor)
    return [EventOut.model_validate(e) for e in timeline(db, case.id)]


@router.get("/cases/{case_id}/measurements")
def get_measurements(
    case_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, Depends(allow(*STAFF))]
) -> MeasurementsOut:
    """Throughput time per stage and in total against the six-week target, and the
    officer's handling time: what the 2020 pilot could not measure."""
    case = service.get_case(db, case_id, actor)
    measured = measure(timeline(db, case.id))
    days = measured.throughput_days
    return MeasurementsOut(
        throughput_days=days,
        target_date=case.target_date,
        within_target=None if days is None else days <= get_settings().target_days,
        decision_handling_minutes=measured.decision_handling_minutes,
        stages=[
            StageOut(state=s.state, entered_at=s.entered_at, left_at=s.left_at, hours=s.hours)
            for s in measured.stages
        ],
    )


@router.post("/cases/{case_id}/signals", status_code=status.HTTP_201_CREATED)
def add_signal(
    case_id: uuid.UUID,
    body: SignalCreate,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*SIGNALLERS))],
) -> SignalOut:
    """Record an NV or 1F signal. An open case leaves the written track at once."""
    case = service.get_case(db, case_id, actor)
    return SignalOut.model_validate(service.add_signal(db, case, body, actor))


@router.post("/cases/{case_id}/withdraw")
def withdraw(
    case_id: uuid.UUID,
    body: WithdrawIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*WITHDRAWERS))],
) -> CaseDetail:
    """The applicant withdraws consent at any time: at the kiosk, via the lawyer or planner."""
    case = service.get_case(db, case_id, actor)
    service.withdraw(db, case, actor, body.reason)
    return case_detail(case, actor)


def case_summary(case: Case, actor: Actor) -> CaseOut:
    return _build(CaseOut, case, actor)


def case_detail(case: Case, actor: Actor) -> CaseDetail:
    return _build(CaseDetail, case, actor)


def _build(model: type[M], case: Case, actor: Actor) -> M:
    computed = ("next_steps", "physical_hearing_next")
    fields = {name: getattr(case, name) for name in model.model_fields if name not in computed}
    state = CaseState(case.state)
    fields["next_steps"] = [e.value for e in allowed_events(state)]
    fields["physical_hearing_next"] = needs_physical_hearing(
        state, Track(case.track) if case.track else None
    )
    if actor.is_(*SEES_SIGNALS):
        fields["signals"] = [SignalOut.model_validate(s) for s in case.signals]
    else:
        fields["signals"] = []
        if case.signals and fields.get("exclusion_reason"):
            fields["exclusion_reason"] = REDACTED_EXCLUSION
    if "vulnerability_notes" in fields and not actor.is_(*SEES_NOTES):
        fields["vulnerability_notes"] = ""
    return model.model_validate(fields)
