"""The reports as files: CSV and XLSX with the page's figures and nothing a spreadsheet
would evaluate, and the PDF with the same tables and charts (their text kept as text)."""

import csv
import io
import re
import zipfile
from datetime import date

from service.core.clock import utcnow
from service.core.spreadsheet import xlsx_bytes
from service.models import Role
from service.reports import queries, service
from service.reports.schemas import Comparison, Period, Report, TimeReport, WhereReport
from tests.dossier.test_dossier import pdf_text
from tests.helpers import API, ok, sign_in
from tests.reports.dataset import build, period_query

ATTACKS = ('=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "SY;=1")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_xml(workbook: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as z:
        return {name: z.read(name).decode() for name in z.namelist() if name.endswith(".xml")}


def test_no_cell_of_an_xlsx_is_a_formula_and_numbers_stay_numbers():
    workbook = xlsx_bytes([("Blad", ["Kop", "Getal"], [[a, 12345.5] for a in ATTACKS])])
    parts = sheet_xml(workbook)
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert sheet.count("<v>12345.5</v>") == len(ATTACKS)  # numbers as numbers
    strings = parts["xl/sharedStrings.xml"]
    for attack in ("'=HYPERLINK", "'+1+1", "'-2+3", "'@SUM(A1)", "SY;'=1"):
        assert attack.replace('"', "&quot;") in strings or attack in strings, strings


def report_with_nationality(code: str) -> Report:
    others: list[list[tuple[str, int]]] = [[] for _ in queries.NATIONALITY_STATEMENTS[1:]]
    row = queries.nationality_rows([[(code, 1, 1, 1)], *others])
    return Report(
        period=Period(start=date(2026, 1, 1), end=date(2026, 1, 31)),
        generated_at=utcnow(),
        nationalities=row,
        funnel=[],
        time=TimeReport(
            steps=[],
            handling_cases=0,
            handling_median_hours=None,
            handling_p90_hours=None,
            handling_mean_hours=None,
            comparison=_comparison(),
            distribution=[],
        ),
        where=WhereReport(held=[], overdue=[], declines=[]),
        flow=[],
        stock=[],
    )


def _comparison() -> Comparison:
    return Comparison(
        regular_source="configured baseline",
        regular_cases=0,
        regular_throughput_days=1,
        regular_handling_hours=1,
        written_throughput_days=None,
        written_handling_hours=None,
        decided_on_form=0,
        throughput_days_saved_per_case=None,
        handling_hours_saved_per_case=None,
        handling_hours_saved_total=None,
    )


def test_a_value_that_looks_like_a_formula_is_neutralised_in_both_files():
    found = report_with_nationality("=cmd|' /C calc'!A0")
    rows = list(csv.reader(io.StringIO(service.csv_export(found, "nl"))))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    strings = sheet_xml(service.xlsx_export(found, "nl"))["xl/sharedStrings.xml"]
    assert "&apos;=cmd" in strings or "'=cmd" in strings
    assert all("<f>" not in xml for xml in sheet_xml(service.xlsx_export(found, "nl")).values())


def test_the_downloads_hold_the_apis_figures_in_dutch(client, db, factory):
    data = build(db, factory)
    planner = factory.person(Role.PLANNER)
    db.commit()
    query = period_query(data.period)
    rows = ok(client.get(f"{API}/reports/nationalities?{query}", headers=planner.headers))
    sign_in(client, planner.user.username)

    got = client.get(f"/reports/nationalities.csv?{query}")
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Nationaliteit", "Geselecteerd", "Uitgenodigd"]
    assert [r[0] for r in table[1:]] == ["Syrië", "Iran", "Turkije", "Jemen", "Totaal"]
    assert [int(r[1]) for r in table[1:]] == [r["selected"] for r in rows]
    assert table[-1][4] == str(round(rows[-1]["consent_rate"] * 100, 1))

    got = client.get(f"/reports/report.xlsx?{query}")
    assert got.headers["content-type"] == XLSX
    parts = sheet_xml(got.content)
    assert "Per nationaliteit" in parts["xl/workbook.xml"]
    assert "Doorlooptijd" in parts["xl/workbook.xml"]
    first = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in first
    assert f"<v>{rows[-1]['selected']}</v>" in first


def test_the_pdf_has_the_tables_and_the_charts_text(client, db, factory):
    data = build(db, factory)
    planner = factory.person(Role.PLANNER)
    db.commit()
    sign_in(client, planner.user.username)
    got = client.get(f"/reports/report.pdf?{period_query(data.period)}")
    assert got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content)
    for heading in ("Per nationaliteit", "Tijd", "Waar de tijd blijft", "Grafieken"):
        assert heading in text
    # The charts' words are text in the PDF, not pictures of text.
    assert "Trechter" in text
    assert re.search(r"Schriftelijk gehoor\s+gehouden", text)
    assert "Syrië" in text


def test_the_page_is_dutch_and_its_charts_have_text_alternatives(client, db, factory):
    data = build(db, factory)
    planner = factory.person(Role.PLANNER)
    db.commit()
    sign_in(client, planner.user.username)
    html = client.get(f"/reports?{period_query(data.period)}").text
    for dutch in ("Rapportages", "Per nationaliteit", "Waar de tijd blijft", "Zo is dit berekend."):
        assert dutch in html
    charts = re.findall(r"<svg class=\"report-chart\"[^>]*>", html)
    assert len(charts) == 4
    for chart in charts:
        assert 'role="img"' in chart
        (labels,) = re.findall(r'aria-labelledby="([^"]+)"', chart)
        for label in labels.split():
            assert re.search(rf'<(title|desc) id="{label}">[^<]+</', html), label
    # No inline style: the pages' Content-Security-Policy would drop it.
    svg = html[html.index('<svg class="report-chart"') :]
    assert " style=" not in svg
    assert "<style" not in svg
    assert "<text" in svg  # labels are text
    # Each chart has its table.
    assert html.count('<figure class="report-figure"') == 4
    assert "<caption" in html
