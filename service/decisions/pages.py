"""The decision officer's pages: the queue with "take next", the workbench, four eyes
for seniors and the team lead's overview."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import procedure
from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_case
from service.cases.pages import render_case
from service.cases.schemas import CaseDetail, CaseOut, EventOut
from service.consultations import service as consultations
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.errors import DomainError
from service.core.i18n import N_, gettext_for, language_of
from service.core.templating import templates
from service.core.web import page_router, render, see_other
from service.decisions import access, queries, service
from service.decisions.handoff import handoff_pdf as render_pdf
from service.decisions.handoff import handoff_record
from service.decisions.schemas import ActualDaysIn, DecisionIn, Outcome, ReviewIn, SignalRaiseIn
from service.models.auth import Role, User
from service.models.cases import Case, CaseEventRow
from service.models.decisions import (
    ConsultationTopic,
    DecisionKind,
    HearingReason,
    ReviewGround,
)
from service.terms.policy import local_date
from service.workflow import CaseState

router = page_router()
Officer = Annotated[Actor, Depends(signed_in(*access.OFFICERS))]
Planner = Annotated[Actor, Depends(signed_in(Role.PLANNER, Role.ADMIN))]
# The API's HEARING_RECORDERS; officers record it on their own pages' data, planners here.
HearingRecorder = Annotated[Actor, Depends(signed_in(Role.PLANNER))]
REASSIGN_REFUSALS = {
    "": N_("This file cannot be reassigned now."),
    "not_in_your_team": N_("Choose an officer of your team."),
    "not_a_team_lead": N_("Only a team lead reassigns files."),
    "outside_your_skills": N_("This officer lacks the experience this file needs."),
    "illegal_transition": N_("This file is no longer waiting or held; reload the page."),
}

KIND_LABELS = {
    DecisionKind.GRANT: N_("Grant"),
    DecisionKind.INTENDED_REJECTION: N_(
        "Intended rejection (voornemen): the regular route follows"
    ),
}
REASON_LABELS = {
    HearingReason.INSUFFICIENT_INFORMATION: N_("Insufficient information"),
    HearingReason.CONTRA_INDICATION: N_("Contra-indication"),
    HearingReason.CREDIBILITY: N_("Credibility"),
    HearingReason.SIGNAL: N_("Signal"),
    HearingReason.KANSARM_POLICY: N_("Kansarm policy"),
}
TOPIC_LABELS = {
    ConsultationTopic.LGBTI: N_("LGBTI coordinator"),
    ConsultationTopic.CONVERSION: N_("Conversion coordinator"),
    ConsultationTopic.HARD_CASES: N_("Hard-cases team (knopendoorhakteam)"),
}


def translated(pairs: list[tuple[str, str]], gettext: Any) -> list[tuple[str, str]]:
    """(value, msgid) pairs with the labels in the reader's language."""
    return [(value, gettext(label)) for value, label in pairs]


templates.env.globals["translated"] = translated
MOTIVE_LABELS = {
    ConsultationTopic.LGBTI: N_("LGBTI motive"),
    ConsultationTopic.CONVERSION: N_("Conversion motive"),
}
GROUND_LABELS = {
    ReviewGround.PROBATION: N_("Officer in their first months"),
    ReviewGround.EXTERNAL: N_("External drafter"),
    ReviewGround.SAMPLE: N_("Sample"),
}


def _start_context(db: Session, actor: Actor) -> dict[str, Any]:
    profile = queries.profile_of(db, actor.user_id)
    return {
        "queue": [CaseOut.present(c, actor) for c in queries.queue(db, profile, 100)],
        "mine": [CaseOut.present(c, actor) for c in queries.claims_of(db, actor.user_id)],
        "profile": profile,
        "reviews": len(service.reviews_waiting(db)) if profile and profile.senior else 0,
        "advice": consultations.waiting_for(db, actor),
    }


@router.get("/officer", response_class=HTMLResponse)
def officer_start(request: Request, db: Session, actor: Officer) -> HTMLResponse:
    """The files this officer may take, most urgent first, and their own claims."""
    return render(request, "officer/start.html", _start_context(db, actor), actor=actor)


