"""Sign-in at the organisation's identity provider (OpenID Connect), against a real,
OpenID Certified provider: panva's ``oidc-provider`` (npm, v8), installed from the
lock in tests/auth/oidc-provider and started by this module on a free port.

The person at the provider is played by the test (tests/auth/oidc-provider/provider.mjs
signs them in with the ``amr``/``acr`` the test names); everything else (discovery,
JWKS, the claims parameter, PKCE, client authentication, UserInfo, logout) is the
provider's own certified code.
"""

import html
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from service.auth import oidc
from service.core.settings import get_settings
from service.models import Role
from service.models.auth import User, WebSession
from tests.auth.test_admin_pages import admin_browser, post_form
from tests.conftest import require_server
from tests.helpers import API, assert_problem, csrf_of
from tests.live import drop_database, fresh_database, process_env, spawn

PROVIDER_DIR = Path(__file__).parent / "oidc-provider"
APP = "http://testserver"
CALLBACK = f"{APP}/sign-in/oidc/callback"
SIGNED_OUT = f"{APP}/sign-in?signed_out=true"
HTML = {"accept": "text/html", "accept-language": "en"}
DUTCH = {"accept": "text/html", "accept-language": "nl"}
ROLES = {"ind-planner": "planner", "ind-host": "host", "advocaat": "lawyer"}
# RFC 6749 2.3.1: this secret only works when form-urlencoded before HTTP Basic.
BASIC_SECRET = "s3cr+t/with=and%signs"
POST_SECRET = "another-secret"
CLIENT_KEY = RSAKey.generate_key(2048, {"kid": "hearing-client-1"})


