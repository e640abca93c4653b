"""Issue 20 with low-literacy mode (issue 19): a draft version made from proposals is not
published while a prompt of a changed text lacks an interpreter's recording of that text
(stale: recorded for the earlier wording; missing: a new question), through the API and
the form owner's page; the interpreter records the draft's prompts on the recording page,
which clears it; the export carries the unchanged recordings into the new version."""

import uuid

import pytest

from service.core import audio
from service.core.settings import get_settings
from service.models import Role
from service.models.proposals import FormDraft
from service.proposals import service
from service.questionnaires.check import publish as publish_files
from service.questionnaires.forms import load_form
from service.questionnaires.prompts import Origin, prompt_file, prompt_record, recorded_languages
from tests.helpers import API, assert_problem, csrf_of, ok
from tests.proposals.test_translation import deliver
from tests.questionnaires.test_prompt_pages import HTML, JSON, browser_of
from tests.questionnaires.test_prompts import _as_webm, _form, _record

CHANGE = {
    "form_id": "voice-test",
    "kind": "change",
    "section_id": "reasons",
    "question_id": "account",
    "label": "Waarom bent u uit uw land vertrokken?",
    "reason": "Clearer for applicants who did not flee in one go.",
}
ADD = {
    "form_id": "voice-test",
    "kind": "add",
    "section_id": "reasons",
    "question_id": "home",
    "label": "Waar woonde u?",
    "reason": "The officer places the account.",
}


@pytest.fixture
def recorded_in_tigrinya(voice_forms, monkeypatch):
    """voice-test@1 published with every Tigrinya prompt recorded by an interpreter,
    under the policy that admits low literacy by voice."""
    form = _form()
    for item in ("account", "account.help", "fear"):
        _record(form, _as_webm(prompt_file("voice-test", 1, "ti", item).read_bytes()), item=item)
    assert publish_files("voice-test") == ["voice-test@1"]
    assert recorded_languages(form) == {"ti"}
    monkeypatch.setattr(get_settings(), "eligibility_policy", "ind-2026-spoken")


def _draft(client, factory) -> tuple[str, object]:
    """The owner accepts a rewording and a new question; the agency translates both."""
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    for proposal in (CHANGE, ADD):
        made = ok(client.post(f"{API}/proposals", json=proposal, headers=partner.headers), 201)
        ok(client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers))
    [draft] = ok(client.get(f"{API}/form-versions", headers=owner.headers))
    translator = factory.person(Role.TRANSLATOR)
    for language in ("en", "ti"):
        deliver(client, translator, draft["id"], language)
    return draft["id"], owner


def _record_for_draft(factory, item: str) -> None:
    """The interpreter records a prompt of the draft (version 2) on the recording page."""
    interpreter = browser_of(factory, Role.INTERPRETER)
    listed = interpreter.get("/interpreter", headers=HTML).text
    assert 'href="/interpreter/forms/voice-test/2/ti"' in listed  # the service's draft
    page = interpreter.get("/interpreter/forms/voice-test/2/ti", headers=HTML)
    assert page.status_code == 200, page.text
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "fear").read_bytes())
    sent = interpreter.post(
        f"/interpreter/forms/voice-test/2/ti/{item}",
        data={"csrf_token": csrf_of(page.text), "sha256": audio.sha256(webm)},
        files={"audio": ("prompt.webm", webm, "audio/webm")},
        headers=JSON,
    )
    assert sent.status_code == 200, sent.text


def test_a_stale_or_missing_prompt_recording_blocks_publishing_until_recorded(
    client, db, factory, recorded_in_tigrinya
):
    draft_id, owner = _draft(client, factory)
    draft = db.get(FormDraft, uuid.UUID(draft_id))
    assert service.prompt_states(db, draft) == {"ti": {"account": "stale", "home": "missing"}}

    api = client.post(f"{API}/form-versions/{draft_id}/publish", headers=owner.headers)
    refused = assert_problem(api, 409, "draft_incomplete")
    assert refused["problems"] == ["ti: account is stale", "ti: home is missing"]
    browser = browser_of(factory, Role.FORM_OWNER)
    start = browser.get("/form-owner", headers=HTML)
    assert "Tigrinya: 1 niet opgenomen, 1 opgenomen voor een eerdere tekst" in start.text
    url = f"/form-owner/versions/{draft_id}/publish"
    page = browser.post(url, data={"csrf_token": csrf_of(start.text)}, headers=HTML)
    assert page.status_code == 409
    assert "opnamen van gewijzigde teksten ontbreken" in page.text  # the refusal, in Dutch

    _record_for_draft(factory, "account")
    assert service.prompt_states(db, draft) == {"ti": {"home": "missing"}}
    _record_for_draft(factory, "home")
    assert service.prompt_states(db, draft) == {}
    published = browser.post(
        url, data={"csrf_token": csrf_of(start.text)}, headers=HTML, follow_redirects=False
    )
    assert published.status_code == 303, published.text
    db.refresh(draft)
    assert draft.status == "published"

    # The export keeps the unchanged texts' recordings: Tigrinya stays fully recorded.
    assert service.export_published(db, "voice-test") == ["voice-test@2"]
    assert recorded_languages(load_form("voice-test", 2)) == {"ti"}
    carried = prompt_record("voice-test", 2, "ti", "fear")
    assert carried == prompt_record("voice-test", 1, "ti", "fear")
    assert carried.origin is Origin.RECORDED


def test_without_low_literacy_mode_prompt_recordings_do_not_hold_up_publishing(
    client, db, factory, recorded_in_tigrinya, monkeypatch
):
    monkeypatch.setattr(get_settings(), "eligibility_policy", "ind-2026")
    draft_id, owner = _draft(client, factory)
    assert service.prompt_states(db, db.get(FormDraft, uuid.UUID(draft_id))) == {}
    published = client.post(f"{API}/form-versions/{draft_id}/publish", headers=owner.headers)
    assert ok(published)["status"] == "published"
