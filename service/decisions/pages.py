"""The decision officer's pages: the queue with "take next", the workbench, four eyes
for seniors and the team lead's overview."""

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import procedure
from service.attention import queries as attention_queries
from service.attention.schemas import PointOut
from service.audit.access import audited
from service.cases.pages import render_case
from service.cases.schemas import CaseDetail, CaseOut, EventOut
from service.consultations import service as consultations
from service.consultations.schemas import ConsultationRequestIn
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.i18n import N_, language_of
from service.core.templating import templates
from service.core.web import page_router, render, see_other
from service.decisions import access, queries, service
from service.decisions.handoff import handoff_pdf as render_pdf
from service.decisions.handoff import handoff_record
from service.decisions.schemas import (
    OUTCOME_FIELDS,
    ActualDaysIn,
    DecisionIn,
    FinalDecisionIn,
    ReassignIn,
    ReviewIn,
    SignalRaiseIn,
)
from service.models.auth import User
from service.models.cases import Case, CaseEventRow
from service.models.decisions import (
    ConsultationTopic,
    DecisionKind,
    HearingReason,
    ReviewGround,
)
from service.registration.schemas import RegistrationFileOut
from service.terms.policy import local_date
from service.workflow import CaseState


def attention_by_answer(db: Session, case_id: uuid.UUID) -> dict[str, list[PointOut]]:
    """The case's attention points by answer, shown beside it (never an exclusion)."""
    found: dict[str, list[PointOut]] = {}
    for point in attention_queries.points_of(db, case_id):
        found.setdefault(point.answer_key, []).append(point)
    return found


router = page_router()

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
def officer_start(request: Request, db: Session, actor: access.OfficerPage) -> HTMLResponse:
    """The files this officer may take, most urgent first, and their own claims."""
    return render(request, "officer/start.html", _start_context(db, actor), actor=actor)


@router.post("/officer/take-next", response_class=HTMLResponse)
def take_next(request: Request, db: Session, actor: access.OfficerPage) -> Response:
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
        "attention": attention_by_answer(db, case.id),
        # The written registration interview's answers travel with the case.
        "registration": RegistrationFileOut.of_case(db, case),
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
def workbench(
    request: Request, db: Session, case: access.OfficersCasePage, actor: access.OfficerPage
) -> HTMLResponse:
    """The whole file: applicant, answers with every layer, timeline, motives, signals."""
    if case.claimed_by_id == actor.user_id:
        service.note_activity(db, case, actor, "open")
    return render(request, "officer/workbench.html", _workbench(db, case, actor), actor=actor)


def _refused(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    refusal: Refusal,
    values: dict[str, Any],
    default_field: str,
    prefix: str = "",
) -> HTMLResponse:
    """The workbench again after a refused action: what was typed, and the messages beside
    the fields (``prefix``: the form's field names on the workbench, where several forms
    each have a ``reason``)."""
    errors = refusal.errors(language_of(request), default_field)
    named = {(name if name.startswith(prefix) else prefix + name): m for name, m in errors.items()}
    context = _workbench(db, case, actor, named, values)
    return render(
        request, "officer/workbench.html", context, actor=actor, status_code=refusal.status
    )


def chosen_outcome_only(values: dict[str, Any]) -> dict[str, Any]:
    """The decision form as the officer sees it: the fields of the outcome not chosen are
    hidden (and may still hold what was typed before the choice changed)."""
    hidden = {
        name
        for outcome, names in OUTCOME_FIELDS.items()
        if outcome != values["outcome"]
        for name in names
    }
    return {k: v for k, v in values.items() if k not in hidden}


