"""Screening a case: the planner's page and the API are two doors onto
``eligibility.service.screen_case``, so the same case is screened the same and a refused
screening is refused with the same status (issue 15)."""

from fastapi.testclient import TestClient

from service.eligibility.service import screenings_of
from service.main import app
from service.models import Case, Role
from service.workflow import CaseState
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}


def screen_by_page(factory, case: Case):
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, factory.person(Role.PLANNER).user.username).status_code == 303
    page = browser.get(f"/planner/cases/{case.id}", headers=HTML)
    return browser.post(
        f"/planner/cases/{case.id}/screening",
        data={"csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )


def screen_by_api(client, factory, case: Case):
    planner = factory.person(Role.PLANNER)
    return client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers)


def outcome(db, case: Case) -> tuple:
    db.expire_all()
    last = screenings_of(db, case.id)[-1]
    return last.outcome, last.policy_version, case.state, case.track


def test_a_case_is_screened_the_same_through_both_doors(client, db, factory):
    by_page, by_api = factory.case(), factory.case()

    page = screen_by_page(factory, by_page)
    api = screen_by_api(client, factory, by_api)

    assert page.status_code == 303
    assert api.status_code == 200, api.text
    assert outcome(db, by_page) == outcome(db, by_api)
    assert by_page.state is not CaseState.IMPORTED


def test_a_refused_screening_is_refused_the_same_and_said_in_dutch(client, db, factory):
    by_page = factory.case_in(CaseState.SUBMITTED)
    by_api = factory.case_in(CaseState.SUBMITTED)
    before = outcome(db, by_page), outcome(db, by_api)

    page = screen_by_page(factory, by_page)
    api = screen_by_api(client, factory, by_api)

    assert page.status_code == api.status_code == 409
    assert "Niet getoetst" in page.text  # the reason, in the page's language
    assert (outcome(db, by_page), outcome(db, by_api)) == before
