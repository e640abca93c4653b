"""The planner's pages for cases: the start page (what needs the planner today), the
case list (search, filters with counts, paging) and the case page with the actions that
fit its state. Reads go through ``cases/queries.py``, fields through the presenters."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.cases import access, import_runs, queries, service, tasks
from service.cases.exceptions import BadImportFile, CaseNotFound
from service.cases.schemas import CaseDetail, CaseOut, SignalCreate, WithdrawIn
from service.cases.timeline import timeline
from service.core.actions import Refusal, attempt, parse_form, parse_leniently
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_, gettext_for, language_of
from service.core.jobs import enqueue
from service.core.settings import get_settings
from service.core.templating import templates
from service.core.web import page_router, render, see_other
from service.eligibility import service as eligibility
from service.invitations import service as invitations
from service.models.auth import User
from service.models.cases import Case, ImportRun, ImportStatus
from service.models.decisions import FinalDecision, HearingHandoff
from service.models.invitations import Invitation, InvitationStatus
from service.models.messages import Message, MessageStatus
from service.models.sessions import Location, PlanningPreference
from service.models.translation import Agency, Translation
from service.sessions import queries as session_queries
from service.terms.policy import local_date
from service.translation import queries as translation_queries
from service.translation.schemas import TranslationOut
from service.workflow import (
    DECIDED_STATES,
    SCREENABLE_STATES,
    STATE_LABELS,
    CaseEvent,
    CaseState,
    allowed_events,
)

router = page_router()
templates.env.globals["STATE_LABELS"] = STATE_LABELS
# Where the applicant can be brought and the interpreter asked for matter until the session.
PLANNABLE = frozenset({CaseState.SCREENED, CaseState.INVITED, CaseState.CONSENTED})
Planner = access.Planner

SIGNAL_SAY = {
    "kind": N_("Choose NV or 1F."),
    "source": N_("Name the source of the signal (at least 2 characters)."),
    "reason": N_("Describe the signal in plain text."),
}
TRACK_LABELS = {
    "replacing": N_("Kansrijk: the form may replace the hearing"),
    "preparatory": N_("Kansarm: the form prepares the hearing"),
}
OUTCOME_LABELS = {
    queries.Outcome.NOT_SCREENED: N_("Not screened yet"),
    queries.Outcome.ELIGIBLE: N_("Eligible"),
    queries.Outcome.EXCLUDED: N_("Excluded"),
}
SORT_LABELS = {
    queries.Sort.TARGET: N_("Six-week target date, soonest first"),
    queries.Sort.APPLICATION: N_("Date of application, oldest first"),
    queries.Sort.APPLICATION_NEWEST: N_("Date of application, newest first"),
}
templates.env.globals["TRACK_LABELS"] = TRACK_LABELS


# --- the start page ---------------------------------------------------------------------------


@router.get("/planner", response_class=HTMLResponse)
def planner_start(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    """What needs the planner today, and every stage's count linking to its list."""
    now = utcnow()
    today = local_date(now)
    week = [
        (session, location, booked)
        for session, location, booked in session_queries.coming_sessions(db, actor, limit=50)
        if (local_date(session.starts_at) - today).days < 7
    ]
    context = {
        "counts": queries.counts_by_state(db),
        "today": {
            "to_invite": queries.count(db, Case.state == CaseState.SCREENED),
            "replies_overdue": db.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(Invitation.status == InvitationStatus.OPEN, Invitation.reply_due_at < now)
            )
            or 0,
            "overdue": queries.count(db, queries.overdue(now, today)),
            "failed_messages": db.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.status == MessageStatus.FAILED)
            )
            or 0,
        },
        "sessions": week,
        "jobs": [
            TranslationOut.present(job, agency, actor)
            for job, agency in translation_queries.needing_attention(db, actor, limit=50)
        ],
        "now": now,
    }
    return render(request, "planner/start.html", context, actor=actor)


# --- the case list ----------------------------------------------------------------------------


def _filter_of(request: Request) -> tuple[queries.CaseFilter, dict[str, str]]:
    """The filter from the query string; a value that does not parse is dropped and named."""
    raw = {k: v for k, v in request.query_params.items() if v != ""}
    for flag in ("overdue", "signal"):
        if flag in raw:
            raw[flag] = "true" if raw[flag] in ("true", "on", "1") else "false"
    return parse_leniently(queries.CaseFilter, raw)


