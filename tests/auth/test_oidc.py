"""Sign-in at the organisation's identity provider (OpenID Connect), against a real
stand-in provider served over HTTP by the test (tests/auth/oidc_provider.py)."""

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from service.core.settings import get_settings
from service.models import Role
from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tests.helpers import API, assert_problem

HTML = {"accept": "text/html"}
ROLES = {"ind-planner": "planner", "ind-host": "host", "advocaat": "lawyer"}


@pytest.fixture(scope="module")
def running() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(running: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    monkeypatch.setenv("HEARING_OIDC_ISSUER", running.url)
    monkeypatch.setenv("HEARING_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("HEARING_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("HEARING_OIDC_ROLES", json.dumps(ROLES))
    get_settings.cache_clear()
    running.issuer = running.url
    running.person = {}
    yield running
    monkeypatch.undo()
    get_settings.cache_clear()


def person(sub: str, username: str, roles: list[str], amr: list[str] | None = None) -> dict:
    return {
        "sub": sub,
        "preferred_username": username,
        "name": username.title(),
        "roles": roles,
        "amr": ["pwd", "otp"] if amr is None else amr,
    }


def sign_in_at_provider(client, provider: Provider):
    """The browser's round trip: our redirect, the provider's answer, our callback."""
    start = client.get("/sign-in/oidc", headers=HTML, follow_redirects=False)
    assert start.status_code == 303
    to_provider = start.headers["location"]
    assert to_provider.startswith(f"{provider.url}/authorize?")
    query = parse_qs(urlsplit(to_provider).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0]
    back = httpx.get(to_provider, follow_redirects=False)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["location"])
    return client.get(f"{callback.path}?{callback.query}", headers=HTML, follow_redirects=False)


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, provider):
    assert 'href="/sign-in/oidc"' in client.get("/sign-in", headers=HTML).text
    get_settings.cache_clear()
    provider_off = {"HEARING_OIDC_ISSUER": ""}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in provider_off.items():
            patch.setenv(key, value)
        get_settings.cache_clear()
        assert 'href="/sign-in/oidc"' not in client.get("/sign-in", headers=HTML).text
        off = client.get("/sign-in/oidc", headers=HTML, follow_redirects=False)
        assert off.headers["location"] == "/sign-in"
    get_settings.cache_clear()


def test_a_planner_signs_in_at_the_provider_and_gets_an_account(client, db, provider):
    provider.person = person("sub-1", "p.devries", ["ind-planner", "other-app"])
    done = sign_in_at_provider(client, provider)
    assert done.status_code == 200, done.text
    assert 'content="0; url=/planner"' in done.text
    assert client.get("/planner", headers=HTML).status_code == 200
    # Again: the same account, found by its subject.
    client.cookies.clear()
    assert sign_in_at_provider(client, provider).status_code == 200
    assert client.get("/planner", headers=HTML).status_code == 200


def test_an_account_made_by_an_admin_is_bound_on_first_sign_in(client, db, factory, provider):
    host = factory.person(Role.HOST, enrol=False)
    provider.person = person("sub-host", host.user.username, ["ind-host"])
    assert sign_in_at_provider(client, provider).status_code == 200
    assert host.user.oidc_subject == "sub-host"
    assert client.get("/host", headers=HTML).status_code == 200
    # Another identity with the same username is refused.
    client.cookies.clear()
    provider.person = person("sub-impostor", host.user.username, ["ind-host"])
    assert sign_in_at_provider(client, provider).status_code == 403


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        (person("sub-2", "no.role", ["other-app"]), "grants no role"),
        (person("sub-3", "no.mfa", ["ind-planner"], amr=["pwd"]), "second factor"),
        (person("sub-4", "new.host", ["ind-host"]), "administrator makes accounts"),
    ],
)
def test_the_provider_must_grant_a_role_and_a_second_factor(client, provider, claims, why):
    provider.person = claims
    refused = sign_in_at_provider(client, provider)
    assert refused.status_code == 403
    assert why in refused.text
    assert client.get("/planner", headers=HTML, follow_redirects=False).status_code == 303


def test_a_token_from_another_issuer_or_a_forged_state_is_refused(client, provider):
    provider.person = person("sub-5", "p.jansen", ["ind-planner"])
    provider.issuer = "https://someone-else.example"
    assert sign_in_at_provider(client, provider).status_code == 403
    provider.issuer = provider.url
    start = client.get("/sign-in/oidc", headers=HTML, follow_redirects=False)
    back = httpx.get(start.headers["location"], follow_redirects=False)
    forged = back.headers["location"].replace("state=", "state=x")
    callback = urlsplit(forged)
    refused = client.get(f"{callback.path}?{callback.query}", headers=HTML)
    assert refused.status_code == 403
    assert "expired" in refused.text


def test_a_deactivated_account_cannot_sign_in_at_the_provider(client, factory, provider):
    lawyer = factory.person(Role.LAWYER)
    admin = factory.person(Role.ADMIN)
    provider.person = person("sub-lawyer", lawyer.user.username, ["advocaat"])
    assert sign_in_at_provider(client, provider).status_code == 200
    client.post(f"{API}/users/{lawyer.user.id}/deactivate", headers=admin.headers)
    assert client.get("/lawyer", headers=HTML, follow_redirects=False).status_code == 303
    assert sign_in_at_provider(client, provider).status_code == 403
    assert_problem(client.get(f"{API}/me", headers=lawyer.headers), 401, "not_authenticated")
