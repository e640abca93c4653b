"""The final outcome of a written hearing: recorded once, only for a decided case, and a
grant on the form stays a grant."""

import pytest
from sqlalchemy import select

from service.decisions import service
from service.decisions.exceptions import FinalDecisionRecorded, GrantOnTheForm, NotDecidedYet
from service.decisions.schemas import FinalDecisionIn
from service.models import FinalDecision, FinalOutcome
from service.models.auth import Role
from service.workflow import CaseState


def test_a_final_outcome_is_recorded_once_for_a_decided_case(db, factory):
    officer = factory.person(Role.OFFICER).actor
    waiting = factory.case_in(CaseState.READY_FOR_DECISION)
    with pytest.raises(NotDecidedYet):
        service.record_final_decision(db, waiting, officer, FinalDecisionIn(outcome="grant"))

    heard = factory.case_in(CaseState.PHYSICAL_HEARING_REQUIRED)
    unfounded = FinalDecisionIn(outcome=FinalOutcome.UNFOUNDED)
    final = service.record_final_decision(db, heard, officer, unfounded)
    assert db.scalar(select(FinalDecision.outcome).where(FinalDecision.case_id == heard.id)) == (
        "unfounded"
    )
    assert final.recorded_by_id == officer.user_id
    with pytest.raises(FinalDecisionRecorded):
        service.record_final_decision(db, heard, officer, FinalDecisionIn(outcome="grant"))


def test_a_grant_on_the_form_cannot_end_as_a_rejection(db, factory):
    officer = factory.person(Role.OFFICER).actor
    granted = factory.case_in(CaseState.DECIDED_ON_FORM)  # the driver grants on the form
    with pytest.raises(GrantOnTheForm):
        service.record_final_decision(
            db, granted, officer, FinalDecisionIn(outcome=FinalOutcome.INADMISSIBLE)
        )
    service.record_final_decision(db, granted, officer, FinalDecisionIn(outcome="grant"))


def test_both_doors_record_it_the_page_shows_it(client, factory):
    from tests.helpers import API, csrf_of, sign_in

    planner = factory.person(Role.PLANNER)
    by_api = factory.case_in(CaseState.PHYSICAL_HEARING_REQUIRED)
    url = f"{API}/cases/{by_api.id}/final-decision"
    answer = client.put(url, json={"outcome": "manifestly_unfounded"}, headers=planner.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "manifestly_unfounded"
    again = client.put(url, json={"outcome": "grant"}, headers=planner.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "final_decision_recorded"

    by_page = factory.case_in(CaseState.PHYSICAL_HEARING_REQUIRED)
    sign_in(client, planner.user.username)
    page = client.get(f"/planner/cases/{by_page.id}", headers={"accept": "text/html"})
    assert 'action="/planner/cases/' in page.text
    assert "final-decision" in page.text
    sent = client.post(
        f"/planner/cases/{by_page.id}/final-decision",
        data={"csrf_token": csrf_of(page.text), "outcome": "inadmissible"},
        headers={"accept": "text/html"},
    )
    assert sent.status_code == 200, sent.text  # followed to the case page
    assert "final-decision" not in sent.text  # recorded: the form gives way to the fact
    refused = client.post(
        f"/planner/cases/{by_api.id}/final-decision",
        data={"csrf_token": csrf_of(page.text), "outcome": "grant"},
        headers={"accept": "text/html"},
    )
    assert refused.status_code == 422  # the case page again, the refusal beside the field
