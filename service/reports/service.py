"""The reports: one read per period (``report``) that the API, the pages, the exports and
the PDF all show, and the pictures, tables and files made from it in a language."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.formatting import country_in, in_english
from service.core.i18n import N_, gettext_for
from service.core.settings import PROJECT_ROOT
from service.core.spreadsheet import Sheet, csv_text, xlsx_bytes
from service.invitations.schemas import DECLINE_REASON_LABELS
from service.reports import charts, queries
from service.reports.exceptions import BadPeriod
from service.reports.schemas import NationalityRow, Period, Report
from service.terms.policy import local_date
from service.workflow import STATE_LABELS, CaseState

MAX_PERIOD_DAYS = 3660
NONE = "\N{EN DASH}"  # a figure that is not there
DEFAULT_DAYS = 365

# The nationality table's columns: (field, header, kind) for the page, the files and PDF.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("selected", N_("Selected"), "count"),
    ("invited", N_("Invited"), "count"),
    ("consented", N_("Lawyer consented"), "count"),
    ("consent_rate", N_("Consent rate"), "rate"),
    ("held", N_("Written hearings held"), "count"),
    ("decided_on_form", N_("Decided on the form"), "count"),
    ("physical_hearing", N_("Physical hearing"), "count"),
    ("granted_on_form", N_("Granted on the form"), "count"),
    ("intended_rejection", N_("Intended rejection"), "count"),
    ("final_outcomes", N_("Final outcomes recorded"), "count"),
    ("grant", N_("Granted"), "count"),
    ("unfounded", N_("Unfounded"), "count"),
    ("manifestly_unfounded", N_("Manifestly unfounded"), "count"),
    ("inadmissible", N_("Inadmissible"), "count"),
    ("grant_rate", N_("Grant rate"), "rate"),
    ("estimated_one_day", N_("Hearing estimated at one day"), "count"),
    ("estimated_two_days", N_("Hearing estimated at two days"), "count"),
    ("actual_recorded", N_("Hearing days recorded"), "count"),
    ("actual_one_day", N_("Hearing took one day"), "count"),
    ("actual_two_days_or_more", N_("Hearing took two days or more"), "count"),
    ("low_literacy", N_("Low-literacy mode (applicants)"), "count"),
    ("spoken_answers", N_("Spoken answers"), "count"),
    ("assisted_filling", N_("Assisted filling (applicants)"), "count"),
)
STEP_LABELS = {
    "reply": N_("Lawyer's reply (invitation to consent)"),
    "planning": N_("Planning (consent to a seat)"),
    "session": N_("Session (seat to form handed in)"),
    "translation": N_("Translation"),
    "corrections": N_("Lawyer's corrections"),
    "decision": N_("Decision (file ready to decision)"),
    "whole": N_("Whole procedure (invitation to decision)"),
}
FUNNEL_LABELS = {
    "selected": N_("Selected"),
    "invited": N_("Invited"),
    "consented": N_("Lawyer consented"),
    "held": N_("Written hearing held"),
    "translated": N_("Translated"),
    "ready": N_("Ready for decision"),
    "decided": N_("Decided"),
}
PARTY_LABELS = {
    "lawyers": N_("Lawyers"),
    "agencies": N_("Translation agencies"),
    "decision teams": N_("Decision teams"),
    "whole procedure": N_("Whole procedure (six-week target)"),
}
DECLINE_LABELS = {
    **{str(reason): label for reason, label in DECLINE_REASON_LABELS.items()},
    "not_recorded": N_("Declined, reason not recorded"),
    "expired": N_("No reply within the term"),
    "cancelled": N_("Invitation called off (the case left the written track)"),
    "withdrawn": N_("Consent withdrawn later"),
}


def period_of(start: date | None, end: date | None) -> Period:
    """The period asked for; by default the last 365 days up to today."""
    today = local_date(utcnow())
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise BadPeriod(
            in_english(N_("The period's last day comes before its first day.")), field="to"
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadPeriod(in_english(N_("Choose a period of at most ten years.")), field="from")
    return Period(start=start, end=end)


def report(db: Session, period: Period) -> Report:
    """Every figure of the reports for the period (the stock and the waits: now)."""
    now = utcnow()
    return Report(
        period=period,
        generated_at=now,
        nationalities=queries.by_nationality(db, period),
        funnel=queries.funnel(db, period),
        time=queries.time_report(db, period),
        where=queries.where_report(db, period, now),
        flow=queries.weekly_flow(db, period),
        stock=queries.stock(db),
    )


# --- in a language: labels, cells, pictures -------------------------------------------------


def nationality_label(code: str, language: str) -> str:
    if code == queries.TOTAL:
        return str(gettext_for(language)(N_("Total")))
    return country_in(code, language)


def cell(row: NationalityRow, field: str, kind: str) -> int | float | None:
    value: int | float | None = getattr(row, field)
    if value is None:
        return None
    return round(value * 100, 1) if kind == "rate" else value


def shown(value: object, language: str) -> str:
    """A figure as the page shows it: a decimal comma in Dutch, a dash for none."""
    if value is None:
        return NONE
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if language == "nl" else text
    return str(value)


@dataclass(frozen=True)
class Picture:
    """A chart with its text alternative and its table (header, rows)."""

    key: str
    title: str
    summary: str
    svg: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]


def pictures(found: Report, language: str) -> list[Picture]:
    _ = gettext_for(language)
    made = []

    def picture(
        key: str, title: str, summary: str, header: list[str], rows: list[list[Any]], **chart: Any
    ) -> None:
        labels = [str(r[0]) for r in rows]
        series = [(header[i], [float(r[i]) for r in rows]) for i in range(1, len(header))]
        svg = charts.bar_chart(f"chart-{key}", title, summary, labels, series, **chart)
        made.append(Picture(key, title, summary, svg, header, rows))

    funnel = [[_(FUNNEL_LABELS[name]), n] for name, n in found.funnel]
    first = found.funnel[0][1]
    last = found.funnel[-1][1]
    picture(
        "funnel",
        _("Funnel: of the cases selected in the period, how many reached each step"),
        _("%(selected)s cases selected, %(decided)s of them decided.")
        % {"selected": first, "decided": last},
        [_("Step"), _("Cases")],
        funnel,
        horizontal=True,
        axis_label=_("Cases"),
    )
    whole = found.time.steps[-1]
    picture(
        "throughput",
        _("Throughput time of the whole procedure, in days"),
        _("%(cases)s cases decided; median %(median)s days, %(share)s within six weeks.")
        % {
            "cases": whole.cases,
            "median": shown(whole.median_days, language),
            "share": _percent(whole.within_six_weeks, language),
        },
        [_("Days"), _("Cases")],
        [[band, n] for band, n in found.time.distribution],
        axis_label=_("Cases"),
    )
    picture(
        "flow",
        _("Weekly inflow (invited) and outflow (decided)"),
        _("%(inflow)s cases invited and %(outflow)s decided in %(weeks)s weeks.")
        % {
            "inflow": sum(f.inflow for f in found.flow),
            "outflow": sum(f.outflow for f in found.flow),
            "weeks": len(found.flow),
        },
        [_("Week"), _("Invited"), _("Decided")],
        [[f.week, f.inflow, f.outflow] for f in found.flow],
        axis_label=_("Cases"),
    )
    stock = [[_(STATE_LABELS[CaseState(state)]), n] for state, n in found.stock]
    picture(
        "stock",
        _("Open cases by stage now"),
        _("%(cases)s open cases in %(stages)s stages.")
        % {"cases": sum(n for _s, n in found.stock), "stages": len(found.stock)},
        [_("Stage"), _("Cases")],
        stock,
        horizontal=True,
        axis_label=_("Cases"),
    )
    return made


def _percent(share: float | None, language: str) -> str:
    return NONE if share is None else shown(round(share * 100, 1), language) + "%"


# --- files -----------------------------------------------------------------------------------


def nationality_sheet(found: Report, language: str) -> Sheet:
    _ = gettext_for(language)
    header = [_("Nationality"), *[_(label) for _f, label, _k in COLUMNS]]
    rows = [
        [nationality_label(r.nationality, language), *[cell(r, f, k) for f, _l, k in COLUMNS]]
        for r in found.nationalities
    ]
    return _("Per nationality"), header, rows


def sheets(found: Report, language: str) -> list[Sheet]:
    _ = gettext_for(language)
    steps = [
        [_(STEP_LABELS[s.step]), s.cases, s.median_days, s.p90_days, _share(s.within_six_weeks)]
        for s in found.time.steps
    ]
    held = [
        [_(STATE_LABELS[CaseState(h.state)]), h.cases, h.median_days, h.longest_days]
        for h in found.where.held
    ]
    overdue = [[_(PARTY_LABELS[o.party]), o.terms] for o in found.where.overdue]
    declines = [[_(DECLINE_LABELS[d.reason]), d.invitations] for d in found.where.declines]
    flow = [[f.week, f.inflow, f.outflow] for f in found.flow]
    return [
        nationality_sheet(found, language),
        (
            _("Throughput time"),
            [
                _("Step"),
                _("Cases"),
                _("Median days"),
                _("90th percentile days"),
                _("Within six weeks (%)"),
            ],
            steps,
        ),
        (
            _("Where cases wait"),
            [_("Stage"), _("Cases"), _("Median days"), _("Longest days")],
            held,
        ),
        (_("Overdue terms"), [_("Party"), _("Terms overdue")], overdue),
        (_("Not consented"), [_("Reason"), _("Invitations")], declines),
        (_("Weekly flow"), [_("Week"), _("Invited"), _("Decided")], flow),
    ]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def csv_export(found: Report, language: str) -> str:
    _name, header, rows = nationality_sheet(found, language)
    return csv_text(header, rows)


def xlsx_export(found: Report, language: str) -> bytes:
    return xlsx_bytes(sheets(found, language))


def file_name(found: Report, suffix: str) -> str:
    return f"rapportage-{found.period.start.isoformat()}-{found.period.end.isoformat()}.{suffix}"


def pdf_export(html: str) -> bytes:
    """The report page's print version as PDF (WeasyPrint, as the dossier; the charts are
    the same inline SVG)."""
    from weasyprint import HTML  # heavy import: only where a PDF is made

    pdf: bytes = HTML(string=html, base_url=str(PROJECT_ROOT / "templates")).write_pdf()
    return pdf
