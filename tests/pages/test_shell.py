"""The page shell: security headers, no CDN, errors in the user's language, languages,
the body limit, and what production switches off."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.core.settings import PROJECT_ROOT, Settings
from service.models import Role
from tests.helpers import API, sign_in

HTML = {"accept": "text/html"}
NEEDED = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
}


def test_every_response_carries_the_security_headers(client, factory):
    person = factory.person(Role.PLANNER)
    responses = {
        "page": client.get("/", headers=HTML),
        "error page": client.get("/no-such-page", headers=HTML),
        "api": client.get(f"{API}/me", headers=person.headers),
        "api error": client.get(f"{API}/me"),
        "static": client.get("/static/css/app.css"),
        "health": client.get("/health"),
    }
    for name, response in responses.items():
        missing = NEEDED - set(response.headers)
        assert not missing, (name, missing)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers
    for name in ("page", "error page", "api", "api error", "health"):
        assert responses[name].headers["cache-control"] == "no-store", name
    assert "no-store" not in responses["static"].headers.get("cache-control", "")


def test_no_page_loads_anything_from_another_site():
    """No CDN: every script, style, image and font comes from the service itself."""
    outside = re.compile(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', re.IGNORECASE)
    sources = [*Path(PROJECT_ROOT / "templates").rglob("*.html")]
    sources += [
        p
        for p in (PROJECT_ROOT / "service" / "static").rglob("*")
        if p.suffix in (".css", ".js") and "vendor" not in p.parts
    ]
    offenders = [str(p) for p in sources if outside.search(p.read_text(encoding="utf-8"))]
    css_imports = re.compile(r"@import\s+url\(\s*['\"]?https?:", re.IGNORECASE)
    offenders += [
        str(p)
        for p in (PROJECT_ROOT / "service" / "static").rglob("*.css")
        if css_imports.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_the_api_docs_run_from_the_services_own_copy_of_swagger_ui(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in docs.text  # no inline script (the CSP forbids it)
    assert client.get("/openapi.json").status_code == 200


def test_production_publishes_no_docs_and_no_schema(monkeypatch):
    import service.main

    production = Settings(
        env="production",
        secret_key="Lk2PzR8wYt1uB6nJ4mC0sD7fGh_eT5aKXq3v9-",
        data_keys=SecretStr("live:" + "A" * 43 + "="),
    )
    monkeypatch.setattr(service.main, "get_settings", lambda: production)
    app = service.main.create_app()
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404


@pytest.mark.parametrize(
    "secret",
    ["dev-only-not-secret", "short-secret", "a" * 64, "0123456789" * 5],
)
def test_a_weak_secret_key_is_refused_in_production(secret):
    with pytest.raises(ValueError, match="HEARING_SECRET_KEY"):
        Settings(env="production", secret_key=secret)
    Settings(
        env="production",
        secret_key="Lk2PzR8wYt1uB6nJ4mC0sD7fGh_eT5aKXq3v9-",
        data_keys=SecretStr("live:" + "A" * 43 + "="),
    )


# --- errors ---------------------------------------------------------------------------


def test_errors_are_pages_in_the_users_language_and_problems_for_the_api(client, factory):
    dutch = client.get("/no-such-page", headers=HTML)
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.text
    assert '<html lang="nl"' in dutch.text
    english = client.get("/no-such-page", headers={**HTML, "accept-language": "en-GB,en;q=0.9"})
    assert "Page not found" in english.text
    assert '<html lang="en"' in english.text

    api = client.get(f"{API}/cases/not-a-uuid", headers=factory.person(Role.PLANNER).headers)
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")

    person = factory.person(Role.LAWYER)
    sign_in(client, person.user.username)
    forbidden = client.get("/planner", headers=HTML)
    assert forbidden.status_code == 403
    assert "Dit mag u niet doen" in forbidden.text


def test_a_server_error_is_a_readable_page_too(client, monkeypatch):
    import service.auth.pages

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(service.auth.pages, "safe_next", broken)
    response = client.get("/sign-in", headers=HTML)
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.text
    assert "a bug" not in response.text


# --- languages ------------------------------------------------------------------------


def test_the_language_switch_remembers_the_choice(client):
    switched = client.get("/language/en?next=/sign-in", follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/sign-in"
    assert "lang=en" in switched.headers["set-cookie"]
    page = client.get("/sign-in", headers=HTML)
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Username" in page.text
    unknown = client.get("/language/xx?next=https://evil.example", follow_redirects=False)
    assert unknown.headers["location"] == "/"
    assert "set-cookie" not in unknown.headers


# --- the body limit -------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, factory):
    planner = factory.person(Role.PLANNER)
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = client.post(
        f"{API}/locations",
        content=big,
        headers={**planner.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    # Without a token too: nobody makes the service read 200 MB.
    anonymous = client.post(
        f"{API}/auth/token", content=big, headers={"content-type": "application/json"}
    )
    assert anonymous.status_code == 413


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client, factory):
    planner = factory.person(Role.PLANNER)

    def chunks():
        yield b'{"name": "'
        for _ in range(2048):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(
        f"{API}/locations",
        content=chunks(),
        headers={**planner.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
