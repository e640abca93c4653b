"""Each step's due date: computed in working days when the step starts, stored with the
policy version, never moved by a later policy; extended for one case with a reason."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from service.core.settings import get_settings
from service.invitations import service as invitations
from service.models import CaseEventRow, Invitation, Role
from service.models.terms import Term, TermStep
from service.terms import policy as term_policy
from service.terms import service as terms
from service.terms.policy import local_date
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in

# Thursday 6 April 2023, 10:00 in Amsterdam: Good Friday, Easter and King's Day ahead.
BEFORE_EASTER = datetime(2023, 4, 6, 8, 0, tzinfo=UTC)


def term_of(db, case, step: TermStep) -> Term:
    term = terms.open_term(db, case.id, step)
    assert term is not None, f"no running {step} term"
    return term


def test_invitation_starts_reply_and_target_terms_in_working_days(db, factory):
    case = factory.case_in(CaseState.SCREENED)
    planner = factory.person(Role.PLANNER).actor
    with time_machine.travel(BEFORE_EASTER, tick=False):
        invitation = invitations.invite(db, case, planner)
    reply = term_of(db, case, TermStep.INVITATION_REPLY)
    target = term_of(db, case, TermStep.TARGET)
    assert (reply.policy_version, reply.working_days) == ("ind-2021", 10)
    assert local_date(reply.due_at) == date(2023, 4, 24)  # not 16 April: 10 working days
    assert invitation.reply_due_at == case.reply_due_at == reply.due_at
    # 30 working days: Easter (3 days off), King's Day, Liberation Day is not a day off
    # in 2023; Ascension Day 18 May is.
    assert local_date(target.due_at) == case.target_date == date(2023, 5, 24)
    # The reminder comes two working days before the reply is due.
    assert reply.remind_at is not None
    assert local_date(reply.remind_at) == date(2023, 4, 20)
    assert target.remind_at is None


def test_a_later_policy_never_moves_a_running_term(db, factory, tmp_path, monkeypatch):
    case = factory.case_in(CaseState.SCREENED)
    planner = factory.person(Role.PLANNER).actor
    with time_machine.travel(BEFORE_EASTER, tick=False):
        invitations.invite(db, case, planner)
    due_before = term_of(db, case, TermStep.INVITATION_REPLY).due_at

    # A new policy version with other terms becomes the setting.
    original = (term_policy.POLICY_DIR / "ind-2021.yaml").read_text()
    (tmp_path / "ind-2021.yaml").write_text(original)
    (tmp_path / "longer-2024.yaml").write_text(
        original.replace("version: ind-2021", "version: longer-2024").replace(
            "invitation_reply: 10", "invitation_reply: 15"
        )
    )
    monkeypatch.setattr(term_policy, "POLICY_DIR", tmp_path)
    monkeypatch.setattr(get_settings(), "term_policy", "longer-2024")
    term_policy.load_policy.cache_clear()
    try:
        running = term_of(db, case, TermStep.INVITATION_REPLY)
        assert (running.due_at, running.policy_version) == (due_before, "ind-2021")
        # Only a step that starts now uses the new version.
        other = factory.case_in(CaseState.SCREENED)
        with time_machine.travel(BEFORE_EASTER, tick=False):
            invitations.invite(db, other, planner)
        new = term_of(db, other, TermStep.INVITATION_REPLY)
        assert (new.policy_version, new.working_days) == ("longer-2024", 15)
        assert local_date(new.due_at) == date(2023, 5, 2)
    finally:
        term_policy.load_policy.cache_clear()


def test_terms_end_with_their_step_and_the_decision_term_starts(db, factory):
    case = factory.case_in(CaseState.INVITED)
    factory.driver().drive(case, CaseState.CONSENTED)
    assert terms.open_term(db, case.id, TermStep.INVITATION_REPLY) is None
    assert terms.open_term(db, case.id, TermStep.TARGET) is not None
    factory.driver().drive(case, CaseState.IN_TRANSLATION)
    assert term_of(db, case, TermStep.TRANSLATION).working_days == 7
    factory.driver().drive(case, CaseState.WITH_LAWYER)
    assert terms.open_term(db, case.id, TermStep.TRANSLATION) is None
    assert case.corrections_due_at == term_of(db, case, TermStep.CORRECTIONS).due_at
    factory.driver().drive(case, CaseState.READY_FOR_DECISION)
    assert terms.open_term(db, case.id, TermStep.CORRECTIONS) is None
    assert term_of(db, case, TermStep.DECISION).working_days == 10
    factory.driver().drive(case, CaseState.DECIDED_ON_FORM)
    assert all(t.closed_at is not None for t in terms.terms_of(db, case.id))


def test_planner_extends_a_term_through_the_api(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.INVITED)
    invitation = db.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    due = local_date(invitation.reply_due_at)
    db.commit()
    body = {"step": "invitation_reply", "working_days": 5, "reason": "Lawyer ill, agreed."}
    out = ok(
        client.post(f"{API}/cases/{case.id}/terms/extensions", json=body, headers=planner.headers)
    )
    assert out["extended_days"] == 5
    assert out["due_on"] == term_policy.add_working_days(due, 5).isoformat()
    db.refresh(invitation)
    db.refresh(case)
    assert (
        local_date(invitation.reply_due_at)
        == local_date(case.reply_due_at)
        == date.fromisoformat(out["due_on"])
    )
    event = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id.desc())
    ).first()
    assert event is not None
    assert (event.event, event.from_state, event.to_state) == ("extend_term", "invited", "invited")
    assert "Lawyer ill, agreed." in event.reason
    assert str(planner.user.id) == str(event.actor_id)
    listed = ok(client.get(f"{API}/cases/{case.id}/terms", headers=planner.headers))
    assert {t["step"] for t in listed} == {"invitation_reply", "target"}


def test_extension_errors_are_clear_4xx(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCREENED)
    db.commit()
    url = f"{API}/cases/{case.id}/terms/extensions"
    body = {"step": "corrections", "working_days": 3, "reason": "Agreed with the lawyer."}
    assert_problem(client.post(url, json=body, headers=planner.headers), 409, "no_open_term")
    for bad in (
        {**body, "working_days": 0},
        {**body, "working_days": 21},
        {**body, "step": "x"},
        {**body, "reason": ""},
    ):
        assert client.post(url, json=bad, headers=planner.headers).status_code == 422
    lawyer = factory.person(Role.LAWYER)
    assert client.post(url, json=body, headers=lawyer.headers).status_code == 403


def test_planner_extends_a_term_on_the_page(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.WITH_LAWYER)
    due = local_date(case.corrections_due_at)
    db.commit()
    sign_in(client, planner.user.username)
    page = client.get(f"/planner/cases/{case.id}/terms")
    assert page.status_code == 200
    assert case.v_number in page.text
    url = f"/planner/cases/{case.id}/terms"
    refused = client.post(
        url,
        data={
            "csrf_token": csrf_of(page.text),
            "step": "corrections",
            "working_days": "lots",
            "reason": "",
        },
    )
    assert refused.status_code == 422
    # Pages speak Dutch by default.
    assert "Vul een heel aantal werkdagen in" in refused.text
    assert "Geef de reden" in refused.text
    done = client.post(
        url,
        data={
            "csrf_token": csrf_of(page.text),
            "step": "corrections",
            "working_days": "2",
            "reason": "Translation unclear.",
        },
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "De termijn is verlengd" in done.text
    db.refresh(case)
    assert local_date(case.corrections_due_at) == term_policy.add_working_days(due, 2)
    listing = client.get("/planner/terms")
    assert listing.status_code == 200
    assert case.v_number in listing.text


@pytest.mark.parametrize("role", [Role.LAWYER, Role.OFFICER])
def test_only_planners_see_the_terms_pages(client, db, factory, role):
    person = factory.person(role)
    db.commit()
    sign_in(client, person.user.username)
    assert client.get("/planner/terms").status_code == 403
