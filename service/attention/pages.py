"""Unit 1F's pages (the review task, the lists, a draft and its publication), the page
of one attention point (raise a signal or dismiss it, for the officer and unit 1F) and
the report. Every action is the API's, through ``service``."""

from functools import partial
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.attention import queries, service
from service.attention.access import (
    HandlerPage,
    HandlersPointPage,
    KeeperPage,
    KeepersIndicatorPage,
    KeepersListPage,
    ReportReaderPage,
    ReviewerPage,
)
from service.attention.schemas import DismissIn, IndicatorIn, ListIn, PointSignalIn, PublishIn
from service.audit.access import audited
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.models.attention import AttentionPoint, IndicatorKind, IndicatorList
from service.models.cases import SignalKind

router = page_router()

KIND_NAMES = {
    IndicatorKind.TERM: N_("term"),
    IndicatorKind.PLACE: N_("place"),
    IndicatorKind.PERIOD: N_("period"),
    IndicatorKind.ORGANISATION: N_("organisation"),
    IndicatorKind.RANK: N_("rank"),
    IndicatorKind.ROLE: N_("role"),
}
TEXT_NAMES = {
    "original": N_("the applicant's own words"),
    "translation": N_("the Dutch translation"),
    "correction": N_("the lawyer's correction"),
}
STATUS_NAMES = {
    "open": N_("Open"),
    "dismissed": N_("Dismissed"),
    "signalled": N_("Signal raised"),
}
NAMES = {"kind_names": KIND_NAMES, "text_names": TEXT_NAMES, "status_names": STATUS_NAMES}


@router.get("/unit1f", response_class=HTMLResponse, dependencies=[audited("attention.review")])
def review(request: Request, db: Session, actor: ReviewerPage) -> HTMLResponse:
    """Unit 1F's review task: every open attention point (where the setting gives unit
    1F the review), oldest first."""
    enabled = service.review_by_unit_1f()
    points = queries.open_points(db) if enabled else []
    questions = queries.questions_nl(db, (point for point, _v_number in points))
    context = {"points": points, "questions": questions, "enabled": enabled, **NAMES}
    return render(request, "unit_1f/review.html", context, actor=actor)