def list_url(f: queries.CaseFilter, **changes: Any) -> str:
    """The list's address with ``changes`` applied (page back to 1 unless given)."""
    values = f.model_dump(mode="json")
    values["page"] = 1
    values.update(changes)
    defaults = queries.CaseFilter().model_dump(mode="json")
    kept = {k: v for k, v in values.items() if v not in (None, "", False) and v != defaults[k]}
    kept = {k: ("true" if v is True else v) for k, v in kept.items()}
    return "/planner/cases" + (f"?{urlencode(kept)}" if kept else "")


@router.get("/planner/cases", response_class=HTMLResponse)
def case_list(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    f, invalid = _filter_of(request)
    found = queries.search_cases(db, actor, f)
    lawyers = {
        u.id: u
        for u in db.scalars(
            select(User).where(User.id.in_({c.lawyer_id for c in found.cases if c.lawyer_id}))
        )
    }
    context = {
        "f": f,
        "found": found,
        "rows": [
            (CaseOut.present(c, actor), lawyers.get(c.lawyer_id) if c.lawyer_id else None)
            for c in found.cases
        ],
        "invalid": invalid,
        "list_url": lambda **changes: list_url(f, **changes),
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "SORT_LABELS": SORT_LABELS,
        "States": CaseState,
        "reply_deadline": invitations.reply_deadline(),
    }
    return render(request, "planner/cases.html", context, actor=actor)


# --- the case page ----------------------------------------------------------------------------


def case_context(db: Session, case: Case, actor: Actor) -> dict[str, Any]:
    """Everything a planner may see of one case, through the presenters and the domains'
    reads; the actions offered follow from the case's state (``workflow.allowed_events``)."""
    lawyer = db.get(User, case.lawyer_id) if case.lawyer_id else None
    job = db.execute(
        select(Translation, Agency)
        .join(Agency, Agency.id == Translation.agency_id)
        .where(Translation.case_id == case.id)
    ).first()
    claimed_by = db.get(User, case.claimed_by_id) if case.claimed_by_id else None
    events = allowed_events(case.state)
    return {
        "case": CaseDetail.present(case, actor),
        "lawyer": lawyer,
        "timeline": timeline(db, case, actor),
        "screenings": eligibility.screenings_of(db, case.id),
        "invitations": db.scalars(
            select(Invitation).where(Invitation.case_id == case.id).order_by(Invitation.sent_at)
        ).all(),
        "job": job,
        "claimed_by": claimed_by,
        "handoff": db.scalar(select(HearingHandoff).where(HearingHandoff.case_id == case.id)),
        "final_decision": db.scalar(select(FinalDecision).where(FinalDecision.case_id == case.id)),
        "decided": case.state in DECIDED_STATES,
        "messages": db.scalars(
            select(Message).where(Message.case_id == case.id).order_by(Message.created_at)
        ).all(),
        "can_invite": CaseEvent.INVITE in events,
        "can_screen": case.state in SCREENABLE_STATES,
        "can_withdraw": CaseEvent.WITHDRAW in events,
        "reply_deadline": invitations.reply_deadline(),
        "agencies": (
            translation_queries.agency_choices(db)
            if CaseEvent.SEND_TO_TRANSLATION in events
            else []
        ),
        "can_plan": case.state in PLANNABLE,
        "preference": db.get(PlanningPreference, case.id),
        "locations": db.execute(select(Location.id, Location.name).order_by(Location.name)).all(),
    }


def render_case(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    """The planner's case page; after a refused action, with what was typed (``form``)
    and the refusal's messages beside the fields."""
    if refusal is not None:
        errors = refusal.errors(language_of(request), "error-summary")
        status_code = refusal.status
    context = {
        **case_context(db, case, actor),
        "form": form or {},
        "errors": errors or {},
        "done": request.query_params.get("done", ""),
    }
    return render(request, "planner/case.html", context, actor=actor, status_code=status_code)


@router.get("/planner/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case: access.PlannersCase, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    return render_case(request, db, case, actor)


def _on_case_page(
    request: Request,
    db: Session,
    actor: Actor,
    case: Case,
    form: dict[str, str],
    action: Callable[[], object],
    done: str,
) -> Response:
    """Run an action from the case page: back to the page saying it is done, or the page
    again with what was typed and the refusal beside the fields."""
    outcome = attempt(db, action)
    if isinstance(outcome, Refusal):
        return render_case(request, db, case, actor, form=form, refusal=outcome)
    return see_other(f"/planner/cases/{case.id}?done={done}")


@router.post("/planner/cases/{case_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    case: access.PlannersCase,
    request: Request,
    db: Session,
    actor: Planner,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Consent withdrawn, as the applicant told the planner (``service.withdraw``)."""
    form = {"reason": reason}
    say = {"reason": N_("Give the reason (at least 3 characters).")}

    def withdraw_consent() -> None:
        service.withdraw(db, case, actor, parse_form(WithdrawIn, form, say=say).reason)

    return _on_case_page(request, db, actor, case, form, withdraw_consent, "withdrawn")


# --- importing the backlog ----------------------------------------------------------------------


def _import_form(
    request: Request, db: Session, actor: Actor, errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    runs = db.scalars(select(ImportRun).order_by(ImportRun.created_at.desc()).limit(10)).all()
    context = {"runs": runs, "errors": errors}
    return render(request, "planner/import.html", context, actor=actor, status_code=status_code)


@router.get("/planner/import", response_class=HTMLResponse)
def import_form(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    return _import_form(request, db, actor, {})


@router.post("/planner/import", response_class=HTMLResponse)
def upload(
    request: Request,
    db: Session,
    actor: Planner,
    file: Annotated[UploadFile | None, File()] = None,
    screen: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Take the file; a background job reads and screens it while the page shows progress."""
    gettext = gettext_for(language_of(request))
    limit = get_settings().max_upload_bytes
    content = file.file.read(limit + 1) if file is not None else b""
    if not content:
        return _import_form(
            request, db, actor, {"file": gettext("Choose a CSV or JSON file of cases.")}, 422
        )
    if len(content) > limit:
        message = gettext("The file is larger than %(mb)s MB; split it.") % {"mb": limit // 2**20}
        return _import_form(request, db, actor, {"file": message}, 422)
    try:
        run = import_runs.start(
            db, content, (file.filename if file else "") or "upload", actor, screen == "true"
        )
    except BadImportFile as exc:
        message = gettext("The file cannot be read: %(why)s") % {"why": exc.detail}
        return _import_form(request, db, actor, {"file": message}, 422)
    enqueue(db, tasks.read_import, run.id)
    return see_other(f"/planner/imports/{run.id}")


def _run(db: Session, run_id: uuid.UUID) -> ImportRun:
    run = db.get(ImportRun, run_id)
    if run is None:
        raise CaseNotFound(in_english(N_("No import %(run)s."), run=run_id))
    return run


@router.get("/planner/imports/{run_id}", response_class=HTMLResponse)
def import_progress(
    run_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    """Progress while the file is read (the page refreshes itself, no script needed);
    then the result per row."""
    run = _run(db, run_id)
    finished = run.status in (ImportStatus.DONE, ImportStatus.FAILED)
    context = {
        "run": run,
        "finished": finished,
        "percent": (100 * run.rows_done // run.rows_total) if run.rows_total else 100,
        **(import_runs.summary(db, run) if finished else {}),
    }
    return render(request, "planner/import_run.html", context, actor=actor)


@router.get("/planner/imports/{run_id}/results.csv")
def import_results(run_id: uuid.UUID, db: Session, actor: Planner) -> Response:
    run = _run(db, run_id)
    return Response(
        import_runs.results_csv(db, run),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{run.id}.csv"'},
    )


# --- signals ------------------------------------------------------------------------------------


@router.post(
    "/planner/cases/{case_id}/signals",
    response_class=HTMLResponse,
    dependencies=[audited("signal.add")],
)
def add_signal(
    case: access.PlannersCase,
    request: Request,
    db: Session,
    actor: Planner,
    kind: Annotated[str, Form(max_length=10)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    signal_reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """An NV or 1F signal reported to the planner: ``POST /cases/{id}/signals``'s service
    (an open case leaves the written track at once). The form names its reason field
    apart from the withdrawal's on the same page."""
    form = {"kind": kind, "source": source, "signal_reason": signal_reason}

    def add() -> None:
        data = parse_form(SignalCreate, form, names={"reason": "signal_reason"}, say=SIGNAL_SAY)
        service.add_signal(db, case, data, actor)

    return _on_case_page(request, db, actor, case, form, add, "signal")
