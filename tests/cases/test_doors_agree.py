"""The case actions through both doors: the same input stores the same, and is refused the
same way (the page keeping what was typed)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.auth import Role
from service.models.cases import Case, CaseEventRow, Signal
from service.workflow import CaseState
from tests.factories import Factory
from tests.pages.test_planner_cases import planner_browser, post

API = "/api/v1"


def _stored(db: Session, case: Case) -> tuple[str, list[tuple[str, str, str]]]:
    db.expire_all()
    events = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    return fresh.state, [(e.event, e.actor_role, e.reason) for e in events]


def test_withdrawing_stores_the_same_through_the_api_and_the_page(client, db, factory: Factory):
    by_api, by_page = factory.case_in(CaseState.CONSENTED), factory.case_in(CaseState.CONSENTED)
    planner = factory.person(Role.PLANNER)
    typed = "  The applicant told the planner by phone.  "
    answer = client.post(
        f"{API}/cases/{by_api.id}/withdraw", json={"reason": typed}, headers=planner.headers
    )
    assert answer.status_code == 200, answer.text
    page = f"/planner/cases/{by_page.id}"
    assert (
        post(planner_browser(factory), page, f"{page}/withdraw", {"reason": typed}).status_code
        == 303
    )
    assert _stored(db, by_api)[1:] == _stored(db, by_page)[1:]
    assert _stored(db, by_api)[0] == _stored(db, by_page)[0] == CaseState.WITHDRAWN


def test_a_withdrawal_is_refused_alike_and_the_page_keeps_the_text(client, db, factory: Factory):
    case = factory.case_in(CaseState.CONSENTED)
    planner = factory.person(Role.PLANNER)
    api = client.post(
        f"{API}/cases/{case.id}/withdraw", json={"reason": "no"}, headers=planner.headers
    )
    page = f"/planner/cases/{case.id}"
    shown = post(planner_browser(factory), page, f"{page}/withdraw", {"reason": "no"})
    assert api.status_code == shown.status_code == 422
    assert 'id="reason-error"' in shown.text
    assert ">no</textarea>" in shown.text
    assert _stored(db, case)[0] == CaseState.CONSENTED


def test_a_signal_is_stored_the_same_and_refused_alike(client, db, factory: Factory):
    by_api, by_page = factory.case_in(CaseState.SCREENED), factory.case_in(CaseState.SCREENED)
    planner = factory.person(Role.PLANNER)
    body = {"kind": "nv", "source": " aanmeldgehoor ", "reason": "Vingerafdruk-match."}
    answer = client.post(f"{API}/cases/{by_api.id}/signals", json=body, headers=planner.headers)
    assert answer.status_code == 201, answer.text
    page = f"/planner/cases/{by_page.id}"
    browser = planner_browser(factory)
    form = {"kind": "nv", "source": " aanmeldgehoor ", "signal_reason": body["reason"]}
    assert post(browser, page, f"{page}/signals", form).status_code == 303
    signals = [
        db.scalars(select(Signal).where(Signal.case_id == c.id)).one() for c in (by_api, by_page)
    ]
    # The page once dropped "what was noticed" (its field is named apart from the
    # withdrawal's reason on the same page): both doors keep it.
    expected = ("nv", "aanmeldgehoor", body["reason"])
    assert [(s.kind, s.source, s.reason) for s in signals] == [expected, expected]
    assert _stored(db, by_api)[0] == _stored(db, by_page)[0] == CaseState.EXCLUDED

    # The case has left the track: a second signal is refused the same way by both doors.
    again = client.post(
        f"{API}/cases/{by_api.id}/signals", json={**body, "kind": "x"}, headers=planner.headers
    )
    shown = post(browser, page, f"{page}/signals", {**form, "kind": "x"})
    assert again.status_code == shown.status_code == 422
    assert 'id="kind-error"' in shown.text
