"""The capacity forecast as a page ("control tower"): a GET form with every input as a
query parameter (a scenario can be bookmarked), the forecast above it. A bad input comes
back as typed with the message beside its field (422)."""

from collections.abc import Mapping
from functools import partial

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.core.actions import Refusal, attempt
from service.core.formatting import local_date
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render
from service.forecast import service
from service.forecast.access import ForecastReaderPage
from service.forecast.chart import legend, stock_chart
from service.forecast.queries import NO_TEAM_NAME
from service.forecast.schemas import ForecastOut, InputOut
from service.forecast.simulation import CAPACITY_STEPS, Step

router = page_router()

STEP_LABELS = {
    Step.INVITATION: N_("Invitation: to invite or waiting for the lawyer"),
    Step.SESSION: N_("Waiting for a seat in a session"),
    Step.TRANSLATION: N_("Translation"),
    Step.CORRECTIONS: N_("Corrections by the lawyer"),
    Step.DECISION: N_("Waiting for a decision"),
}
PLAIN_LABELS = {
    "consent": N_("Lawyers who consent (%)"),
    "kansrijk": N_("Kansrijk files, decided by an officer (%)"),
    "reply_days": N_("Days until the lawyer replies"),
    "translation_days": N_("Days an agency takes to translate a form"),
    "corrections_days": N_("Days the lawyer takes for corrections"),
}
RESOURCE_LABELS = {
    "sessions": N_("Sessions a week at %(name)s"),
    "seats": N_("Seats per session at %(name)s"),
    "agency": N_("Forms a week at %(name)s"),
    "team": N_("Decisions a week by %(name)s"),
}
KIND_OF = {"sessions": "location", "seats": "location", "agency": "agency", "team": "team"}


def _number(value: float, language: str) -> str:
    """A number as a Dutch reader types it: a decimal comma, no thousands separator (the
    form reads its fields back)."""
    return format_decimal(value, "0.##", locale=language)


def _fields(
    inputs: list[InputOut],
    names: Mapping[str, str],
    language: str,
    typed: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """The form's fields by fieldset: name, label, value shown (as ``typed``, where the
    input was refused), and the default's hint."""
    _ = gettext_for(language)
    groups: dict[str, list[dict[str, str]]] = {"procedure": [], "location": [], "agency": []}
    groups["team"] = []
    for given in inputs:
        prefix, _sep, key = given.name.partition("-")
        if key:
            name = names.get(f"{KIND_OF[prefix]}:{key}", key)
            shown = _(name) if name == NO_TEAM_NAME else name
            label = _(RESOURCE_LABELS[prefix]) % {"name": shown}
            group = KIND_OF[prefix]
        else:
            label, group = _(PLAIN_LABELS[given.name]), "procedure"
        groups[group].append(
            {
                "name": given.name,
                "label": label,
                "value": (typed or {}).get(given.name, _number(given.value, language)),
                "default": _number(given.default, language),
                "source": given.source,
                "changed": "1" if given.changed else "",
            }
        )
    return groups


def _context(result: ForecastOut, language: str) -> dict[str, object]:
    _ = gettext_for(language)
    labels = {step: _(text) for step, text in STEP_LABELS.items()}
    number = partial(_number, language=language)
    return {
        "result": result,
        "labels": labels,
        "number": number,
        "percent": lambda share: number(round(100 * share, 1)) + " %",
        "chart": stock_chart(
            result.weekly,
            labels,
            "stock-chart-title",
            partial(local_date, language=language),
            number,
            _("Week starting"),
        ),
        "legend": legend(labels),
        "stock_columns": [(_("Week starting"), False), *((text, True) for text in labels.values())],
        "capacity_steps": CAPACITY_STEPS,
        "total": sum(result.stock.values()),
        "team_name": lambda name: _(name) if name == NO_TEAM_NAME else name,
        "groups": [
            ("procedure", _("The procedure")),
            ("location", _("Group sessions per location")),
            ("agency", _("Translation agencies")),
            ("team", _("Decision teams")),
        ],
    }


def _names(result: ForecastOut) -> dict[str, str]:
    return {r.key: r.name for r in result.resources}


@router.get("/planner/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, db: Session, actor: ForecastReaderPage) -> HTMLResponse:
    """The forecast from the inputs in the query string (none: what the service measured)."""
    language = language_of(request)
    found = attempt(db, lambda: service.forecast(db, actor, request.query_params))
    if isinstance(found, Refusal):
        # The form as typed, its fields from the measured defaults, the messages beside them.
        measured = service.forecast(db, actor, {})
        fields = _fields(measured.inputs, _names(measured), language, request.query_params)
        context = _context(measured, language) | {
            "result": None,
            "fields": fields,
            "errors": found.errors(language, "consent"),
        }
        return render(request, "forecast/forecast.html", context, actor=actor, status_code=422)
    fields = _fields(found.inputs, _names(found), language)
    context = _context(found, language) | {"fields": fields, "errors": {}}
    return render(request, "forecast/forecast.html", context, actor=actor)