@dataclass
class Provider:
    url: str

    def _post(self, path: str, body: Any = None) -> Any:
        response = httpx.post(f"{self.url}/__test/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        self._post("accounts", accounts)

    def clock(self, offset_seconds: int) -> None:
        self._post("clock", {"offset_seconds": offset_seconds})

    def cache(self, cache_control: str) -> None:
        self._post("cache", {"cache_control": cache_control})

    def tamper(self, claims: dict[str, Any]) -> None:
        self._post("tamper", claims)

    def rotate(self) -> str:
        return str(self._post("rotate")["kid"])

    def hits(self, reset: bool = False) -> dict[str, int]:
        if reset:
            return dict(self._post("hits"))
        return dict(httpx.get(f"{self.url}/__test/hits", timeout=10).json())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clients() -> list[dict[str, Any]]:
    common = {
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [SIGNED_OUT],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    return [
        {
            "client_id": "hearing-basic",
            "client_secret": BASIC_SECRET,
            "token_endpoint_auth_method": "client_secret_basic",
            **common,
        },
        {
            "client_id": "hearing-post",
            "client_secret": POST_SECRET,
            "token_endpoint_auth_method": "client_secret_post",
            **common,
        },
        {
            "client_id": "hearing-jwt",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [CLIENT_KEY.as_dict(private=False)]},
            **common,
        },
    ]


@pytest.fixture(scope="module")
def running() -> Iterator[Provider]:
    """The certified provider, listening on 127.0.0.1 until the module ends."""
    node, npm = shutil.which("node"), shutil.which("npm")
    require_server("Node.js and npm", bool(node and npm), "install nodejs and npm")
    assert node
    assert npm
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        installed = subprocess.run(  # noqa: S603 - our own fixed command
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=PROVIDER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        require_server("npm registry", installed.returncode == 0, installed.stderr[-500:])
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": port,
                    "clients": _clients(),
                    "acrValues": ["urn:loa:low", "urn:loa:substantial"],
                }
            )
        )
        process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [node, "provider.mjs", str(config)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert process.stdout is not None
            started = ""
            deadline = time.monotonic() + 30
            while "listening" not in started and time.monotonic() < deadline:
                started = process.stdout.readline()
                if not started and process.poll() is not None:
                    break
            assert "listening" in started, f"the provider did not start: {started}"
            yield Provider(f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            process.wait(timeout=10)


def configure(monkeypatch: pytest.MonkeyPatch, provider: Provider, **extra: str) -> None:
    settings = {
        "HEARING_OIDC_ISSUER": provider.url,
        "HEARING_OIDC_CLIENT_ID": "hearing-basic",
        "HEARING_OIDC_CLIENT_SECRET": BASIC_SECRET,
        "HEARING_OIDC_CLIENT_AUTH_METHOD": "client_secret_basic",
        "HEARING_OIDC_ROLES": json.dumps(ROLES),
        "HEARING_OIDC_ROLE_CLAIM": "realm_access.roles",
        **extra,
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    oidc.clear_cache()


@pytest.fixture
def provider(running: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    configure(monkeypatch, running)
    running.accounts({})
    running.clock(0)
    running.cache("")
    running.tamper({})
    yield running
    monkeypatch.undo()
    get_settings.cache_clear()
    oidc.clear_cache()


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    """The browser's cookies at the provider (its session there)."""
    with httpx.Client(follow_redirects=False, timeout=10) as at_provider:
        yield at_provider


def person(username: str, realm_roles: list[str], **claims: Any) -> dict[str, Any]:
    """An account at the provider, as a Keycloak realm holds it."""
    return {
        "preferred_username": username,
        "name": username.title(),
        "email": f"{username}@example.org",
        "realm_access": {"roles": realm_roles},
        **claims,
    }


@dataclass
class RoundTrip:
    response: httpx.Response
    asked_to_sign_in: bool
    authorization: dict[str, list[str]]


def sign_in_at_provider(
    client,
    browser: httpx.Client,
    provider: Provider,
    account: str = "",
    amr: str = "pwd,otp",
    acr: str = "",
    cancel: bool = False,
    headers: dict[str, str] = HTML,
    app: str = APP,
) -> RoundTrip:
    """The browser's round trip: our redirect, the person at the provider, our callback."""
    start = client.get("/sign-in/oidc", headers=headers, follow_redirects=False)
    assert start.status_code == 303, start.text
    target = start.headers["location"]
    assert target.startswith(f"{provider.url}/auth?")
    authorization = parse_qs(urlsplit(target).query)
    asked = False
    for _ in range(10):
        if target.startswith(app):
            break
        url = urljoin(provider.url, target)
        if "/interaction/" in url:
            asked = True
            form = {"cancel": "1"} if cancel else {"account": account, "amr": amr, "acr": acr}
            answer = browser.post(url, data=form)
        else:
            answer = browser.get(url)
        assert answer.status_code in (302, 303), answer.text
        target = answer.headers["location"]
    callback = urlsplit(target)
    response = client.get(
        f"{callback.path}?{callback.query}", headers=headers, follow_redirects=False
    )
    return RoundTrip(response, asked, authorization)


def signed_in_as_planner(client) -> bool:
    return client.get("/planner", headers=HTML, follow_redirects=False).status_code == 200


# --- the round trip and what it asks for --------------------------------------------------


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, provider):
    assert 'href="/sign-in/oidc"' in client.get("/sign-in", headers=HTML).text
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEARING_OIDC_ISSUER", "")
        get_settings.cache_clear()
        assert 'href="/sign-in/oidc"' not in client.get("/sign-in", headers=HTML).text
        off = client.get("/sign-in/oidc", headers=HTML, follow_redirects=False)
        assert off.headers["location"] == "/sign-in"
    get_settings.cache_clear()


def test_with_the_providers_defaults_a_planner_signs_in(client, db, browser, provider):
    """amr only comes when asked for (claims parameter); the profile and the role
    (nested in realm_access.roles, a list) only at UserInfo."""
    provider.accounts({"sub-1": person("p.devries", ["ind-planner", "other-app"])})
    trip = sign_in_at_provider(client, browser, provider, "sub-1")
    assert trip.response.status_code == 200, trip.response.text
    assert 'content="0; url=/planner"' in trip.response.text
    assert signed_in_as_planner(client)
    claims = json.loads(trip.authorization["claims"][0])
    assert claims["id_token"]["amr"] == {"essential": True}
    assert "realm_access" in claims["userinfo"]
    user = db.scalar(select(User).where(User.oidc_subject == "sub-1"))
    assert user is not None
    assert (user.oidc_issuer, user.username, user.role) == (provider.url, "p.devries", "planner")
    assert provider.hits()["userinfo"] >= 1
    # Again: the same account, found by issuer and subject.
    client.cookies.clear()
    browser.cookies.clear()
    assert sign_in_at_provider(client, browser, provider, "sub-1").response.status_code == 200
    assert signed_in_as_planner(client)
    assert db.scalars(select(User).where(User.username == "p.devries")).all() == [user]


def test_the_role_comes_from_a_configured_claim_path(client, db, browser, provider, monkeypatch):
    """Entra puts app roles in a top-level ``roles`` list; one string works too."""
    configure(monkeypatch, provider, HEARING_OIDC_ROLE_CLAIM="roles")
    provider.accounts({"sub-entra": person("e.bakker", [], roles="ind-planner")})
    assert sign_in_at_provider(client, browser, provider, "sub-entra").response.status_code == 200
    assert signed_in_as_planner(client)


SUBSTANTIAL = {"HEARING_OIDC_ACR_VALUES": '["urn:loa:substantial"]'}


@pytest.mark.parametrize(
    ("amr", "acr", "assurance", "issued", "signed_in"),
    [
        ("pwd,otp", "", {}, {}, True),
        ("pwd", "", {}, {}, False),
        # Entra v2 and the NL GOV profile: no amr, the acr says the level.
        ("", "urn:loa:substantial", SUBSTANTIAL, {}, True),
        # A provider that ignores the essential acr asked for (Entra ignores the claims
        # parameter): the service checks the level itself.
        ("", "urn:loa:substantial", SUBSTANTIAL, {"acr": "urn:loa:low"}, False),
        # With only acr configured, an amr with otp and a low acr is not enough.
        (
            "pwd,otp",
            "urn:loa:substantial",
            {**SUBSTANTIAL, "HEARING_OIDC_AMR_VALUES": "[]"},
            {"acr": "urn:loa:low"},
            False,
        ),
    ],
)
def test_the_second_factor_comes_from_configured_amr_or_acr_values(
    client, browser, provider, monkeypatch, amr, acr, assurance, issued, signed_in
):
    configure(monkeypatch, provider, **assurance)
    provider.accounts({"sub-2": person("a.visser", ["ind-planner"])})
    provider.tamper(issued)
    trip = sign_in_at_provider(client, browser, provider, "sub-2", amr=amr, acr=acr)
    if assurance:
        assert trip.authorization["acr_values"] == ["urn:loa:substantial"]
    assert (trip.response.status_code == 200) is signed_in, trip.response.text
    assert signed_in_as_planner(client) is signed_in
    if not signed_in:
        assert "Sign in with a second factor" in trip.response.text
        assert 'href="/sign-in/oidc"' in trip.response.text  # try again


@pytest.mark.parametrize(
    ("client_id", "method", "secret"),
    [
        ("hearing-basic", "client_secret_basic", BASIC_SECRET),
        ("hearing-post", "client_secret_post", POST_SECRET),
        ("hearing-jwt", "private_key_jwt", ""),
    ],
)
def test_the_client_authenticates_in_each_way_the_provider_registered(
    client, browser, provider, monkeypatch, client_id, method, secret
):
    configure(
        monkeypatch,
        provider,
        HEARING_OIDC_CLIENT_ID=client_id,
        HEARING_OIDC_CLIENT_AUTH_METHOD=method,
        HEARING_OIDC_CLIENT_SECRET=secret,
        HEARING_OIDC_CLIENT_PRIVATE_KEY=json.dumps(CLIENT_KEY.as_dict(private=True))
        if method == "private_key_jwt"
        else "",
    )
    provider.accounts({"sub-3": person("c.smit", ["ind-planner"])})
    trip = sign_in_at_provider(client, browser, provider, "sub-3")
    assert trip.response.status_code == 200, trip.response.text
    assert signed_in_as_planner(client)


# --- the ID token's checks ------------------------------------------------------------------


@pytest.mark.parametrize("ahead", [1, 30])
def test_a_provider_clock_a_little_ahead_is_allowed(client, browser, provider, ahead):
    provider.accounts({"sub-4": person("k.mulder", ["ind-planner"])})
    provider.clock(ahead)
    assert sign_in_at_provider(client, browser, provider, "sub-4").response.status_code == 200


def test_a_provider_clock_far_ahead_is_refused(client, browser, provider):
    provider.accounts({"sub-4": person("k.mulder", ["ind-planner"])})
    provider.clock(600)
    refused = sign_in_at_provider(client, browser, provider, "sub-4").response
    assert refused.status_code == 403
    assert "Your sign-in could not be verified" in refused.text
    assert not signed_in_as_planner(client)


@pytest.mark.parametrize(
    ("tampered", "accepted"),
    [
        ({"aud": ["hearing-basic", "another-client"], "azp": "another-client"}, False),
        ({"aud": ["hearing-basic", "another-client"]}, False),
        ({"azp": "another-client"}, False),
        ({"iss": "https://someone-else.example"}, False),
        ({"aud": ["hearing-basic", "another-client"], "azp": "hearing-basic"}, True),
    ],
)
def test_audiences_and_the_authorized_party_are_checked(
    client, browser, provider, tampered, accepted
):
    """OIDC Core 3.1.3.7: several audiences need azp, and azp must be this client. (The
    provider signs these tokens with its own key, as a misconfigured one would.)"""
    provider.accounts({"sub-5": person("p.jansen", ["ind-planner"])})
    provider.tamper(tampered)
    response = sign_in_at_provider(client, browser, provider, "sub-5").response
    assert (response.status_code == 200) is accepted, response.text
    assert signed_in_as_planner(client) is accepted
    if not accepted:
        assert "Your sign-in could not be verified" in response.text


def test_a_forged_state_is_refused(client, provider):
    client.get("/sign-in/oidc", headers=HTML, follow_redirects=False)  # our state cookie
    forged = client.get(
        "/sign-in/oidc/callback?code=x&state=forged", headers=HTML, follow_redirects=False
    )
    assert forged.status_code == 400
    assert "Signing in took too long" in forged.text
    assert 'href="/sign-in/oidc"' in forged.text


# --- caching and key rotation -----------------------------------------------------------------


def test_discovery_and_keys_are_cached_and_refetched_for_a_new_key(client, browser, provider):
    provider.cache("public, max-age=600")
    provider.accounts({"sub-6": person("r.dekker", ["ind-planner"])})
    provider.hits(reset=True)
    for _ in range(2):
        client.cookies.clear()
        assert sign_in_at_provider(client, browser, provider, "sub-6").response.status_code == 200
    assert provider.hits() | {"userinfo": 0, "token": 0} == {
        "discovery": 1,
        "jwks": 1,
        "userinfo": 0,
        "token": 0,
    }
    # The provider rotates its key: the unknown key id fetches the key set again, once.
    provider.rotate()
    client.cookies.clear()
    assert sign_in_at_provider(client, browser, provider, "sub-6").response.status_code == 200
    assert signed_in_as_planner(client)
    hits = provider.hits()
    assert (hits["discovery"], hits["jwks"]) == (1, 2)


def test_without_cache_headers_revalidation_follows_no_store(client, browser, provider):
    provider.cache("no-store")
    provider.accounts({"sub-6": person("r.dekker", ["ind-planner"])})
    provider.hits(reset=True)
    assert sign_in_at_provider(client, browser, provider, "sub-6").response.status_code == 200
    # no-store: nothing kept, so the start and the callback each read discovery.
    assert provider.hits()["discovery"] == 2


# --- failures: a clear page, in the user's language, and a way to try again ------------------


def test_cancelling_at_the_provider_shows_a_clear_page_to_try_again(client, browser, provider):
    provider.hits(reset=True)
    trip = sign_in_at_provider(client, browser, provider, cancel=True, headers=DUTCH)
    page = trip.response
    assert page.status_code == 400
    assert "Inloggen is afgebroken" in page.text
    assert "Niet toegestaan" not in page.text
    assert "You may not do this" not in page.text
    assert 'href="/sign-in/oidc"' in page.text
    assert provider.hits()["token"] == 0  # no empty code was sent
    english = sign_in_at_provider(client, browser, provider, cancel=True).response
    assert "Signing in was cancelled" in english.text


def test_an_unreachable_provider_shows_no_library_text(client, provider, monkeypatch):
    configure(monkeypatch, provider, HEARING_OIDC_ISSUER="http://127.0.0.1:9")
    page = client.get("/sign-in/oidc", headers=DUTCH, follow_redirects=False)
    assert page.status_code == 502
    assert "127.0.0.1" not in page.text
    assert "Client error" not in page.text
    assert "kan niet worden bereikt" in page.text
    assert 'href="/sign-in/oidc"' in page.text


def test_a_refusal_by_the_token_endpoint_shows_no_library_text(
    client, browser, provider, monkeypatch
):
    configure(monkeypatch, provider, HEARING_OIDC_CLIENT_SECRET="wrong")
    provider.accounts({"sub-7": person("w.bos", ["ind-planner"])})
    page = sign_in_at_provider(client, browser, provider, "sub-7").response
    assert page.status_code == 502
    assert "Client error" not in page.text
    assert "invalid_client" not in page.text
    assert "did not sign you in" in page.text


# --- accounts: bound by issuer and subject, linked by an administrator ------------------------


def test_an_existing_account_is_linked_only_by_an_administrator(
    client, db, browser, factory, provider
):
    host = factory.person(Role.HOST, enrol=False)
    admin = factory.person(Role.ADMIN)
    provider.accounts({"sub-host": person(host.user.username, ["ind-host"])})
    # The same username at the provider does not bind the account.
    refused = sign_in_at_provider(client, browser, provider, "sub-host").response
    assert refused.status_code == 403
    assert "Your account is not linked yet" in refused.text
    assert "sub-host" in refused.text  # the identifier to give the administrator
    assert host.user.oidc_subject is None
    linked = client.post(
        f"{API}/users/{host.user.id}/oidc-link", json={"subject": "sub-host"}, headers=admin.headers
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["oidc_subject"] == "sub-host"
    client.cookies.clear()
    assert sign_in_at_provider(client, browser, provider, "sub-host").response.status_code == 200
    assert client.get("/host", headers=HTML).status_code == 200
    # The identity cannot be linked to a second account.
    other = factory.person(Role.HOST, "other", enrol=False)
    assert_problem(
        client.post(
            f"{API}/users/{other.user.id}/oidc-link",
            json={"subject": "sub-host"},
            headers=admin.headers,
        ),
        409,
        "oidc_identity_taken",
    )


def test_a_renamed_user_keeps_their_account_and_a_reused_name_gets_none(
    client, db, browser, provider
):
    """Entra lets preferred_username change: the account follows the subject."""
    provider.accounts({"sub-8": person("j.devries", ["ind-planner"])})
    assert sign_in_at_provider(client, browser, provider, "sub-8").response.status_code == 200
    provider.accounts(
        {
            "sub-8": person("j.vandam", ["ind-planner"]),
            "sub-9": person("j.devries", ["ind-planner"], email="other@example.org"),
        }
    )
    client.cookies.clear()
    browser.cookies.clear()
    assert sign_in_at_provider(client, browser, provider, "sub-8").response.status_code == 200
    client.cookies.clear()
    browser.cookies.clear()
    reused = sign_in_at_provider(client, browser, provider, "sub-9").response
    assert reused.status_code == 403
    assert "Your account is not linked yet" in reused.text
    bound = db.scalar(select(User).where(User.username == "j.devries"))
    assert bound is not None
    assert bound.oidc_subject == "sub-8"


def test_the_admin_page_links_and_unlinks(client, db, factory, provider):
    lawyer = factory.person(Role.LAWYER)
    browser = admin_browser(factory)
    page = f"/admin/users/{lawyer.user.id}"
    assert "oidc-link" in browser.get(page, headers=HTML).text
    done = post_form(browser, page, f"{page}/oidc-link", subject="sub-lawyer")
    assert done.status_code == 303
    db.refresh(lawyer.user)
    assert (lawyer.user.oidc_issuer, lawyer.user.oidc_subject) == (provider.url, "sub-lawyer")
    # A second account cannot take the same identity; what was typed is shown again.
    other = factory.person(Role.LAWYER, "other")
    taken = post_form(
        browser,
        f"/admin/users/{other.user.id}",
        f"/admin/users/{other.user.id}/oidc-link",
        subject="sub-lawyer",
    )
    again = browser.get(taken.headers["location"], headers=HTML)
    assert 'value="sub-lawyer"' in again.text
    assert post_form(browser, page, f"{page}/oidc-unlink").status_code == 303
    db.refresh(lawyer.user)
    assert lawyer.user.oidc_subject is None


def test_the_provider_must_grant_a_role(client, browser, provider):
    provider.accounts({"sub-10": person("no.role", ["other-app"])})
    refused = sign_in_at_provider(client, browser, provider, "sub-10").response
    assert refused.status_code == 403
    assert "Your account gives no access to this service" in refused.text


def test_a_deactivated_account_cannot_sign_in_at_the_provider(client, browser, factory, provider):
    lawyer = factory.person(Role.LAWYER)
    admin = factory.person(Role.ADMIN)
    client.post(
        f"{API}/users/{lawyer.user.id}/oidc-link", json={"subject": "sub-l"}, headers=admin.headers
    )
    provider.accounts({"sub-l": person(lawyer.user.username, ["advocaat"])})
    assert sign_in_at_provider(client, browser, provider, "sub-l").response.status_code == 200
    client.post(f"{API}/users/{lawyer.user.id}/deactivate", headers=admin.headers)
    assert client.get("/lawyer", headers=HTML, follow_redirects=False).status_code == 303
    refused = sign_in_at_provider(client, browser, provider, "sub-l").response
    assert refused.status_code == 403
    assert "This account is deactivated" in refused.text
    assert_problem(client.get(f"{API}/me", headers=lawyer.headers), 401, "not_authenticated")


# --- signing out ---------------------------------------------------------------------------


def test_signing_out_ends_the_session_at_the_provider_too(client, db, browser, provider):
    """A shared desk: after signing out, the next click must not sign straight back in."""
    provider.accounts({"sub-11": person("s.desk", ["ind-planner"])})
    assert sign_in_at_provider(client, browser, provider, "sub-11").response.status_code == 200
    kept = db.scalar(select(WebSession).where(WebSession.oidc_id_token.is_not(None)))
    assert kept is not None
    token = csrf_of(client.get("/planner", headers=HTML).text)
    page = client.post("/sign-out", data={"csrf_token": token}, headers=HTML)
    assert page.status_code == 200
    refresh = re.search(r'content="0; url=([^"]+)"', page.text)
    assert refresh
    to_provider = html.unescape(refresh.group(1))
    assert to_provider.startswith(f"{provider.url}/session/end?")
    query = parse_qs(urlsplit(to_provider).query)
    assert query["id_token_hint"] == [kept.oidc_id_token]
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert not signed_in_as_planner(client)
    # At the provider: its confirmation form, then back to our sign-in page.
    confirm = browser.get(to_provider)
    form = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    assert form, confirm.text
    assert xsrf, confirm.text
    back = browser.post(
        urljoin(provider.url, form.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"}
    )
    assert back.headers["location"] == SIGNED_OUT
    # The next sign-in asks the person at the provider again.
    again = sign_in_at_provider(client, browser, provider, "sub-11")
    assert again.asked_to_sign_in
    assert again.response.status_code == 200


def test_without_signing_out_the_provider_signs_straight_back_in(client, browser, provider):
    """The control for the test above: the provider's own session lasts."""
    provider.accounts({"sub-12": person("s.desk2", ["ind-planner"])})
    assert sign_in_at_provider(client, browser, provider, "sub-12").asked_to_sign_in
    client.cookies.clear()
    assert not sign_in_at_provider(client, browser, provider, "sub-12").asked_to_sign_in


@pytest.fixture
def live_app(provider: Provider, tmp_path: Path) -> Iterator[str]:
    """The app as its own process (uvicorn, its own database), registered at the provider
    with its back-channel logout URI, so the provider calls it over HTTP."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    registered = httpx.post(
        f"{provider.url}/reg",
        json={
            "redirect_uris": [f"{url}/sign-in/oidc/callback"],
            "post_logout_redirect_uris": [f"{url}/sign-in?signed_out=true"],
            "backchannel_logout_uri": f"{url}/api/v1/auth/oidc/backchannel-logout",
            "backchannel_logout_session_required": True,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    client = registered.json()
    database_url = fresh_database(tmp_path, "oidc")
    env = {
        "HEARING_OIDC_ISSUER": provider.url,
        "HEARING_OIDC_CLIENT_ID": client["client_id"],
        "HEARING_OIDC_CLIENT_SECRET": client["client_secret"],
        "HEARING_OIDC_ROLES": json.dumps(ROLES),
        "HEARING_OIDC_ROLE_CLAIM": "realm_access.roles",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
    process = spawn(
        [*command, "--port", str(port)],
        process_env(database_url, tmp_path, **env),
        tmp_path / "app.log",
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.popen.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the app did not start:\n{process.output()[-3000:]}")
        yield url
    finally:
        process.stop()
        drop_database(database_url)


def test_the_provider_ends_our_session_by_back_channel(live_app, browser, provider):
    """Signed out at the provider (another application, its own page): the provider
    calls the app's back-channel logout URI with a signed logout token."""
    provider.accounts({"sub-13": person("b.channel", ["ind-planner"])})
    with httpx.Client(base_url=live_app, timeout=10) as client:
        trip = sign_in_at_provider(client, browser, provider, "sub-13", app=live_app)
        assert trip.response.status_code == 200, trip.response.text
        assert client.get("/planner", headers=HTML).status_code == 200
        confirm = browser.get(f"{provider.url}/session/end")
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
        form = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
        assert form, confirm.text
        assert xsrf, confirm.text
        browser.post(
            urljoin(provider.url, form.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"}
        )
        deadline = time.monotonic() + 10
        while client.get("/planner", headers=HTML).status_code == 200:
            assert time.monotonic() < deadline, "the session did not end"
            time.sleep(0.1)
        assert client.get("/planner", headers=HTML).status_code == 303


def test_a_forged_logout_token_ends_nothing(client, browser, provider):
    provider.accounts({"sub-14": person("f.orged", ["ind-planner"])})
    assert sign_in_at_provider(client, browser, provider, "sub-14").response.status_code == 200
    forged = RSAKey.generate_key(2048, {"kid": "key-1"})
    now = int(time.time())
    token = jwt.encode(
        {"alg": "RS256", "kid": "key-1"},
        {
            "iss": provider.url,
            "aud": "hearing-basic",
            "iat": now,
            "jti": "x",
            "sub": "sub-14",
            "events": {oidc.BACKCHANNEL_LOGOUT_EVENT: {}},
        },
        forged,
    )
    refused = client.post(f"{API}/auth/oidc/backchannel-logout", data={"logout_token": token})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"
    assert signed_in_as_planner(client)
