"""Lawyers read the current form's topics in their client's language before the
session; the exact questions only where the policy (``form_preview``) says so."""

from service.core.settings import get_settings
from service.models import Role
from tests.helpers import API, ok, sign_in

HTML = {"accept": "text/html"}


def test_topics_only_by_default_in_the_clients_language(client, factory):
    case = factory.case(languages=["fa"])
    lawyer = factory.person(Role.LAWYER)
    shown = ok(client.get(f"{API}/cases/{case.id}/form-preview", headers=lawyer.headers))
    assert (shown["language"], shown["direction"], shown["version"]) == ("fa", "rtl", 3)
    assert shown["questions_shown"] is False
    assert shown["sections"]
    assert all(section["questions"] == [] for section in shown["sections"])
    dutch = ok(
        client.get(f"{API}/cases/{case.id}/form-preview?language=nl", headers=lawyer.headers)
    )
    assert dutch["language"] == "nl"
    assert dutch["sections"][0]["title"] != shown["sections"][0]["title"]


def test_the_policy_may_show_the_questions(client, factory, monkeypatch):
    monkeypatch.setattr(get_settings(), "form_preview", "questions")
    case = factory.case(languages=["tr"])
    lawyer = factory.person(Role.LAWYER)
    shown = ok(client.get(f"{API}/cases/{case.id}/form-preview", headers=lawyer.headers))
    assert shown["questions_shown"] is True
    assert shown["sections"][0]["questions"]


def test_only_the_clients_lawyer_reads_it_and_the_page_is_dutch(client, factory):
    case = factory.case(languages=["ar"])
    other = factory.person(Role.LAWYER, "other")
    refused = client.get(f"{API}/cases/{case.id}/form-preview", headers=other.headers)
    assert refused.status_code == 404
    sign_in(client, factory.person(Role.LAWYER).user.username)
    page = client.get(f"/lawyer/cases/{case.id}/form-preview", headers=HTML)
    assert page.status_code == 200
    assert "Onderwerpen van het formulier, ter voorbereiding van zaak" in page.text
    assert "De precieze vragen zijn pas tijdens de sessie te zien." in page.text
    assert 'lang="ar" dir="rtl"' in page.text
    case_page = client.get(f"/lawyer/cases/{case.id}", headers=HTML).text
    assert f"/lawyer/cases/{case.id}/form-preview" in case_page
