"""The agency's and the owner's pages for a draft's texts: download and upload the
XLIFF per language, reword a Dutch text (its translations go stale); in Dutch."""

from service.models import Role
from tests.helpers import csrf_of, sign_in
from tests.proposals.test_translation import KEY, draft_with_new_question, translated

HTML = {"accept": "text/html"}


def test_agency_translates_on_the_page_and_the_owner_rewords(client, factory):
    draft_id, owner = draft_with_new_question(client, factory)
    translator = factory.person(Role.TRANSLATOR)
    sign_in(client, translator.user.username)
    listing = client.get("/agency/form-texts", headers=HTML)
    assert "Teksten van het formulier om te vertalen" in listing.text
    url = f"/form-versions/{draft_id}/translations"
    page = client.get(url, headers=HTML).text
    assert "Vertalingen van versie 4" in page
    assert "Niet vertaald" in page
    package = client.get(f"{url}/en.xlf")
    assert package.status_code == 200
    token = csrf_of(page)
    # A file that is not XLIFF is refused beside the upload field.
    bad = client.post(
        f"{url}/en",
        data={"csrf_token": token},
        files={"file": ("t.xlf", b"not xml", "application/xliff+xml")},
        headers=HTML,
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'data-refusal="translation_refused"' in bad.text
    good = client.post(
        f"{url}/en",
        data={"csrf_token": token},
        files={"file": ("t.xlf", translated(package.content, "en"), "application/xliff+xml")},
        headers=HTML,
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    assert 'id="lang-en"' in client.get(url, headers=HTML).text
    # The owner rewords the Dutch source on the page; the English translation is stale.
    client.cookies.clear()
    sign_in(client, owner.user.username)
    page = client.get(url, headers=HTML).text
    edited = client.post(
        f"/form-owner/versions/{draft_id}/texts",
        data={"csrf_token": csrf_of(page), "key": KEY, "text": "Hoe kwam u over de grens?"},
        headers=HTML,
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    after = client.get(url, headers=HTML).text
    assert "Verouderd: de Nederlandse tekst is gewijzigd" in after
    refused = client.post(
        f"/form-owner/versions/{draft_id}/texts",
        data={"csrf_token": csrf_of(after), "key": "", "text": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "Kies de tekst." in refused.text