@router.post(
    "/officer/cases/{case_id}/decision",
    response_class=HTMLResponse,
    dependencies=[audited("decision.record")],
)
def decide(
    request: Request,
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    outcome: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    third_party_weighing: Annotated[str, Form(max_length=2000)] = "",
    reason_codes: Annotated[list[str], Form(max_length=5)] = [],  # noqa: B006 - FastAPI form default
    estimated_days: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """The API's ``POST /cases/{id}/decision``: ``service.decide``."""
    values = {
        "outcome": outcome,
        "reason": reason,
        "kind": kind,
        "third_party_weighing": third_party_weighing,
        "reason_codes": reason_codes,
        "estimated_days": estimated_days,
    }
    form = chosen_outcome_only(values)
    done = attempt(db, lambda: service.decide(db, case, actor, parse_form(DecisionIn, form)))
    if isinstance(done, Refusal):
        return _refused(request, db, case, actor, done, values, "outcome")
    return see_other(f"/officer/cases/{case.id}")


@router.post(
    "/officer/cases/{case_id}/consultations",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.request")],
)
def request_consultation(
    request: Request,
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    topic: Annotated[str, Form(max_length=20)] = "",
    question: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The API's ``POST /cases/{id}/consultation-requests``: ``consultations.request``."""
    values = {"topic": topic, "question": question}
    body = partial(parse_form, ConsultationRequestIn, values)
    done = attempt(db, lambda: consultations.request(db, case, actor, body()))
    if isinstance(done, Refusal):
        return _refused(request, db, case, actor, done, values, "topic")
    return see_other(f"/officer/cases/{case.id}#consultations")


@router.post(
    "/officer/cases/{case_id}/signal",
    response_class=HTMLResponse,
    dependencies=[audited("signal.raise")],
)
def raise_signal(
    request: Request,
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    signal_kind: Annotated[str, Form(max_length=5)] = "",
    signal_reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """The API's ``POST /cases/{id}/unit-1f-referral``: ``service.raise_signal``."""
    values = {"signal_kind": signal_kind, "signal_reason": signal_reason}
    body = partial(parse_form, SignalRaiseIn, {"kind": signal_kind, "reason": signal_reason})
    done = attempt(db, lambda: service.raise_signal(db, case, actor, body()))
    if isinstance(done, Refusal):
        return _refused(request, db, case, actor, done, values, "kind", prefix="signal_")
    return see_other(f"/officer/cases/{case.id}")


@router.post("/officer/cases/{case_id}/release", response_class=HTMLResponse)
def release(db: Session, case: access.OfficersCasePage, actor: access.OfficerPage) -> Response:
    service.release(db, case, actor)
    return see_other("/officer")


@router.post("/officer/cases/{case_id}/activity")
def activity(
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    event: Annotated[str, Form(pattern="^(open|working|close)$")] = "working",
) -> Response:
    """The workbench's heartbeat (static/js/workbench.js) while the officer works."""
    service.note_activity(db, case, actor, event)
    return Response(status_code=204)


@router.post(
    "/officer/cases/{case_id}/review",
    response_class=HTMLResponse,
    dependencies=[audited("decision.review")],
)
def review(
    request: Request,
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    verdict: Annotated[str, Form(max_length=20)] = "",
    remarks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The API's ``POST /cases/{id}/review``: ``service.review``."""
    values = {"verdict": verdict, "remarks": remarks}

    def action() -> object:
        body = parse_form(ReviewIn, values)
        return service.review(db, case, actor, body.verdict, body.remarks)

    done = attempt(db, action)
    if isinstance(done, Refusal):
        return _refused(request, db, case, actor, done, values, "verdict")
    return see_other("/officer/reviews")


@router.get("/officer/reviews", response_class=HTMLResponse)
def reviews(request: Request, db: Session, actor: access.OfficerPage) -> HTMLResponse:
    """Four eyes: drafted decisions waiting for a senior."""
    waiting = [(r, CaseOut.present(c, actor)) for r, c in service.reviews_waiting(db)]
    context = {
        "waiting": waiting,
        "senior": service.is_senior(db, actor),
        "ground_labels": {k.value: v for k, v in GROUND_LABELS.items()},
    }
    return render(request, "officer/reviews.html", context, actor=actor)


def _team_page(
    request: Request,
    db: Session,
    actor: Actor,
    errors: dict[str, str] | None = None,
    status: int = 200,
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
    return render(request, "officer/team.html", context, actor=actor, status_code=status)


@router.get("/officer/team", response_class=HTMLResponse)
def team(request: Request, db: Session, actor: access.OfficerPage) -> HTMLResponse:
    """The team lead's view: who holds which file until when, the ready queue, and
    reassignment within the team."""
    return _team_page(request, db, actor)


@router.post(
    "/officer/cases/{case_id}/reassign",
    response_class=HTMLResponse,
    dependencies=[audited("case.reassign")],
)
def reassign(
    request: Request,
    db: Session,
    case: access.OfficersCasePage,
    actor: access.OfficerPage,
    officer_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The API's reassign; a refusal (an officer without the skills for the file, or not
    in the team) is said beside the choice in the file's row."""
    body = partial(parse_form, ReassignIn, {"officer_id": officer_id})
    done = attempt(db, lambda: service.reassign(db, case, actor, body()))
    if isinstance(done, Refusal):
        message = done.errors(language_of(request), "officer_id")
        errors = {f"officer-{case.id}": " ".join(message.values())}
        return _team_page(request, db, actor, errors, done.status)
    return see_other("/officer/team")


# --- the planner's watch on decisions ------------------------------------------------------


@router.get("/planner/decisions", response_class=HTMLResponse)
def planner_decisions(request: Request, db: Session, actor: access.PlannerPage) -> HTMLResponse:
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
def handoff_pdf(case: access.OfficersCasePage, db: Session, actor: access.OfficerPage) -> Response:
    record = handoff_record(db, case, actor)
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
    request: Request,
    db: Session,
    case: access.RecordedCasePage,
    actor: access.HearingRecorderPage,
    days: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """After the nader gehoor, how many days it took: ``PUT /cases/{id}/handoff/actual-days``."""
    body = partial(parse_form, ActualDaysIn, {"days": days.strip()})
    done = attempt(db, lambda: service.record_actual_days(db, case.id, body().days))
    if isinstance(done, Refusal):
        errors = done.errors(language_of(request), "days")
        form = {"days": days}
        return render_case(request, db, case, actor, form=form, errors=errors, status_code=422)
    return see_other(f"/planner/cases/{case.id}?done=handoff")


@router.post(
    "/planner/cases/{case_id}/final-decision",
    response_class=HTMLResponse,
    dependencies=[audited("final_decision.record")],
)
def final_decision(
    request: Request,
    db: Session,
    case: access.RecordedCasePage,
    actor: access.HearingRecorderPage,
    outcome: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """The final outcome: ``PUT /cases/{id}/final-decision``."""
    body = partial(parse_form, FinalDecisionIn, {"outcome": outcome})
    done = attempt(db, lambda: service.record_final_decision(db, case, actor, body()))
    if isinstance(done, Refusal):
        errors = done.errors(language_of(request), "outcome")
        form = {"outcome": outcome}
        return render_case(request, db, case, actor, form=form, errors=errors, status_code=422)
    return see_other(f"/planner/cases/{case.id}?done=final")
