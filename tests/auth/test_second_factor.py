"""The second factor: no page and no token for a password alone, codes work once,
recovery codes work once, enrolment is forced, attempts are throttled."""

import re
import uuid
from datetime import timedelta

import pyotp
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from service.auth.pages import START_PAGES
from service.core.clock import utcnow
from service.main import PAGES
from service.models import Role
from service.models.auth import RecoveryCode, WebSession
from tests.helpers import (
    API,
    PASSWORD,
    TOTP_SECRET,
    assert_problem,
    csrf_of,
    enrol,
    enter_code,
    login_body,
    sign_in,
    totp_code,
)

HTML = {"accept": "text/html"}
SIGN_IN_ROLES = [r for r in Role if r is not Role.APPLICANT]


def password_only(client, username: str, password: str = PASSWORD):
    """The password step alone, as a browser would send it."""
    form = client.get("/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(form.text), "username": username, "password": password}
    return client.post("/sign-in", data=data, headers=HTML, follow_redirects=False)


def signed_in_pages() -> list[str]:
    """Every GET page that declares roles, with a random id for each path parameter."""
    paths = []
    for router in PAGES:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            declared = any(
                getattr(d.call, "allowed_roles", None) for d in route.dependant.dependencies
            )
            if declared and "GET" in route.methods:
                paths.append(re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), route.path))
    return paths


@pytest.mark.parametrize("role", SIGN_IN_ROLES, ids=str)
def test_a_password_alone_opens_no_page(client, factory, role):
    person = factory.person(role)
    step = password_only(client, person.user.username)
    assert step.status_code == 303
    assert step.headers["location"] == "/sign-in/code"
    pages = signed_in_pages()
    assert len(pages) > 10
    for path in pages:
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, (path, response.status_code)
        # The kiosk's pages send a stranger to the kiosk's code entry, not to staff sign-in.
        entry = "/kiosk?next=" if path.startswith("/kiosk/") else "/sign-in?next="
        assert response.headers["location"].startswith(entry), path


def test_the_password_step_cookie_is_not_a_bearer_token_either(client, factory):
    person = factory.person(Role.ADMIN)
    password_only(client, person.user.username)
    half = next(iter(client.cookies.values()))
    assert_problem(
        client.get(f"{API}/me", headers={"Authorization": f"Bearer {half}"}),
        401,
        "not_authenticated",
    )


def test_the_code_completes_the_sign_in_under_a_new_cookie(client, factory):
    person = factory.person(Role.OFFICER)
    step = password_only(client, person.user.username)
    half = dict(client.cookies)
    done = enter_code(client, step.headers["location"], totp_code(person.user.username))
    assert done.status_code == 303
    assert done.headers["location"] == START_PAGES[Role.OFFICER]
    assert dict(client.cookies) != half  # a new secret: a planted cookie stays useless
    assert client.get("/officer", headers=HTML).status_code == 200
    client.cookies.clear()
    client.cookies.update(half)
    assert client.get("/officer", headers=HTML, follow_redirects=False).status_code == 303


def test_a_wrong_code_shows_the_form_again_accessibly(client, factory):
    person = factory.person(Role.PLANNER)
    step = password_only(client, person.user.username)
    page = client.get(step.headers["location"], headers=HTML)
    assert 'autocomplete="one-time-code"' in page.text
    assert 'inputmode="numeric"' in page.text
    assert '<label class="utrecht-form-label" for="code">' in page.text
    wrong = enter_code(client, step.headers["location"], "000000")
    assert wrong.status_code == 422
    assert 'href="#code"' in wrong.text  # the error summary links to the field
    assert 'aria-describedby="code-hint code-error"' in wrong.text
    assert "De code klopt niet" in wrong.text


def test_a_code_works_once_even_within_its_thirty_seconds(client, factory):
    person = factory.person(Role.LAWYER)
    code = totp_code(person.user.username)
    body = {"username": person.user.username, "password": PASSWORD, "code": code}
    assert client.post(f"{API}/auth/token", json=body).status_code == 200
    assert_problem(client.post(f"{API}/auth/token", json=body), 401, "bad_second_factor")
    # The same in the browser: the code the API took does not open a session either.
    step = password_only(client, person.user.username)
    assert enter_code(client, step.headers["location"], code).status_code == 422


def test_an_older_code_than_the_last_one_used_is_refused(client, factory):
    person = factory.person(Role.HOST)
    generator = pyotp.TOTP(TOTP_SECRET)
    now = generator.timecode(utcnow())
    newer = {"username": person.user.username, "password": PASSWORD}
    newer["code"] = generator.generate_otp(now)
    assert client.post(f"{API}/auth/token", json=newer).status_code == 200
    older = newer | {"code": generator.generate_otp(now - 1)}  # still inside the drift window
    assert_problem(client.post(f"{API}/auth/token", json=older), 401, "bad_second_factor")


