"""The planner opens the reports, filters a period, downloads the XLSX; the page passes
axe and every chart has a text alternative (its title and description) and a table."""

import io
import zipfile
from datetime import timedelta

from playwright.sync_api import Page, expect

from service.core.clock import utcnow
from service.terms.policy import local_date
from service.workflow import CaseState
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, snap
from tests.browser.test_sessions import seeded


def test_the_planner_reads_the_reports_for_a_period_and_downloads_them(
    page: Page, live_server: LiveServer
) -> None:
    with seeded(live_server) as factory:
        # (A decision queues the dossier's job, which this process cannot run for the app.)
        factory.case_in(CaseState.READY_FOR_DECISION, nationality="SY")
        factory.case_in(CaseState.CONSENTED, nationality="IR", languages=["fa"])
        factory.case_in(CaseState.DECLINED, nationality="TR", languages=["tr"])

    sign_in(page, live_server.accounts["planner"])
    page.get_by_role("link", name="Rapportages: per nationaliteit, tijd, tijdwinst").click()
    expect(page.locator("h1")).to_have_text("Rapportages")
    assert_accessible(page)

    today = local_date(utcnow())
    start = today - timedelta(days=30)
    page.get_by_label("Van", exact=True).fill(start.isoformat())
    page.get_by_label("Tot en met", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Periode tonen").click()
    expect(page).to_have_url(f"{live_server.url}/reports?from={start}&to={today}")
    table = page.locator("table[aria-labelledby=nationalities]")
    expect(table.get_by_role("rowheader", name="Syrië")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Totaal")).to_be_visible()
    assert_accessible(page)
    snap(page, "reports")

    charts = page.locator("svg.report-chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        chart = charts.nth(index)
        assert chart.get_attribute("role") == "img"
        title, description = (chart.get_attribute("aria-labelledby") or "").split()
        assert page.locator(f"[id='{title}']").text_content()
        assert page.locator(f"[id='{description}']").text_content()
        # The words in the chart are text a screen reader or a search can find.
        assert chart.locator("text").count() > 2
    expect(page.get_by_role("table", name="Trechter", exact=False)).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als Excel (XLSX)").click()
    saved = download.value
    assert saved.suggested_filename == f"rapportage-{start}-{today}.xlsx"
    with zipfile.ZipFile(io.BytesIO(open(saved.path(), "rb").read())) as workbook:
        assert "Per nationaliteit" in workbook.read("xl/workbook.xml").decode()
