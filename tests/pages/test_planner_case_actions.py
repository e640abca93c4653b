"""The case page's remaining actions: an NV/1F signal reported to the planner, and the
days a physical hearing took, through the API's own services."""

from sqlalchemy import select

from service.models.cases import Signal
from service.models.decisions import HearingHandoff
from service.workflow import CaseState
from tests.pages.test_planner_cases import HTML, planner_browser, post


def test_a_signal_is_recorded_on_the_case_page_and_the_case_leaves_the_track(factory, db):
    case = factory.case_in(CaseState.SCREENED)
    browser = planner_browser(factory)
    page = f"/planner/cases/{case.id}"
    refused = post(browser, page, f"{page}/signals", {"kind": "", "source": "x"})
    assert refused.status_code == 422
    assert 'href="#kind"' in refused.text
    assert 'id="source-error"' in refused.text
    assert 'value="x"' in refused.text
    recorded = post(
        browser,
        page,
        f"{page}/signals",
        {"kind": "1f", "source": "aanmeldgehoor", "signal_reason": "Verklaring 4."},
    )
    assert recorded.status_code == 303
    db.refresh(case)
    assert case.state is CaseState.EXCLUDED
    signals = db.scalars(select(Signal).where(Signal.case_id == case.id)).all()
    assert [s.kind for s in signals] == ["1f"]


def test_the_days_of_the_physical_hearing_are_saved_on_the_case_page(factory, db):
    case = factory.case_in(CaseState.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
    handoff = db.scalar(select(HearingHandoff).where(HearingHandoff.case_id == case.id))
    assert handoff is not None, "a kansarm case is handed off to the physical hearing"
    browser = planner_browser(factory)
    page = f"/planner/cases/{case.id}"
    assert f'action="{page}/handoff/actual-days"' in browser.get(page, headers=HTML).text
    bad = post(browser, page, f"{page}/handoff/actual-days", {"days": "40"})
    assert bad.status_code == 422
    assert 'id="days-error"' in bad.text
    saved = post(browser, page, f"{page}/handoff/actual-days", {"days": "2"})
    assert saved.status_code == 303
    db.refresh(handoff)
    assert handoff.actual_days == 2
