"""The API and the page show the same figures: the nationality table, the time per step
and where the time goes, read from the JSON and from the page's tables (in Dutch)."""

import re

from service.models import Role
from tests.helpers import API, ok, sign_in
from tests.reports.dataset import build, period_query

CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
ROW = re.compile(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", re.S)


def page_table(html: str, labelled_by: str) -> list[list[str]]:
    """The body rows of the table labelled by the heading ``labelled_by``, cell texts."""
    start = html.index(f'aria-labelledby="{labelled_by}"')
    body = html[html.index("<tbody", start) : html.index("</table>", start)]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in CELL.findall(row)] for row in ROW.findall(body)
    ]


def number(text: str) -> float | None:
    """A figure as the Dutch page shows it ("75,0%", "1,5", an en dash for none)."""
    text = text.removesuffix("%").replace(",", ".")
    return None if text == "\N{EN DASH}" else float(text)


NATIONALITY_FIELDS = (
    "selected",
    "invited",
    "consented",
    "consent_rate",
    "held",
    "decided_on_form",
    "physical_hearing",
    "granted_on_form",
    "intended_rejection",
    "final_outcomes",
    "grant",
    "unfounded",
    "manifestly_unfounded",
    "inadmissible",
    "grant_rate",
    "estimated_one_day",
    "estimated_two_days",
    "actual_recorded",
    "actual_one_day",
    "actual_two_days_or_more",
    "low_literacy",
    "spoken_answers",
    "assisted_filling",
)
NAMES = {"SY": "Syrië", "IR": "Iran", "TR": "Turkije", "YE": "Jemen", "total": "Totaal"}


def test_the_api_and_the_page_show_the_same_figures(client, db, factory):
    data = build(db, factory)
    planner = factory.person(Role.PLANNER)
    db.commit()
    query = period_query(data.period)
    rows = ok(client.get(f"{API}/reports/nationalities?{query}", headers=planner.headers))
    time = ok(client.get(f"{API}/reports/time?{query}", headers=planner.headers))
    where = ok(client.get(f"{API}/reports/where?{query}", headers=planner.headers))
    everything = ok(client.get(f"{API}/reports?{query}", headers=planner.headers))
    assert everything["nationalities"] == rows
    assert everything["time"] == time

    sign_in(client, planner.user.username)
    html = client.get(f"/reports?{query}").text

    from_api = []
    for row in rows:
        values = [row[f] for f in NATIONALITY_FIELDS]
        rates = {NATIONALITY_FIELDS.index("consent_rate"), NATIONALITY_FIELDS.index("grant_rate")}
        values = [
            round(v * 100, 1) if i in rates and v is not None else v for i, v in enumerate(values)
        ]
        from_api.append([NAMES[row["nationality"]], *values])
    on_page = [
        [cells[0], *[number(c) for c in cells[1:]]] for cells in page_table(html, "nationalities")
    ]
    assert on_page == from_api

    steps_on_page = [[number(c) for c in cells[1:4]] for cells in page_table(html, "time")]
    assert steps_on_page == [[s["cases"], s["median_days"], s["p90_days"]] for s in time["steps"]]
    whole = page_table(html, "time")[-1]
    assert number(whole[4]) == round(time["steps"][-1]["within_six_weeks"] * 100, 1)

    saved = page_table(html, "saved")
    c = time["comparison"]
    assert [number(x) for x in saved[0][1:]] == [
        c["regular_throughput_days"],
        c["written_throughput_days"],
        c["throughput_days_saved_per_case"],
    ]
    assert [number(x) for x in saved[1][1:]] == [
        c["regular_handling_hours"],
        c["written_handling_hours"],
        c["handling_hours_saved_per_case"],
    ]
    assert [int(cells[1]) for cells in page_table(html, "declines")] == [
        d["invitations"] for d in where["declines"]
    ]
    assert [int(cells[1]) for cells in page_table(html, "overdue")] == [
        o["terms"] for o in where["overdue"]
    ]
