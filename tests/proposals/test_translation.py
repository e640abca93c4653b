"""A draft's texts go to the agency as XLIFF, per language; each translation records the
hash of the source it translated and is stale when that source changes; a draft with a
missing or stale translation is not published."""

from translate.storage import xliff as toolkit

from service.models import Role
from tests.helpers import API, assert_problem, ok

ADD = {
    "kind": "add",
    "section_id": "journey",
    "question_id": "border_crossing",
    "label": "Hoe bent u de grens overgestoken?",
    "reason": "Helps the officer place the journey.",
}
KEY = "sections.journey.questions.border_crossing.label"
LANGUAGES = ["en", "ar", "fa", "tr", "ti"]


def translated(package: bytes, language: str) -> bytes:
    """What the agency sends back: every unit's target filled in."""
    store = toolkit.xlifffile.parsestring(package)
    for unit in store.getunits():
        unit.target = f"[{language}] {unit.source}"
    return bytes(store)


def deliver(client, translator, draft_id: str, language: str) -> dict:
    url = f"{API}/form-versions/{draft_id}/translations/{language}/xliff"
    package = client.get(url, headers=translator.headers)
    assert package.status_code == 200, package.text
    assert package.headers["content-type"].startswith("application/xliff+xml")
    files = {"file": ("t.xlf", translated(package.content, language), "application/xliff+xml")}
    return ok(client.put(url, files=files, headers=translator.headers))


def draft_with_new_question(client, factory) -> tuple[str, object]:
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    made = ok(client.post(f"{API}/proposals", json=ADD, headers=partner.headers), 201)
    ok(client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers))
    return ok(client.get(f"{API}/form-versions", headers=owner.headers))[0]["id"], owner


def test_translate_edit_stale_blocks_publishing_then_publish(client, factory):
    draft_id, owner = draft_with_new_question(client, factory)
    translator = factory.person(Role.TRANSLATOR)
    states = ok(client.get(f"{API}/form-versions/{draft_id}/translations", headers=owner.headers))
    assert {lang: states[lang] for lang in LANGUAGES} == {
        lang: {KEY: "missing"} for lang in LANGUAGES
    }
    publish = f"{API}/form-versions/{draft_id}/publish"
    assert_problem(client.post(publish, headers=owner.headers), 409, "draft_incomplete")
    for language in LANGUAGES:
        assert deliver(client, translator, draft_id, language) == {"translated": 1}
    url = f"{API}/form-versions/{draft_id}/translations"
    assert all(not wanted for wanted in ok(client.get(url, headers=owner.headers)).values())
    # The owner rewords the Dutch source: every translation of it is stale.
    edit = {"key": KEY, "text": "Hoe en waar bent u de grens overgestoken?"}
    ok(client.post(f"{API}/form-versions/{draft_id}/texts", json=edit, headers=owner.headers))
    states = ok(client.get(url, headers=owner.headers))
    assert {lang: states[lang] for lang in LANGUAGES} == {
        lang: {KEY: "stale"} for lang in LANGUAGES
    }
    refused = assert_problem(client.post(publish, headers=owner.headers), 409, "draft_incomplete")
    assert any("stale" in problem for problem in refused.get("problems", [refused["detail"]]))
    for language in LANGUAGES:
        deliver(client, translator, draft_id, language)
    published = ok(client.post(publish, headers=owner.headers))
    assert published["status"] == "published"
    assert published["content_hash"]
    # Frozen: no more text edits or translations.
    again = client.post(f"{API}/form-versions/{draft_id}/texts", json=edit, headers=owner.headers)
    assert_problem(again, 409, "draft_frozen")


def test_a_translation_of_an_older_source_arrives_stale(client, factory):
    draft_id, owner = draft_with_new_question(client, factory)
    translator = factory.person(Role.TRANSLATOR)
    url = f"{API}/form-versions/{draft_id}/translations/en/xliff"
    package = client.get(url, headers=translator.headers).content
    edit = {"key": KEY, "text": "Hoe bent u over de grens gekomen?"}
    ok(client.post(f"{API}/form-versions/{draft_id}/texts", json=edit, headers=owner.headers))
    files = {"file": ("t.xlf", translated(package, "en"), "application/xliff+xml")}
    ok(client.put(url, files=files, headers=translator.headers))
    states = ok(client.get(f"{API}/form-versions/{draft_id}/translations", headers=owner.headers))
    assert states["en"] == {KEY: "stale"}


def test_a_carried_over_translation_goes_stale_when_its_source_changes(client, factory):
    draft_id, owner = draft_with_new_question(client, factory)
    key = "sections.identity.questions.full_name.label"
    edit = {"key": key, "text": "Uw volledige naam, zoals in uw paspoort"}
    ok(client.post(f"{API}/form-versions/{draft_id}/texts", json=edit, headers=owner.headers))
    states = ok(client.get(f"{API}/form-versions/{draft_id}/translations", headers=owner.headers))
    assert states["en"][key] == "stale"
    unknown = {"key": "sections.nothing.label", "text": "x"}
    refused = client.post(
        f"{API}/form-versions/{draft_id}/texts", json=unknown, headers=owner.headers
    )
    assert_problem(refused, 422, "unknown_question")
