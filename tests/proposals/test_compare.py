"""What changed between two versions, question by question, in any language of the
form, with who proposed each change; through the API and on the page (Dutch)."""

from service.models import Role
from tests.helpers import API, ok, sign_in

HTML = {"accept": "text/html"}
CHANGE = {
    "kind": "change",
    "section_id": "identity",
    "question_id": "full_name",
    "label": "Wat is uw volledige naam, zoals in uw paspoort?",
    "reason": "Matches the registration.",
}
ADD = {
    "kind": "add",
    "section_id": "journey",
    "question_id": "border_crossing",
    "label": "Hoe bent u de grens overgestoken?",
    "reason": "Helps the officer place the journey.",
}


def _accepted(client, factory, *bodies):
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    for body in bodies:
        made = ok(client.post(f"{API}/proposals", json=body, headers=partner.headers), 201)
        ok(client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers))
    return partner, owner


def test_the_changes_question_by_question_with_their_proposers(client, factory):
    partner, owner = _accepted(client, factory, CHANGE, ADD)
    url = f"{API}/form-versions/compare?old=3&new=4"
    diff = ok(client.get(url, headers=partner.headers))
    changes = {c["question_id"]: c for c in diff["changes"]}
    assert set(changes) == {"full_name", "border_crossing"}
    assert changes["full_name"]["change"] == "changed"
    assert changes["full_name"]["after"] == CHANGE["label"]
    assert changes["full_name"]["before"] != CHANGE["label"]
    assert changes["border_crossing"]["change"] == "added"
    assert changes["border_crossing"]["before"] is None
    who = f"coa ({partner.user.display_name})"
    assert changes["border_crossing"]["proposed_by"] == [who]
    # In English the reworded question has no text yet; the old one had.
    english = ok(client.get(f"{url}&language=en", headers=owner.headers))
    full_name = next(c for c in english["changes"] if c["question_id"] == "full_name")
    assert full_name["before"]
    assert full_name["after"] is None


def test_two_published_files_compare_too(client, factory):
    owner = factory.person(Role.FORM_OWNER)
    diff = ok(client.get(f"{API}/form-versions/compare?old=1&new=2", headers=owner.headers))
    assert diff["changes"]
    assert all(c["proposed_by"] == [] for c in diff["changes"])
    gone = client.get(f"{API}/form-versions/compare?old=1&new=9", headers=owner.headers)
    assert gone.status_code == 404


def test_the_compare_page_is_dutch_and_names_the_proposer(client, factory):
    partner, _owner = _accepted(client, factory, ADD)
    sign_in(client, partner.user.username)
    page = client.get("/form-versions/compare?old=3&new=4&language=ar", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Wat is er veranderd tussen twee versies van het formulier" in text
    assert 'data-question="border_crossing"' in text
    assert "Toegevoegd" in text
    assert f"coa ({partner.user.display_name})" in text
    assert "(nog niet vertaald)" in text
    assert 'lang="ar" dir="rtl"' in text
