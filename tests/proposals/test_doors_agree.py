"""A proposal through both doors: the API and the partner's page store the same, and a
refusal carries the same code (the page keeps what was typed, the message beside the
field). The form owner's page accepts, rejects and publishes as the API does; the
pages are Dutch."""

from typing import Any

from sqlalchemy import select

from service.models import Role
from service.models.proposals import Proposal, ProposalEvent
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}
ADD = {
    "kind": "add",
    "section_id": "journey",
    "question_id": "border_crossing",
    "label": "Hoe bent u de grens overgestoken?",
    "reason": "Helps the officer place the journey.",
}


def stored(db: Any, question_id: str) -> tuple[Any, ...]:
    db.expire_all()
    p = db.scalars(select(Proposal).where(Proposal.question_id == question_id)).one()
    actions = db.scalars(
        select(ProposalEvent.action).where(ProposalEvent.proposal_id == p.id)
    ).all()
    return (p.kind, p.section_id, p.label, p.reason, p.organisation, p.status, actions)


def page_post(client: Any, url: str, form_url: str, data: dict[str, str]) -> Any:
    token = csrf_of(client.get(form_url, headers=HTML).text)
    return client.post(
        url, data={"csrf_token": token, **data}, headers=HTML, follow_redirects=False
    )


def test_the_same_proposal_through_both_doors_stores_the_same(client, db, factory):
    partner = factory.person(Role.PARTNER, "coa")
    api = client.post(f"{API}/proposals", json=ADD, headers=partner.headers)
    assert api.status_code == 201, api.text
    sign_in(client, partner.user.username)
    other = {**ADD, "question_id": "border_crossing_2"}
    page = page_post(client, "/partner/proposals", "/partner", other)
    assert page.status_code == 303, page.text
    assert stored(db, "border_crossing") == stored(db, "border_crossing_2")
    # The proposer's page shows the step, in Dutch.
    shown = client.get(page.headers["location"], headers=HTML).text
    assert "Voorstel voor vraag border_crossing_2" in shown
    assert "Wacht op beoordeling" in shown


def test_a_refused_proposal_is_refused_alike(client, db, factory):
    partner = factory.person(Role.PARTNER, "coa")
    taken = {**ADD, "question_id": "full_name"}
    api = client.post(f"{API}/proposals", json=taken, headers=partner.headers)
    assert (api.status_code, api.json()["code"]) == (422, "question_exists")
    sign_in(client, partner.user.username)
    page = page_post(client, "/partner/proposals", "/partner", taken)
    assert page.status_code == 422
    assert 'data-refusal="question_exists"' in page.text
    assert "Het formulier heeft al een vraag met deze code." in page.text
    assert "Helps the officer place the journey." in page.text  # kept as typed
    no_wording = {**ADD, "kind": "change", "question_id": "full_name", "label": ""}
    api = client.post(f"{API}/proposals", json=no_wording, headers=partner.headers)
    assert (api.status_code, api.json()["code"]) == (422, "wording_missing")
    page = page_post(client, "/partner/proposals", "/partner", no_wording)
    assert 'data-refusal="wording_missing"' in page.text
    assert not db.scalars(select(Proposal)).all()


def test_the_owner_reviews_on_the_page_and_the_proposer_reads_every_step(client, db, factory):
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    first = client.post(f"{API}/proposals", json=ADD, headers=partner.headers).json()
    second_body = {**ADD, "question_id": "other_question"}
    second = client.post(f"{API}/proposals", json=second_body, headers=partner.headers).json()
    sign_in(client, owner.user.username)
    listing = client.get("/form-owner", headers=HTML).text
    assert "Versies en voorstellen van het formulier" in listing
    assert "Nog geen conceptversie" in listing
    url = f"/proposals/{first['id']}"
    done = page_post(client, f"/form-owner/proposals/{first['id']}/accept", url, {})
    assert done.status_code == 303, done.text
    url2 = f"/proposals/{second['id']}"
    refused = page_post(client, f"/form-owner/proposals/{second['id']}/reject", url2, {})
    assert refused.status_code == 422
    assert "Geef de reden van afwijzing" in refused.text
    page_post(
        client, f"/form-owner/proposals/{second['id']}/reject", url2, {"reason": "Al gevraagd."}
    )
    # The owner's page counts what each language still needs, in Dutch.
    owner_page = client.get("/form-owner", headers=HTML).text
    assert "Engels: 1 niet vertaald, 0 verouderd" in owner_page
    # Publishing a draft with untranslated texts is refused on the page, as by the API.
    versions = client.get(f"{API}/form-versions", headers=owner.headers).json()
    publish = page_post(
        client, f"/form-owner/versions/{versions[0]['id']}/publish", "/form-owner", {}
    )
    assert publish.status_code == 409
    assert 'data-refusal="draft_incomplete"' in publish.text
    api = client.post(f"{API}/form-versions/{versions[0]['id']}/publish", headers=owner.headers)
    assert (api.status_code, api.json()["code"]) == (409, "draft_incomplete")
    # The proposer reads both outcomes, with who decided.
    client.cookies.clear()
    sign_in(client, partner.user.username)
    accepted = client.get(url, headers=HTML).text
    assert "Opgenomen in een concept" in accepted
    assert owner.user.display_name in accepted
    rejected = client.get(url2, headers=HTML).text
    assert "Al gevraagd." in rejected
    assert "Afgewezen" in rejected
    # Another partner does not see them.
    client.cookies.clear()
    other = factory.person(Role.PARTNER, "unit1f")
    sign_in(client, other.user.username)
    assert client.get(url, headers=HTML).status_code == 404
