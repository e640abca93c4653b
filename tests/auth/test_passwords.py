"""The password rule, changing a password, and an administrator's one-time reset link."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from zxcvbn import zxcvbn

from service.auth import passwords
from service.core.clock import utcnow
from service.dev.demo import DEMO_PASSWORD
from service.models import Role
from service.models.auth import PasswordResetLink
from tests.browser.conftest import PASSWORD as BROWSER_PASSWORD
from tests.helpers import API, PASSWORD, assert_problem, csrf_of, login_body, sign_in

HTML = {"accept": "text/html"}
NEW_PASSWORD = "paarse olifant fietst langs de gracht 7"


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, BROWSER_PASSWORD, NEW_PASSWORD])
def test_the_projects_own_passwords_pass(password):
    assert passwords.judge(password, ["someone.else"]).ok


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kort1!", passwords.TOO_SHORT),
        ("1qaz2wsx3edc", passwords.BREACHED),  # from the bundled breach list
        ("LEAVEMEALONE", passwords.BREACHED),  # case does not help
        ("wachtwoordgeheim", passwords.TOO_WEAK),  # Dutch words: "password secret"
        ("amsterdamrotterdam", passwords.TOO_WEAK),
        ("mijnwachtwoord1", passwords.TOO_WEAK),  # "my password"
        ("devriesjansen2020", passwords.TOO_WEAK),  # Dutch surnames and a year
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    verdict = passwords.judge(password)
    assert verdict.problem == problem, verdict


def test_dutch_words_and_names_are_in_the_estimators_dictionaries():
    passwords.judge("x" * 12)  # loads the lists
    found = {
        (match["token"], match.get("dictionary_name"))
        for match in zxcvbn("gezelligheidjeroenfietsenstalling")["sequence"]
    }
    assert ("jeroen", "dutch-first-names") in found
    assert ("fietsenstalling", "dutch-wikipedia") in found


def test_the_persons_own_name_counts_as_a_guessable_word():
    password = "Pieternel.Brouwershaven"
    assert passwords.judge(password).ok
    assert not passwords.judge(password, ["pieternel.brouwershaven", "Pieternel Brouwershaven"]).ok


def test_a_weak_password_is_refused_when_an_account_is_made(client, factory):
    admin = factory.person(Role.ADMIN)
    body = {"username": "new.planner", "display_name": "New", "role": "planner"}
    response = client.post(
        f"{API}/users", headers=admin.headers, json=body | {"password": "wachtwoord123"}
    )
    problem = assert_problem(response, 422, "weak_password")
    assert "too easy to guess" in problem["detail"]


# --- changing one's own password ----------------------------------------------------------


def test_changing_a_password_over_the_api_ends_every_other_token_and_session(client, factory):
    person = factory.person(Role.OFFICER)
    sign_in(client, person.user.username)  # a browser session, to be ended
    current = client.post(f"{API}/auth/token", json=login_body(person.user.username)).json()
    mine = {"Authorization": f"Bearer {current['access_token']}"}
    body = {"current_password": "not it at all", "new_password": NEW_PASSWORD}
    assert_problem(
        client.post(f"{API}/auth/password", headers=mine, json=body), 401, "bad_credentials"
    )
    weak = {"current_password": PASSWORD, "new_password": "officer1234567"}
    assert_problem(
        client.post(f"{API}/auth/password", headers=mine, json=weak), 422, "weak_password"
    )

    body["current_password"] = PASSWORD
    assert client.post(f"{API}/auth/password", headers=mine, json=body).status_code == 204
    assert client.get(f"{API}/me", headers=mine).status_code == 200  # this token goes on
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")
    assert client.get("/officer", headers=HTML, follow_redirects=False).status_code == 303
    assert sign_in(client, person.user.username, NEW_PASSWORD).status_code == 303
    assert sign_in(client, person.user.username).status_code == 422  # the old one is gone


def test_changing_a_password_on_the_page(client, factory):
    person = factory.person(Role.TRANSLATOR)
    sign_in(client, person.user.username)
    page = client.get("/account/password", headers=HTML)
    assert 'autocomplete="current-password"' in page.text
    assert 'autocomplete="new-password"' in page.text
    data = {"csrf_token": csrf_of(page.text), "current_password": PASSWORD}
    weak = client.post(
        "/account/password", data=data | {"new_password": "1qaz2wsx3edc"}, headers=HTML
    )
    assert weak.status_code == 422
    assert "datalekken" in weak.text
    assert 'href="#new_password"' in weak.text
    client.cookies.set("lang", "en")
    english = client.post("/account/password", data=data | {"new_password": "kort"}, headers=HTML)
    assert "at least 12 characters" in english.text
    done = client.post(
        "/account/password", data=data | {"new_password": NEW_PASSWORD}, headers=HTML
    )
    assert done.status_code == 200
    assert "signed out everywhere else" in done.text
    assert client.get("/agency", headers=HTML).status_code == 200  # still signed in here


# --- the administrator's one-time link ----------------------------------------------------


def reset_link(client, admin, user) -> str:
    response = client.post(f"{API}/users/{user.id}/password-reset", headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()["path"]


def set_password(client, path: str, password: str):
    form = client.get(path, headers=HTML)
    data = {"csrf_token": csrf_of(form.text), "new_password": password}
    return client.post(path, data=data, headers=HTML, follow_redirects=False)


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(client, db, factory):
    person = factory.person(Role.HOST)
    admin = factory.person(Role.ADMIN)
    path = reset_link(client, admin, person.user)
    token = path.rsplit("/", 1)[1]
    stored = db.scalars(select(PasswordResetLink.token_hash)).all()
    assert token not in stored  # only a digest is kept

    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert person.user.username in page.text
    weak = set_password(client, path, "wachtwoordgeheim")
    assert weak.status_code == 422
    assert "te makkelijk te raden" in weak.text
    done = set_password(client, path, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/sign-in?password_set=true"
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")
    assert client.get(path, headers=HTML).status_code == 404  # spent
    assert sign_in(client, person.user.username, NEW_PASSWORD).status_code == 303


def test_a_reset_link_expires_and_a_newer_one_replaces_it(client, db, factory):
    person = factory.person(Role.LAWYER)
    admin = factory.person(Role.ADMIN)
    first = reset_link(client, admin, person.user)
    second = reset_link(client, admin, person.user)
    assert client.get(first, headers=HTML).status_code == 404
    for link in db.scalars(select(PasswordResetLink)):
        link.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    gone = client.get(second, headers=HTML)
    assert gone.status_code == 404
    assert_problem(client.get(second), 404, "reset_link_invalid")


def test_only_an_admin_issues_reset_links(client, factory):
    person = factory.person(Role.PLANNER)
    response = client.post(f"{API}/users/{person.user.id}/password-reset", headers=person.headers)
    assert_problem(response, 403, "role_not_allowed")