def test_a_token_needs_the_code(client, factory):
    person = factory.person(Role.COORDINATOR)
    body = {"username": person.user.username, "password": PASSWORD}
    missing = client.post(f"{API}/auth/token", json=body)
    assert missing.status_code == 422
    assert "code" in missing.text
    far = pyotp.TOTP(TOTP_SECRET).at(utcnow() - timedelta(minutes=5))
    assert_problem(
        client.post(f"{API}/auth/token", json=body | {"code": far}), 401, "bad_second_factor"
    )
    assert client.post(f"{API}/auth/token", json=login_body(person.user.username)).is_success


def test_an_account_without_a_second_factor_gets_no_token_and_must_enrol(client, factory):
    person = factory.person(Role.TRANSLATOR, enrol=False)
    body = login_body(person.user.username)
    assert_problem(client.post(f"{API}/auth/token", json=body), 403, "second_factor_not_enrolled")
    step = password_only(client, person.user.username)
    assert step.headers["location"] == "/sign-in/enrol"
    # The code page sends it back to enrolment, and no page opens meanwhile.
    code_page = client.get("/sign-in/code", headers=HTML, follow_redirects=False)
    assert code_page.headers["location"] == "/sign-in/enrol"
    assert client.get("/agency", headers=HTML, follow_redirects=False).status_code == 303


def test_enrolment_shows_a_qr_code_and_a_key_then_recovery_codes_once(client, factory):
    person = factory.person(Role.ADMIN, enrol=False)
    step = password_only(client, person.user.username)
    page = client.get(step.headers["location"], headers=HTML)
    assert 'src="data:image/svg+xml' in page.text
    assert 'alt="QR-code' in page.text
    again = client.get(step.headers["location"], headers=HTML)
    key = re.search(r'class="app-secret" dir="ltr">([A-Z2-7 ]+)<', page.text)
    assert key is not None
    assert key.group(1) in again.text  # a reload keeps the secret the phone scanned

    secret = key.group(1).replace(" ", "")
    data = {"csrf_token": csrf_of(page.text), "code": "123456"}
    wrong = client.post("/sign-in/enrol", data=data, headers=HTML)
    assert wrong.status_code == 422
    assert 'href="#code"' in wrong.text
    data["code"] = totp_code(person.user.username, secret)
    shown = client.post("/sign-in/enrol", data=data, headers=HTML)
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", shown.text)
    assert len(set(codes)) == 10
    assert client.get("/admin", headers=HTML).status_code == 200  # signed in now
    token = client.post(
        f"{API}/auth/token",
        json={"username": person.user.username, "password": PASSWORD, "code": codes[0]},
    )
    assert token.status_code == 200


def test_a_recovery_code_works_once(client, db, factory):
    person = factory.person(Role.PLANNER, enrol=False)
    _, codes = enrol(client, person.user.username)
    stored = db.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.user.id)
    )
    assert all(value.startswith("$argon2id$") for value in stored)  # salted, slow
    client.cookies.clear()
    step = password_only(client, person.user.username)
    assert enter_code(client, step.headers["location"], codes[3].upper()).status_code == 303
    client.cookies.clear()
    step = password_only(client, person.user.username)
    assert enter_code(client, step.headers["location"], codes[3]).status_code == 422
    body = {"username": person.user.username, "password": PASSWORD, "code": codes[3]}
    assert_problem(client.post(f"{API}/auth/token", json=body), 401, "bad_second_factor")
    assert client.post(f"{API}/auth/token", json=body | {"code": codes[4]}).is_success


def test_wrong_codes_lock_out_like_wrong_passwords(client, factory):
    person = factory.person(Role.OFFICER)
    body = {"username": person.user.username, "password": PASSWORD, "code": "000000"}
    for _ in range(5):
        assert_problem(client.post(f"{API}/auth/token", json=body), 401, "bad_second_factor")
    locked = client.post(f"{API}/auth/token", json=login_body(person.user.username))
    assert_problem(locked, 429, "too_many_attempts")
    assert int(locked.headers["retry-after"]) > 0
    step = password_only(client, person.user.username)
    page = enter_code(client, step.headers["location"], totp_code(person.user.username))
    assert page.status_code == 429
    assert "Te veel pogingen" in page.text


def test_the_password_step_expires(client, db, factory):
    person = factory.person(Role.HOST)
    step = password_only(client, person.user.username)
    row = db.scalars(select(WebSession).where(WebSession.user_id == person.user.id)).one()
    assert row.expires_at < utcnow() + timedelta(minutes=11)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    late = enter_code(client, step.headers["location"], totp_code(person.user.username))
    assert late.status_code == 303
    assert late.headers["location"] == "/sign-in"


def test_resetting_the_second_factor_ends_sessions_and_forces_a_new_enrolment(client, factory):
    person = factory.person(Role.LAWYER)
    admin = factory.person(Role.ADMIN)
    assert sign_in(client, person.user.username).status_code == 303
    reset = client.post(f"{API}/users/{person.user.id}/second-factor/reset", headers=admin.headers)
    assert reset.json()["second_factor"] is False
    assert client.get("/lawyer", headers=HTML, follow_redirects=False).status_code == 303
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")
    assert password_only(client, person.user.username).headers["location"] == "/sign-in/enrol"
