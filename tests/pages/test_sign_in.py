"""Browser sessions: signing in and out, the cookie, CSRF, timeouts, lockout, start pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.auth import service as auth_service
from service.auth.pages import START_PAGES
from service.core.clock import utcnow
from service.models import Role
from service.models.auth import WebSession
from tests.helpers import API, PASSWORD, csrf_of, login_body, sign_in

HTML = {"accept": "text/html"}
SIGN_IN_ROLES = [r for r in Role if r is not Role.APPLICANT]


def session_row(db, user) -> WebSession:
    return db.scalars(
        select(WebSession).where(WebSession.user_id == user.id).order_by(WebSession.created_at)
    ).all()[-1]


@pytest.mark.parametrize("role", SIGN_IN_ROLES, ids=str)
def test_each_role_signs_in_lands_on_its_start_page_and_signs_out(client, db, factory, role):
    person = factory.person(role)
    response = sign_in(client, person.user.username)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == START_PAGES[role]

    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    start = client.get(START_PAGES[role], headers=HTML)
    assert start.status_code == 200, start.text
    assert 'action="/sign-out"' in start.text

    out = client.post("/sign-out", data={"csrf_token": csrf_of(start.text)}, headers=HTML)
    assert out.status_code == 200  # followed to the sign-in page
    assert "U bent uitgelogd." in out.text
    assert session_row(db, person.user).ended_at is not None
    again = client.get(START_PAGES[role], headers=HTML, follow_redirects=False)
    assert again.status_code == 303


def test_sign_out_ends_the_session_even_for_a_stolen_copy_of_the_cookie(client, db, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    stolen = dict(client.cookies)
    page = client.get("/planner", headers=HTML)
    client.post("/sign-out", data={"csrf_token": csrf_of(page.text)}, headers=HTML)
    client.cookies.clear()
    client.cookies.update(stolen)
    assert client.get("/planner", headers=HTML, follow_redirects=False).status_code == 303


# Who may open which start page (planners and admins also see the hosts' session lists).
START_PAGE_ROLES = {
    "/planner": {Role.PLANNER, Role.ADMIN},
    "/host": {Role.HOST, Role.PLANNER, Role.ADMIN},
    "/lawyer": {Role.LAWYER},
    "/agency": {Role.TRANSLATOR},
    "/officer": {Role.OFFICER},
    "/coordinator": {Role.COORDINATOR},
    "/unit1f": {Role.UNIT_1F},
    "/interpreter": {Role.INTERPRETER, Role.PLANNER, Role.ADMIN},  # planners listen
    "/admin": {Role.ADMIN},
    "/partner": {Role.PARTNER},
    "/form-owner": {Role.FORM_OWNER, Role.ADMIN},
}


def test_each_start_page_is_for_its_roles_only(client, factory):
    assert set(START_PAGE_ROLES) == set(START_PAGES.values())
    for role in SIGN_IN_ROLES:
        person = factory.person(role)
        client.cookies.clear()
        sign_in(client, person.user.username)
        for path, roles in START_PAGE_ROLES.items():
            status = client.get(path, headers=HTML).status_code
            assert status == (200 if role in roles else 403), (role, path, status)


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(client, factory):
    person = factory.person(Role.OFFICER)
    response = client.get("/officer", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/officer"
    back = sign_in(client, person.user.username, next_page="/officer")
    assert back.headers["location"] == "/officer"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_leaves_the_site(client, factory, target):
    person = factory.person(Role.LAWYER)
    response = sign_in(client, person.user.username, next_page=target)
    assert response.headers["location"] == "/lawyer"


def test_wrong_password_shows_the_form_again_with_the_message_at_the_field(client, factory):
    person = factory.person(Role.PLANNER)
    response = sign_in(client, person.user.username, "not the password")
    assert response.status_code == 422
    assert "De gebruikersnaam of het wachtwoord klopt niet." in response.text
    assert 'aria-describedby="password-error"' in response.text
    assert 'href="#password"' in response.text  # the error summary links to the field
    assert f'value="{person.user.username}"' in response.text  # nothing typed is lost
    assert "session=" not in response.headers.get("set-cookie", "")


def test_empty_fields_are_named_in_the_error_summary(client):
    form = client.get("/sign-in", headers=HTML)
    response = client.post("/sign-in", data={"csrf_token": csrf_of(form.text)}, headers=HTML)
    assert response.status_code == 422
    assert "Vul uw gebruikersnaam in." in response.text
    assert "Vul uw wachtwoord in." in response.text
    assert "<title>Fout: Inloggen" in response.text


# --- CSRF -----------------------------------------------------------------------------


def test_a_form_post_without_the_csrf_token_is_refused(client, factory):
    person = factory.person(Role.PLANNER)
    client.get("/sign-in", headers=HTML)  # has the pre-session cookie, not the token
    refused = client.post(
        "/sign-in", data={"username": person.user.username, "password": PASSWORD}, headers=HTML
    )
    assert refused.status_code == 403
    assert "csrf_rejected" in refused.text

    sign_in(client, person.user.username)
    refused = client.post("/sign-out", headers=HTML)
    assert refused.status_code == 403
    assert client.get("/planner", headers=HTML).status_code == 200, "still signed in"


def test_a_token_from_another_browser_is_refused(client, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    foreign = "0" * 64
    refused = client.post("/sign-out", data={"csrf_token": foreign}, headers=HTML)
    assert refused.status_code == 403


# --- timeouts, deactivation, lockout --------------------------------------------------


def test_an_idle_session_ends(client, db, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    row = session_row(db, person.user)
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db.flush()
    assert client.get("/planner", headers=HTML, follow_redirects=False).status_code == 303
    assert row.ended_at is not None


def test_a_session_ends_at_its_absolute_limit_even_when_busy(client, db, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    row = session_row(db, person.user)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert client.get("/planner", headers=HTML, follow_redirects=False).status_code == 303


def test_deactivating_an_account_ends_its_sessions_and_tokens_at_once(client, db, factory):
    person = factory.person(Role.LAWYER)
    sign_in(client, person.user.username)
    assert client.get("/lawyer", headers=HTML).status_code == 200
    admin = factory.person(Role.ADMIN)
    done = client.post(f"{API}/users/{person.user.id}/deactivate", headers=admin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["active"] is False
    assert client.get("/lawyer", headers=HTML, follow_redirects=False).status_code == 303
    assert client.get(f"{API}/me", headers=person.headers).status_code == 401
    again = client.post(f"{API}/auth/token", json=login_body(person.user.username))
    assert again.status_code == 401
    client.post(f"{API}/users/{person.user.id}/reactivate", headers=admin.headers)
    assert sign_in(client, person.user.username).status_code == 303


def test_repeated_failures_lock_the_account_out_with_retry_after(client, factory):
    person = factory.person(Role.OFFICER)
    body = login_body(person.user.username, "wrong")
    for _ in range(5):
        assert client.post(f"{API}/auth/token", json=body).status_code == 401
    locked = client.post(f"{API}/auth/token", json=login_body(person.user.username))
    assert locked.status_code == 429, locked.text
    assert locked.json()["code"] == "too_many_attempts"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    page = sign_in(client, person.user.username)
    assert page.status_code == 429
    assert "Te veel pogingen" in page.text


def test_an_unknown_user_costs_a_password_check_like_a_wrong_password(db, monkeypatch):
    """Timing must not tell which accounts exist: both paths verify one argon2 hash."""
    checks: list[str] = []
    real = auth_service._hasher

    class CountingHasher:
        def verify(self, hash_: str, password: str) -> bool:
            checks.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(auth_service, "_hasher", CountingHasher())
    for username in ("nobody.here", "nobody.else"):
        with pytest.raises(auth_service.BadCredentials):
            auth_service.authenticate(db, username, "some password", "192.0.2.1")
    assert len(checks) == 2


def test_the_api_sign_out_revokes_the_bearer_token(client, factory):
    person = factory.person(Role.PLANNER)
    assert client.get(f"{API}/me", headers=person.headers).status_code == 200
    assert client.post(f"{API}/auth/sign-out", headers=person.headers).status_code == 204
    assert client.get(f"{API}/me", headers=person.headers).status_code == 401