@router.post("/officer/take-next", response_class=HTMLResponse)
def take_next(request: Request, db: Session, actor: Officer) -> Response:
    case = service.claim_next(db, actor)
    if case is None:
        context = _start_context(db, actor) | {"queue_empty": True}
        return render(request, "officer/start.html", context, actor=actor, status_code=404)
    return see_other(f"/officer/cases/{case.id}")


def _workbench(
    db: Session,
    case: Case,
    actor: Actor,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    events = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()
    rows = consultations.consultations_of(db, case.id)
    names: dict[uuid.UUID | None, str] = {
        u.id: u.display_name
        for u in db.scalars(
            select(User).where(
                User.id.in_(
                    {e.actor_id for e in events}
                    | {c.coordinator_id for c in rows}
                    | {case.claimed_by_id}
                )
            )
        )
    }
    pending = service.open_review(db, case.id)
    return {
        "case": CaseDetail.present(case, actor),
        "mine": case.claimed_by_id == actor.user_id,
        "claimant": names.get(case.claimed_by_id) if case.claimed_by_id else None,
        "layers": queries.layers_of(db, case.id),
        "timeline": [(EventOut.present(e, actor), names.get(e.actor_id)) for e in events],
        "consultations": [(c, names.get(c.coordinator_id)) for c in rows],
        "missing": sorted(procedure.facts(db, case).missing_consultations),
        "review": pending,
        "may_review": pending is not None
        and pending.drafted_by_id != actor.user_id
        and service.is_senior(db, actor),
        "handling": queries.handling_time(db, case, actor.user_id),
        "has_handoff": case.state is CaseState.PHYSICAL_HEARING_REQUIRED,
        "kinds": [(k.value, v) for k, v in KIND_LABELS.items()],
        "reasons": [
            (k.value, v) for k, v in REASON_LABELS.items() if k is not HearingReason.KANSARM_POLICY
        ],
        "topics": [(k.value, v) for k, v in TOPIC_LABELS.items()],
        "topic_labels": {k.value: v for k, v in TOPIC_LABELS.items()},
        "motive_labels": {k.value: v for k, v in MOTIVE_LABELS.items()},
        "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
        "reason_labels": {k.value: v for k, v in REASON_LABELS.items()},
        "errors": errors or {},
        "values": values or {},
    }


@router.get(
    "/officer/cases/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("workbench.read")],
)
def workbench(case_id: uuid.UUID, request: Request, db: Session, actor: Officer) -> HTMLResponse:
    """The whole file: applicant, answers with every layer, timeline, motives, signals."""
    case = readable_case(db, case_id, actor)
    if case.claimed_by_id == actor.user_id:
        service.note_activity(db, case, actor, "open")
    return render(request, "officer/workbench.html", _workbench(db, case, actor), actor=actor)


def _again(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    errors: dict[str, str],
    values: dict[str, Any],
    status: int,
) -> HTMLResponse:
    context = _workbench(db, case, actor, errors, values)
    return render(request, "officer/workbench.html", context, actor=actor, status_code=status)


def _field_errors(exc: ValidationError, default: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else default
        errors.setdefault(field, str(error["msg"]).removeprefix("Value error, "))
    return errors


@router.post(
    "/officer/cases/{case_id}/decision",
    response_class=HTMLResponse,
    dependencies=[audited("decision.record")],
)
def decide(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Officer,
    outcome: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    third_party_weighing: Annotated[str, Form(max_length=2000)] = "",
    reason_codes: Annotated[list[str], Form(max_length=5)] = [],  # noqa: B006 - FastAPI form default
    estimated_days: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    case = readable_case(db, case_id, actor)
    values = {
        "outcome": outcome,
        "reason": reason,
        "kind": kind,
        "third_party_weighing": third_party_weighing,
        "reason_codes": reason_codes,
        "estimated_days": estimated_days,
    }
    data: dict[str, Any] = {
        "outcome": outcome,
        "reason": reason,
        "third_party_weighing": third_party_weighing,
    }
    if outcome == "decided_on_form":
        data["kind"] = kind or None
    else:
        data["reason_codes"] = reason_codes
        data["estimated_days"] = int(estimated_days) if estimated_days in ("1", "2") else None
    try:
        body = DecisionIn.model_validate(data)
        service.decide(db, case, actor, body)
    except ValidationError as exc:
        errors = _field_errors(exc, "outcome")
        if "outcome" in errors and outcome in {o.value for o in Outcome}:
            # The fields are fine one by one: say which the chosen outcome lacks.
            unchecked = DecisionIn.model_construct(**data | {"outcome": Outcome(outcome)})
            errors = {**errors, **unchecked.misfits()}
            errors.pop("outcome")
        return _again(request, db, case, actor, errors, values, 422)
    except DomainError as exc:
        db.rollback()
        case = readable_case(db, case_id, actor)
        return _again(request, db, case, actor, {"outcome": exc.detail}, values, exc.status)
    return see_other(f"/officer/cases/{case.id}")


@router.post(
    "/officer/cases/{case_id}/consultations",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.request")],
)
def request_consultation(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Officer,
    topic: Annotated[str, Form(max_length=20)] = "",
    question: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    case = readable_case(db, case_id, actor)
    values = {"topic": topic, "question": question}
    if topic not in {t.value for t in ConsultationTopic}:
        return _again(request, db, case, actor, {"topic": "Choose whom to consult."}, values, 422)
    try:
        consultations.request(db, case, actor, ConsultationTopic(topic), question)
    except DomainError as exc:
        return _again(request, db, case, actor, {"topic": exc.detail}, values, exc.status)
    return see_other(f"/officer/cases/{case.id}#consultations")


@router.post(
    "/officer/cases/{case_id}/signal",
    response_class=HTMLResponse,
    dependencies=[audited("signal.raise")],
)
def raise_signal(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Officer,
    signal_kind: Annotated[str, Form(max_length=5)] = "",
    signal_reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    case = readable_case(db, case_id, actor)
    values = {"signal_kind": signal_kind, "signal_reason": signal_reason}
    try:
        body = SignalRaiseIn.model_validate({"kind": signal_kind, "reason": signal_reason})
        service.raise_signal(db, case, actor, body)
    except ValidationError as exc:
        errors = {
            ("signal_" + k if k == "reason" else "signal_kind" if k == "kind" else k): v
            for k, v in _field_errors(exc, "signal_kind").items()
        }
        return _again(request, db, case, actor, errors, values, 422)
    return see_other(f"/officer/cases/{case.id}")


@router.post("/officer/cases/{case_id}/release", response_class=HTMLResponse)
def release(case_id: uuid.UUID, db: Session, actor: Officer) -> Response:
    case = readable_case(db, case_id, actor)
    service.release(db, case, actor)
    return see_other("/officer")


@router.post("/officer/cases/{case_id}/activity")
def activity(
    case_id: uuid.UUID,
    db: Session,
    actor: Officer,
    event: Annotated[str, Form(pattern="^(open|working|close)$")] = "working",
) -> Response:
    """The workbench's heartbeat (static/js/workbench.js) while the officer works."""
    case = readable_case(db, case_id, actor)
    service.note_activity(db, case, actor, event)
    return Response(status_code=204)


@router.post(
    "/officer/cases/{case_id}/review",
    response_class=HTMLResponse,
    dependencies=[audited("decision.review")],
)
def review(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Officer,
    verdict: Annotated[str, Form(max_length=20)] = "",
    remarks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    case = readable_case(db, case_id, actor)
    values = {"verdict": verdict, "remarks": remarks}
    try:
        body = ReviewIn.model_validate({"verdict": verdict, "remarks": remarks})
        service.review(db, case, actor, body.verdict, body.remarks)
    except ValidationError as exc:
        return _again(request, db, case, actor, _field_errors(exc, "verdict"), values, 422)
    except DomainError as exc:
        db.rollback()
        case = readable_case(db, case_id, actor)
        field = "remarks" if exc.code == "remarks_required" else "verdict"
        return _again(request, db, case, actor, {field: exc.detail}, values, exc.status)
    return see_other("/officer/reviews")


@router.get("/officer/reviews", response_class=HTMLResponse)
def reviews(request: Request, db: Session, actor: Officer) -> HTMLResponse:
    """Four eyes: drafted decisions waiting for a senior."""
    waiting = [(r, CaseOut.present(c, actor)) for r, c in service.reviews_waiting(db)]
    context = {
        "waiting": waiting,
        "senior": service.is_senior(db, actor),
        "ground_labels": {k.value: v for k, v in GROUND_LABELS.items()},
    }
    return render(request, "officer/reviews.html", context, actor=actor)


def _team_page(
    request: Request, db: Session, actor: Actor, errors: dict[str, str] | None = None
) -> HTMLResponse:
    profile = queries.profile_of(db, actor.user_id)
    lead = profile is not None and profile.team_lead and profile.team_id is not None
    context: dict[str, Any] = {
        "lead": lead,
        "claims": [],
        "members": [],
        "team": None,
        "queue": [],
        "errors": errors or {},
    }
    if lead and profile is not None and profile.team_id is not None:
        context |= {
            "team": queries.team_of(db, profile),
            "claims": [
                (CaseOut.present(c, actor), c.lease_expires_at, u.display_name)
                for c, u in queries.team_claims(db, profile.team_id)
            ],
            "members": [
                (str(u.id), u.display_name) for u in queries.team_members(db, profile.team_id)
            ],
            "queue": [CaseOut.present(c, actor) for c in queries.queue(db, None, 50)],
        }
    status = 409 if errors else 200
    return render(request, "officer/team.html", context, actor=actor, status_code=status)


@router.get("/officer/team", response_class=HTMLResponse)
def team(request: Request, db: Session, actor: Officer) -> HTMLResponse:
    """The team lead's view: who holds which file until when, the ready queue, and
    reassignment within the team."""
    return _team_page(request, db, actor)


@router.post(
    "/officer/cases/{case_id}/reassign",
    response_class=HTMLResponse,
    dependencies=[audited("case.reassign")],
)
def reassign(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Officer,
    officer_id: Annotated[uuid.UUID, Form()],
) -> Response:
    """The API's reassign; an officer without the skills for the file, or not in the
    team, is said beside the choice."""
    case = readable_case(db, case_id, actor)
    try:
        with db.begin_nested():
            service.reassign(db, case, actor, officer_id)
    except DomainError as refusal:
        if refusal.status >= 500:
            raise
        gettext = gettext_for(language_of(request))
        message = gettext(REASSIGN_REFUSALS.get(refusal.code, REASSIGN_REFUSALS[""]))
        return _team_page(request, db, actor, {f"officer-{case.id}": message})
    return see_other("/officer/team")


# --- the planner's watch on decisions ------------------------------------------------------


@router.get("/planner/decisions", response_class=HTMLResponse)
def planner_decisions(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    """The ready queue per team, who holds which file since when, and files past their
    six-week target date. Team leads reassign on their team page."""
    context = {
        "ready": queries.count_ready(db),
        "teams": queries.ready_per_team(db),
        "held": queries.held_decisions(db),
        "overdue": queries.overdue_decisions(db, local_date(utcnow())),
    }
    return render(request, "planner/decisions.html", context, actor=actor)


@router.get("/officer/cases/{case_id}/handoff.pdf", dependencies=[audited("handoff.download")])
def handoff_pdf(case_id: uuid.UUID, db: Session, actor: Officer) -> Response:
    record = handoff_record(db, readable_case(db, case_id, actor), actor)
    return Response(
        render_pdf(record),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="handoff-{record.v_number}.pdf"'},
    )


@router.post(
    "/planner/cases/{case_id}/handoff/actual-days",
    response_class=HTMLResponse,
    dependencies=[audited("handoff.actual_days")],
)
def actual_days(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: HearingRecorder,
    days: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """After the nader gehoor, how many days it took: ``PUT /cases/{id}/handoff/actual-days``."""
    case = readable_case(db, case_id, actor)
    try:
        data = ActualDaysIn(days=days.strip() or "x")
    except ValidationError:
        gettext = gettext_for(language_of(request))
        errors = {"days": gettext("Enter the days the hearing took: 1 to 10.")}
        form = {"days": days}
        return render_case(request, db, case, actor, form=form, errors=errors, status_code=422)
    service.record_actual_days(db, case.id, data.days)
    return see_other(f"/planner/cases/{case.id}?done=handoff")
