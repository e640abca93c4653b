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