def _lists_page(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    context = {
        "lists": [(row, service.published_of(db, row)) for row in service.lists(db)],
        "values": values or {},
        "errors": refusal.errors(language_of(request), "name") if refusal else {},
    }
    status = refusal.status if refusal else 200
    return render(request, "unit_1f/lists.html", context, actor=actor, status_code=status)


@router.get("/unit1f/lists", response_class=HTMLResponse)
def lists_page(request: Request, db: Session, actor: KeeperPage) -> HTMLResponse:
    """The indicator lists, and a form for a new one."""
    return _lists_page(request, db, actor)


@router.post("/unit1f/lists", response_class=HTMLResponse)
def create_list(
    request: Request,
    db: Session,
    actor: KeeperPage,
    name: Annotated[str, Form(max_length=200)] = "",
    keeper: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The API's ``POST /attention/lists``: ``service.create_list``."""
    values = {"name": name, "keeper": keeper}
    done = attempt(db, lambda: service.create_list(db, actor, parse_form(ListIn, values)))
    if isinstance(done, Refusal):
        return _lists_page(request, db, actor, values, done)
    return see_other(f"/unit1f/lists/{done.id}")


def _list_page(
    request: Request,
    db: Session,
    indicator_list: IndicatorList,
    actor: Actor,
    values: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
    default_field: str = "text",
) -> HTMLResponse:
    gettext = gettext_for(language_of(request))
    versions = service.versions_of(db, indicator_list)
    draft = service.draft_of(db, indicator_list)
    published = service.published_of(db, indicator_list)
    context = {
        "list": indicator_list,
        "versions": versions,
        "draft": draft,
        "draft_indicators": service.indicators_of(db, draft) if draft else [],
        "published": published,
        "published_indicators": service.indicators_of(db, published) if published else [],
        "kinds": [("", "—")] + [(k.value, gettext(KIND_NAMES[k])) for k in IndicatorKind],
        "values": values or {},
        "errors": refusal.errors(language_of(request), default_field) if refusal else {},
        **NAMES,
    }
    status = refusal.status if refusal else 200
    return render(request, "unit_1f/list.html", context, actor=actor, status_code=status)


@router.get("/unit1f/lists/{list_id}", response_class=HTMLResponse)
def list_page(
    request: Request, db: Session, indicator_list: KeepersListPage, actor: KeeperPage
) -> HTMLResponse:
    """A list: its draft to edit and publish, the version in force, every version."""
    return _list_page(request, db, indicator_list, actor)


@router.post("/unit1f/lists/{list_id}/indicators", response_class=HTMLResponse)
def add_indicator(
    request: Request,
    db: Session,
    indicator_list: KeepersListPage,
    actor: KeeperPage,
    kind: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    text: Annotated[str, Form(max_length=300)] = "",
    text_nl: Annotated[str, Form(max_length=300)] = "",
    variants: Annotated[str, Form(max_length=10000)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_to: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """The API's ``POST /attention/lists/{id}/indicators``: ``service.add_indicator``
    (the variants one per line)."""
    values = {
        "kind": kind,
        "language": language,
        "text": text,
        "text_nl": text_nl,
        "variants": variants,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "reason": reason,
    }
    typed = values | {
        "variants": [line.strip() for line in variants.splitlines() if line.strip()],
        "valid_from": valid_from or None,
        "valid_to": valid_to or None,
    }
    body = partial(parse_form, IndicatorIn, typed)
    done = attempt(db, lambda: service.add_indicator(db, actor, indicator_list, body()))
    if isinstance(done, Refusal):
        return _list_page(request, db, indicator_list, actor, values, done)
    return see_other(f"/unit1f/lists/{indicator_list.id}#draft")


@router.post("/unit1f/indicators/{indicator_id}/remove", response_class=HTMLResponse)
def remove_indicator(db: Session, indicator: KeepersIndicatorPage, actor: KeeperPage) -> Response:
    """The API's ``DELETE /attention/indicators/{id}``: ``service.remove_indicator``."""
    version = indicator.version_id
    service.remove_indicator(db, actor, indicator)
    list_id = service.list_of_version(db, version)
    return see_other(f"/unit1f/lists/{list_id}#draft")


@router.post("/unit1f/lists/{list_id}/publish", response_class=HTMLResponse)
def publish(
    request: Request,
    db: Session,
    indicator_list: KeepersListPage,
    actor: KeeperPage,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The API's ``POST /attention/lists/{id}/publish``: ``service.publish``."""
    values = {"note": note}
    body = partial(parse_form, PublishIn, values)
    done = attempt(db, lambda: service.publish(db, actor, indicator_list, body()))
    if isinstance(done, Refusal):
        return _list_page(request, db, indicator_list, actor, values, done, "note")
    return see_other(f"/unit1f/lists/{indicator_list.id}")


# --- one point ---------------------------------------------------------------------------


def _point_page(
    request: Request,
    db: Session,
    point: AttentionPoint,
    actor: Actor,
    values: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
    default_field: str = "dismiss_reason",
) -> HTMLResponse:
    shown = queries.point_out(db, point.id)
    context = {
        "point": shown,
        "question": queries.questions_nl(db, [shown])[shown.id],
        "v_number": service.v_number_of(db, point),
        "back": "/unit1f" if actor.is_("unit_1f") else f"/officer/cases/{point.case_id}",
        "signal_kinds": [("", "—")] + [(k.value, k.value.upper()) for k in SignalKind],
        "values": values or {},
        "errors": refusal.errors(language_of(request), default_field) if refusal else {},
        **NAMES,
    }
    status = refusal.status if refusal else 200
    return render(request, "unit_1f/point.html", context, actor=actor, status_code=status)


@router.get(
    "/attention/points/{point_id}",
    response_class=HTMLResponse,
    dependencies=[audited("attention.point.page")],
)
def point_page(
    request: Request, db: Session, point: HandlersPointPage, actor: HandlerPage
) -> HTMLResponse:
    """One point: the words found, the indicator and why it is listed; raise a signal
    or dismiss it."""
    return _point_page(request, db, point, actor)


@router.post(
    "/attention/points/{point_id}/dismissal",
    response_class=HTMLResponse,
    dependencies=[audited("attention.point.dismiss")],
)
def dismiss(
    request: Request,
    db: Session,
    point: HandlersPointPage,
    actor: HandlerPage,
    dismiss_reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """The API's ``POST /attention/points/{id}/dismissal``: ``service.dismiss``."""
    values = {"dismiss_reason": dismiss_reason}
    body = partial(parse_form, DismissIn, {"reason": dismiss_reason})
    done = attempt(db, lambda: service.dismiss(db, actor, point, body()))
    if isinstance(done, Refusal):
        return _point_page(request, db, point, actor, values, _prefixed(done, "dismiss_"))
    return see_other(f"/attention/points/{point.id}")


@router.post(
    "/attention/points/{point_id}/signal",
    response_class=HTMLResponse,
    dependencies=[audited("attention.point.signal")],
)
def raise_signal(
    request: Request,
    db: Session,
    point: HandlersPointPage,
    actor: HandlerPage,
    signal_kind: Annotated[str, Form(max_length=5)] = "",
    signal_reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """The API's ``POST /attention/points/{id}/signal``: ``service.raise_signal``."""
    values = {"signal_kind": signal_kind, "signal_reason": signal_reason}
    body = partial(parse_form, PointSignalIn, {"kind": signal_kind, "reason": signal_reason})
    done = attempt(db, lambda: service.raise_signal(db, actor, point, body()))
    if isinstance(done, Refusal):
        refused = _prefixed(done, "signal_")
        return _point_page(request, db, point, actor, values, refused, "signal_reason")
    return see_other(f"/attention/points/{point.id}")


def _prefixed(refusal: Refusal, prefix: str) -> Refusal:
    """The form's fields are named apart (two forms on one page)."""
    fields = {(prefix + name if name else name): text for name, text in refusal.fields.items()}
    return Refusal(refusal.message, refusal.status, refusal.code, fields, refusal.problems)


@router.get("/attention/report", response_class=HTMLResponse)
def report(request: Request, db: Session, actor: ReportReaderPage) -> HTMLResponse:
    """The trade-off made visible: hits per list version, dismissed and signalled, per
    nationality and month."""
    return render(request, "unit_1f/report.html", {"rows": queries.report(db)}, actor=actor)
