"""Inviting a case and replying to an invitation: the planner's and lawyer's pages and
the API are two doors onto the same service functions, so the same input stores the same
and is refused with the same status (issue 15)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.core.clock import utcnow
from service.main import app
from service.models import Case, Invitation, Role
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, sign_in

HTML = {"accept": "text/html"}
NOTE = " Graag een tolk Sorani "


def browser_of(person) -> TestClient:
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, person.user.username).status_code == 303
    return browser


def post(browser, page_path: str, action: str, data: dict):
    page = browser.get(page_path, headers=HTML)
    form = {"csrf_token": csrf_of(page.text), **data}
    return browser.post(action, data=form, headers=HTML, follow_redirects=False)


def invitation_of(db, case: Case) -> Invitation | None:
    db.expire_all()
    return db.scalar(select(Invitation).where(Invitation.case_id == case.id))


@pytest.fixture
def lawyer(factory):
    return factory.person(Role.LAWYER)


def reply_by_page(browser, invitation: Invitation, data: dict):
    path = f"/lawyer/invitations/{invitation.id}"
    return post(browser, path, path, data)


def reply_by_api(client, lawyer, invitation: Invitation, body: dict):
    return client.post(
        f"{API}/invitations/{invitation.id}/reply", headers=lawyer.headers, json=body
    )


@pytest.mark.parametrize(
    ("answer", "body", "expected"),
    [
        ("consent", {"consent": True}, ("consented", None, CaseState.CONSENTED)),
        (
            "decline",
            {"consent": False, "decline_reason": "health"},
            ("declined", "health", CaseState.DECLINED),
        ),
    ],
)
def test_a_reply_is_stored_the_same_through_both_doors(
    client, db, factory, lawyer, answer, body, expected
):
    by_page, by_api = factory.case_in(CaseState.INVITED), factory.case_in(CaseState.INVITED)
    needs = {"note": NOTE, "language_needs": "Sorani"}
    typed = {"answer": answer, "decline_reason": body.get("decline_reason", ""), **needs}

    page = reply_by_page(browser_of(lawyer), invitation_of(db, by_page), typed)
    api = reply_by_api(client, lawyer, invitation_of(db, by_api), {**body, **needs})

    assert page.status_code == 303
    assert api.status_code == 200, api.text
    assert api.json()["decline_reason"] == expected[1]

    def stored(case: Case) -> tuple:
        invitation = invitation_of(db, case)
        return (
            invitation.status,
            invitation.decline_reason,
            invitation.note,
            invitation.language_needs,
            case.state,
        )

    status, reason, state = expected
    assert stored(by_page) == stored(by_api) == (status, reason, NOTE.strip(), "Sorani", state)


@pytest.mark.parametrize(
    ("answer", "reason", "body", "dutch"),
    [
        # A decline says why, from the fixed list.
        ("decline", "", {"consent": False}, "Kies waarom uw cliënt weigert."),
        # A consent has no reason to give.
        (
            "consent",
            "other",
            {"consent": True, "decline_reason": "other"},
            "Een reden geeft u alleen op als uw cliënt weigert.",
        ),
    ],
)
def test_a_decline_needs_a_reason_and_a_consent_has_none_through_both_doors(
    client, db, factory, lawyer, answer, reason, body, dutch
):
    by_page, by_api = factory.case_in(CaseState.INVITED), factory.case_in(CaseState.INVITED)
    typed = {"answer": answer, "decline_reason": reason, "note": "Mijn cliënt twijfelt"}

    page = reply_by_page(browser_of(lawyer), invitation_of(db, by_page), typed)
    api = reply_by_api(client, lawyer, invitation_of(db, by_api), body)

    assert_problem(api, 422, "decline_reason")
    assert page.status_code == 422
    assert 'href="#decline_reason"' in page.text  # the summary links to the reasons
    assert f'id="decline_reason-error">{dutch}<' in page.text  # beside the field
    assert "Mijn cliënt twijfelt" in page.text  # nothing typed is lost
    assert f'value="{answer}" checked' in page.text
    if reason:
        assert f'value="{reason}" checked' in page.text
    for case in (by_page, by_api):
        assert (invitation_of(db, case).status, case.state) == ("open", CaseState.INVITED)


def test_a_reply_after_the_term_is_refused_the_same_and_the_page_keeps_the_text(
    client, db, factory, lawyer
):
    by_page, by_api = factory.case_in(CaseState.INVITED), factory.case_in(CaseState.INVITED)
    for case in (by_page, by_api):
        invitation_of(db, case).reply_due_at = utcnow() - timedelta(minutes=1)
        db.flush()

    typed = {"answer": "decline", "decline_reason": "other", "note": "Mijn cliënt wil een gehoor"}
    page = reply_by_page(browser_of(lawyer), invitation_of(db, by_page), typed)
    body = {"consent": False, "decline_reason": "other"}
    api = reply_by_api(client, lawyer, invitation_of(db, by_api), body)

    assert_problem(api, 409, "invitation_closed")
    assert page.status_code == 409
    assert "Mijn cliënt wil een gehoor" in page.text  # nothing typed is lost
    assert "De antwoordtermijn is verstreken" in page.text  # why, in Dutch
    for case in (by_page, by_api):
        assert invitation_of(db, case).status == "open"
        assert case.state is CaseState.INVITED


def test_a_reply_without_an_answer_is_refused_by_both_doors(client, db, factory, lawyer):
    case = factory.case_in(CaseState.INVITED)
    invitation = invitation_of(db, case)
    page = reply_by_page(browser_of(lawyer), invitation, {"note": NOTE})
    api = reply_by_api(client, lawyer, invitation, {"note": NOTE})
    assert page.status_code == api.status_code == 422
    assert 'href="#answer"' in page.text
    assert NOTE.strip() in page.text
    assert invitation_of(db, case).status == "open"


def invite_by_page(factory, case: Case, reply_days: str):
    page = f"/planner/cases/{case.id}"
    data = {"reply_days": reply_days}
    return post(browser_of(factory.person(Role.PLANNER)), page, f"{page}/invitation", data)


def invite_by_api(client, factory, case: Case, body: dict):
    planner = factory.person(Role.PLANNER)
    return client.post(f"{API}/cases/{case.id}/invitation", headers=planner.headers, json=body)


def test_an_invitation_is_stored_the_same_through_both_doors(client, db, factory):
    by_page, by_api = factory.case_in(CaseState.SCREENED), factory.case_in(CaseState.SCREENED)

    page = invite_by_page(factory, by_page, "5")
    api = invite_by_api(client, factory, by_api, {"reply_days": 5})

    assert page.status_code == 303
    assert api.status_code == 201, api.text
    sent = [invitation_of(db, case) for case in (by_page, by_api)]
    assert [(i.status, i.reply_due_at, i.lawyer_id) for i in sent] == [
        ("open", sent[1].reply_due_at, by_page.lawyer_id),
        ("open", sent[1].reply_due_at, by_api.lawyer_id),
    ]
    assert by_page.state is by_api.state is CaseState.INVITED


@pytest.mark.parametrize(
    ("state", "typed", "status", "shown"),
    [
        # Outside 1..60: the input model refuses it; the page keeps what was typed.
        (CaseState.SCREENED, "999", 422, 'value="999"'),
        # Already invited: the workflow refuses it; the page says why, in Dutch.
        (CaseState.INVITED, "5", 409, "Niet in de fase om uit te nodigen"),
    ],
)
def test_a_refused_invitation_is_refused_with_the_same_status(
    client, db, factory, state, typed, status, shown
):
    by_page, by_api = factory.case_in(state), factory.case_in(state)
    before = [invitation_of(db, case) for case in (by_page, by_api)]

    page = invite_by_page(factory, by_page, typed)
    api = invite_by_api(client, factory, by_api, {"reply_days": int(typed)})

    assert page.status_code == api.status_code == status
    assert shown in page.text
    assert [invitation_of(db, case) for case in (by_page, by_api)] == before
