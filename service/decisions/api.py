from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.cases.schemas import CaseDetail, CaseOut
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.decisions import access, queries, service
from service.decisions.exceptions import QueueEmpty
from service.decisions.handoff import handoff_pdf, handoff_record
from service.decisions.schemas import (
    ActivityIn,
    ActualDaysIn,
    ClaimOut,
    DecisionIn,
    DecisionOut,
    FinalDecisionIn,
    FinalDecisionOut,
    HandlingTimeOut,
    HandoffOut,
    OfficerProfileIn,
    ReassignIn,
    ReviewIn,
    ReviewOut,
    SignalRaiseIn,
)
from service.models.decisions import Decision

router = APIRouter(tags=["decisions"], route_class=UnitOfWorkRoute)


def _outcome(result: object) -> DecisionOut | ReviewOut:
    if isinstance(result, Decision):
        return DecisionOut.model_validate(result)
    return ReviewOut.model_validate(result)


@router.get("/decision-queue")
def decision_queue(
    db: Session,
    actor: access.QueueReader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Sequence[CaseOut]:
    """Complete files ready for decision that the officer may take (an admin sees all),
    six-week deadline first, then the age of the application."""
    return [CaseOut.present(c, actor) for c in queries.queue_for(db, actor, limit)]


@router.post("/decision-queue/take-next")
def take_next(db: Session, actor: access.Officer) -> ClaimOut:
    """Claim the most urgent file this officer may take; 404 when none is waiting."""
    claimed = service.claim_next(db, actor)
    if claimed is None:
        raise QueueEmpty("No file you may take is waiting for a decision.")
    return ClaimOut.model_validate(claimed)


@router.post("/cases/{case_id}/claim", dependencies=[audited("case.claim")])
def claim(case: access.OfficersCase, db: Session, actor: access.Officer) -> CaseDetail:
    service.claim(db, case, actor)
    return CaseDetail.present(case, actor)


@router.post("/cases/{case_id}/release", dependencies=[audited("case.release")])
def release(case: access.OfficersCase, db: Session, actor: access.Officer) -> CaseDetail:
    service.release(db, case, actor)
    return CaseDetail.present(case, actor)


@router.post("/cases/{case_id}/reassign", dependencies=[audited("case.reassign")])
def reassign(
    case: access.OfficersCase, body: ReassignIn, db: Session, actor: access.Officer
) -> CaseDetail:
    """A team lead hands the file to an officer of their team."""
    service.reassign(db, case, actor, body)
    return CaseDetail.present(case, actor)


@router.post(
    "/cases/{case_id}/decision",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("decision.record")],
)
def decide(
    case: access.OfficersCase, body: DecisionIn, db: Session, actor: access.Officer
) -> DecisionOut | ReviewOut:
    """Decide on the form (kansrijk only) or order a physical hearing (nader gehoor).

    A decision on the form under four eyes answers ``status: in_review``."""
    return _outcome(service.decide(db, case, actor, body))


@router.get("/reviews", dependencies=[audited("reviews.read")])
def reviews(
    db: Session,
    actor: access.Officer,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[ReviewOut]:
    """Drafted decisions waiting for a senior (four eyes), the longest waiting first, a
    page at a time; ``Link: rel="next"`` when more follow."""
    found = service.reviews_waiting(db, limit + 1, offset)
    return [
        ReviewOut.model_validate(r) for r, _ in page_of(found, limit, offset, request, response)
    ]


@router.post("/cases/{case_id}/review", dependencies=[audited("decision.review")])
def review(
    case: access.OfficersCase, body: ReviewIn, db: Session, actor: access.Officer
) -> DecisionOut | ReviewOut:
    """A senior approves the drafted decision (final) or sends it back with remarks."""
    return _outcome(service.review(db, case, actor, body.verdict, body.remarks))


@router.post(
    "/cases/{case_id}/unit-1f-referral",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("signal.raise")],
)
def raise_signal(
    case: access.OfficersCase, body: SignalRaiseIn, db: Session, actor: access.Officer
) -> CaseDetail:
    """An NV or 1F signal found in the answers: the case leaves the written track at once
    and goes to unit 1F."""
    service.raise_signal(db, case, actor, body)
    return CaseDetail.present(case, actor)


@router.post("/cases/{case_id}/activity", status_code=status.HTTP_204_NO_CONTENT)
def activity(
    case: access.OfficersCase, body: ActivityIn, db: Session, actor: access.Officer
) -> Response:
    """Heartbeat and page events of the workbench (handling time; renews the lease)."""
    service.note_activity(db, case, actor, body.event)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/cases/{case_id}/handling-time")
def handling_time(case: access.QueueReadersCase, db: Session) -> HandlingTimeOut:
    """Officers' active minutes on the file, beside the calendar time since it was ready."""
    measured = queries.handling_time(db, case)
    return HandlingTimeOut(**vars(measured))


@router.get("/cases/{case_id}/handoff", dependencies=[audited("handoff.read")])
def handoff(case: access.HandoffCase, db: Session, actor: access.HandoffReader) -> HandoffOut:
    """What the physical hearing needs: answers, translation, corrections, reason, estimate."""
    return handoff_record(db, case, actor)


@router.get(
    "/cases/{case_id}/handoff.pdf",
    response_class=Response,
    dependencies=[audited("handoff.download")],
)
def handoff_as_pdf(case: access.HandoffCase, db: Session, actor: access.HandoffReader) -> Response:
    record = handoff_record(db, case, actor)
    return Response(handoff_pdf(record), media_type="application/pdf")


@router.put("/cases/{case_id}/handoff/actual-days", dependencies=[audited("handoff.actual_days")])
def actual_days(
    case: access.RecordedCase, body: ActualDaysIn, db: Session, actor: access.HearingRecorder
) -> HandoffOut:
    """After the nader gehoor: how many days it took."""
    service.record_actual_days(db, case.id, body.days)
    return handoff_record(db, case, actor)


@router.put("/cases/{case_id}/final-decision", dependencies=[audited("final_decision.record")])
def final_decision(
    case: access.RecordedCase, body: FinalDecisionIn, db: Session, actor: access.HearingRecorder
) -> FinalDecisionOut:
    """The application's final outcome (grant, unfounded, manifestly unfounded,
    inadmissible), once: after a grant on the form, or when the regular procedure ended."""
    return FinalDecisionOut.model_validate(service.record_final_decision(db, case, actor, body))


@router.put("/officers/{user_id}/profile", status_code=status.HTTP_204_NO_CONTENT)
def set_profile(user: access.KeptOfficer, body: OfficerProfileIn, db: Session) -> Response:
    """Skills, team and seniority of a decision officer."""
    service.set_profile(db, user, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
