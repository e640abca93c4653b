"""Chain partners propose, the form owner accepts into a draft version or rejects with a
reason, every step an event the proposer reads; a draft publishes only complete, and a
published version never changes."""

import pytest
from sqlalchemy import select

from service.core.errors import Conflict
from service.models import Role
from service.models.proposals import FormDraft, Proposal, ProposalEvent
from service.proposals import service
from service.proposals.exceptions import DraftIncomplete, ProposalDecided, QuestionExists
from service.proposals.schemas import DecisionIn, ProposalIn
from service.questionnaires.forms import FormDefinition, load_form
from tests.helpers import API, assert_problem, ok

ADD = {
    "kind": "add",
    "section_id": "journey",
    "question_id": "border_crossing",
    "label": "Hoe bent u de grens overgestoken?",
    "reason": "Helps the officer place the journey.",
}


def test_partner_proposes_and_owner_accepts_into_a_draft(client, factory):
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    made = ok(client.post(f"{API}/proposals", json=ADD, headers=partner.headers), 201)
    assert (made["organisation"], made["status"]) == ("coa", "proposed")
    accepted = ok(client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers))
    assert (accepted["status"], accepted["draft_version"]) == ("accepted", 4)
    # The proposer sees both steps, with who took them and when.
    seen = ok(client.get(f"{API}/proposals/{made['id']}", headers=partner.headers))
    steps = [(e["action"], e["role"]) for e in seen["events"]]
    assert steps == [("proposed", "partner"), ("accepted", "form_owner")]
    assert seen["events"][1]["actor_id"] == str(owner.user.id)
    versions = ok(client.get(f"{API}/form-versions", headers=owner.headers))
    assert [(v["version"], v["status"]) for v in versions] == [(4, "draft")]
    # The new question is in Dutch only: every other language is missing.
    assert any("border_crossing" in m for m in versions[0]["missing_texts"])


def test_reject_needs_a_reason_the_proposer_reads(client, factory):
    partner, owner = factory.person(Role.PARTNER, "unit1f"), factory.person(Role.FORM_OWNER)
    body = {**ADD, "kind": "remove", "question_id": "left_country_on", "label": None}
    made = ok(client.post(f"{API}/proposals", json=body, headers=partner.headers), 201)
    url = f"{API}/proposals/{made['id']}/reject"
    assert_problem(client.post(url, json={}, headers=owner.headers), 422, "validation_error")
    rejected = ok(client.post(url, json={"reason": "Needed for the term."}, headers=owner.headers))
    assert rejected["decision_reason"] == "Needed for the term."
    seen = ok(client.get(f"{API}/proposals/{made['id']}", headers=partner.headers))
    assert seen["events"][-1]["note"] == "Needed for the term."
    again = client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers)
    assert_problem(again, 409, "proposal_decided")


def test_partners_see_only_their_own_organisations_proposals(client, factory):
    coa, unit = factory.person(Role.PARTNER, "coa"), factory.person(Role.PARTNER, "unit1f")
    made = ok(client.post(f"{API}/proposals", json=ADD, headers=coa.headers), 201)
    assert ok(client.get(f"{API}/proposals", headers=unit.headers)) == []
    assert_problem(
        client.get(f"{API}/proposals/{made['id']}", headers=unit.headers), 404, "not_found"
    )
    assert [p["id"] for p in ok(client.get(f"{API}/proposals", headers=coa.headers))] == [
        made["id"]
    ]


def test_a_proposal_must_fit_the_form(db, factory):
    partner = factory.person(Role.PARTNER).actor
    with pytest.raises(QuestionExists):
        service.propose(db, partner, ProposalIn(**{**ADD, "question_id": "full_name"}))
    change = {**ADD, "kind": "change", "question_id": "no_such_question"}
    with pytest.raises(Exception, match="no question"):
        service.propose(db, partner, ProposalIn(**change))


def _complete_draft(db, factory) -> FormDraft:
    """A draft with one reworded question, every language filled in (as a translation
    would), ready to publish."""
    partner, owner = factory.person(Role.PARTNER).actor, factory.person(Role.FORM_OWNER).actor
    change = {**ADD, "kind": "change", "question_id": "full_name", "label": "Uw volledige naam"}
    proposal = service.propose(db, partner, ProposalIn(**change))
    draft = service.accept(db, owner, proposal)
    content = FormDefinition.model_validate(load_form().model_dump()).model_dump(mode="json")
    content.pop("review")
    content["version"] = draft.version
    question = content["sections"][0]["questions"][0]
    question["label"] = {lang: f"Full name ({lang})" for lang in content["languages"]}
    question["label"]["nl"] = "Uw volledige naam"
    draft.content = content
    db.flush()
    return draft


def test_a_draft_with_missing_texts_cannot_be_published(db, factory):
    partner, owner = factory.person(Role.PARTNER).actor, factory.person(Role.FORM_OWNER).actor
    draft = service.accept(db, owner, service.propose(db, partner, ProposalIn(**ADD)))
    with pytest.raises(DraftIncomplete) as refused:
        service.publish(db, owner, draft)
    assert any("border_crossing" in p for p in refused.value.problems)
    assert draft.status == "draft"


def test_publishing_freezes_the_version(db, factory):
    owner = factory.person(Role.FORM_OWNER).actor
    draft = _complete_draft(db, factory)
    service.publish(db, owner, draft)
    assert draft.status == "published"
    assert draft.content_hash == FormDefinition.model_validate(draft.content).content_hash
    events = db.scalars(select(ProposalEvent.action).order_by(ProposalEvent.at)).all()
    assert events[-1] == "published"
    # Whoever writes to a published version is refused, the ORM included.
    draft.content = {**draft.content, "purpose": "changed"}
    with pytest.raises(Conflict, match="never changes"):
        db.flush()
    db.rollback()


def test_a_published_version_becomes_the_base_of_the_next_draft(db, factory):
    owner, partner = factory.person(Role.FORM_OWNER).actor, factory.person(Role.PARTNER).actor
    draft = _complete_draft(db, factory)
    service.publish(db, owner, draft)
    assert service.latest_published(db, "written-hearing").version == 4
    next_draft = service.accept(db, owner, service.propose(db, partner, ProposalIn(**ADD)))
    assert (next_draft.version, next_draft.base_version) == (5, 4)
    # The published version's proposals stay decided.
    decided = db.scalars(select(Proposal).where(Proposal.draft_id == draft.id)).one()
    with pytest.raises(ProposalDecided):
        service.reject(db, owner, decided, DecisionIn(reason="Too late now."))
