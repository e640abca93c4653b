"""The planner's watch on decisions (the ready queue per team, who holds which file since
when, files past their six-week target) and the team lead's reassignment on the team
page, with a refusal beside the choice."""

from datetime import date, timedelta

from fastapi.testclient import TestClient

from service.main import app
from service.models import Role
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in
from tests.pages.test_planner_cases import HTML, planner_browser


def test_the_planner_sees_the_queue_per_team_who_holds_what_and_what_is_late(factory, db):
    factory.officer("lead", team="Team Zevenaar", team_lead=True, languages=["ar"])
    factory.officer("farsi", team="Team Den Bosch", languages=["fa"])
    ready = factory.case_in(CaseState.READY_FOR_DECISION)  # Arabic
    held = factory.case_in(CaseState.CLAIMED)
    late = factory.case_in(CaseState.READY_FOR_DECISION)
    late.target_date = date.today() - timedelta(days=3)
    db.flush()
    browser = planner_browser(factory)

    shown = browser.get("/planner/decisions", headers=HTML)
    assert shown.status_code == 200
    text = shown.text
    zevenaar = text.index("Team Zevenaar")
    den_bosch = text.index("Team Den Bosch")
    assert den_bosch < zevenaar  # sorted by name
    assert held.v_number in text  # who holds what
    overdue = text[text.index('id="overdue"') :]
    assert late.v_number in overdue
    assert ready.v_number not in overdue


def test_a_team_lead_reassigns_on_the_page_and_a_refusal_is_beside_the_choice(factory, db):
    lead = factory.officer("lead", team="Team Zevenaar", team_lead=True)
    novice = factory.officer("novice", team="Team Zevenaar", lgbti_experience=False)
    skilled = factory.officer("skilled", team="Team Zevenaar", lgbti_experience=True)
    case = factory.case_in(CaseState.READY_FOR_DECISION, coordinator_motives=["lgbti"])
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, lead.user.username).status_code == 303

    team = browser.get("/officer/team", headers=HTML)
    assert f'action="/officer/cases/{case.id}/reassign"' in team.text
    data = {"csrf_token": csrf_of(team.text), "officer_id": str(novice.user.id)}
    refused = browser.post(f"/officer/cases/{case.id}/reassign", data=data, headers=HTML)
    assert refused.status_code == 409
    assert f'id="officer-{case.id}-error"' in refused.text
    assert f'href="#officer-{case.id}"' in refused.text
    db.refresh(case)
    assert case.state is CaseState.READY_FOR_DECISION

    data["officer_id"] = str(skilled.user.id)
    moved = browser.post(
        f"/officer/cases/{case.id}/reassign", data=data, headers=HTML, follow_redirects=False
    )
    assert moved.status_code == 303
    db.refresh(case)
    assert case.state is CaseState.CLAIMED
    assert case.claimed_by_id == skilled.user.id
    assert factory.person(Role.PLANNER)  # the planner page is for planners, not officers
    assert browser.get("/planner/decisions", headers=HTML).status_code == 403
