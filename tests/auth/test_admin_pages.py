"""Account administration on the /admin pages and the API: create, deactivate,
reactivate, reset a second factor, issue a password link, see and end sessions."""

import re

from fastapi.testclient import TestClient

from service.main import app
from service.models import Role
from tests.helpers import API, assert_problem, csrf_of, enrol, sign_in

HTML = {"accept": "text/html"}
NEW_PASSWORD = "zeven blauwe kraanvogels boven het ijsselmeer"


def admin_browser(factory) -> TestClient:
    admin = factory.person(Role.ADMIN)
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, admin.user.username).status_code == 303
    return browser


def post_form(browser, page_path: str, action: str, **fields: str):
    page = browser.get(page_path, headers=HTML)
    data = {"csrf_token": csrf_of(page.text), **fields}
    return browser.post(action, data=data, headers=HTML, follow_redirects=False)


def test_an_admin_creates_an_account_who_sets_a_password_and_enrols(client, factory):
    factory.agency()
    browser = admin_browser(factory)
    form = browser.get("/admin/users/new", headers=HTML)
    assert form.status_code == 200
    assert '<select class="utrecht-select' in form.text
    missing = post_form(
        browser,
        "/admin/users/new",
        "/admin/users/new",
        display_name="Nieuwe Vertaler",
        username="translator.nieuw",
        role="translator",
    )
    assert missing.status_code == 422
    assert "Kies het bureau waarvoor deze vertaler werkt." in missing.text
    assert 'href="#agency"' in missing.text

    created = post_form(
        browser,
        "/admin/users/new",
        "/admin/users/new",
        display_name="Nieuwe Vertaler",
        username="translator.nieuw",
        role="translator",
        agency="Vertaalbureau Test",
    )
    assert created.status_code == 200
    link = re.search(
        r'class="app-secret" dir="ltr">https?://[^/]+(/reset-password/[^<]+)<', created.text
    )
    assert link is not None
    # The new user: a password through the link, then the second factor at first sign-in.
    form = client.get(link.group(1), headers=HTML)
    data = {"csrf_token": csrf_of(form.text), "new_password": NEW_PASSWORD}
    assert (
        client.post(link.group(1), data=data, headers=HTML, follow_redirects=False).status_code
        == 303
    )
    secret, codes = enrol(client, "translator.nieuw", NEW_PASSWORD)
    assert secret
    assert len(codes) == 10
    assert client.get("/agency", headers=HTML).status_code == 200

    taken = post_form(
        browser,
        "/admin/users/new",
        "/admin/users/new",
        display_name="Nog een",
        username="translator.nieuw",
        role="planner",
    )
    assert "Deze gebruikersnaam is al in gebruik." in taken.text


def test_deactivating_on_the_page_ends_the_users_session_at_once(client, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    stolen = dict(client.cookies)
    browser = admin_browser(factory)
    page = f"/admin/users/{person.user.id}"
    done = post_form(browser, page, f"{page}/deactivate")
    assert done.headers["location"] == f"{page}?done=deactivated"
    assert (
        "Het account is gedeactiveerd" in browser.get(done.headers["location"], headers=HTML).text
    )
    client.cookies.clear()
    client.cookies.update(stolen)  # the same cookie, replayed
    assert client.get("/planner", headers=HTML, follow_redirects=False).status_code == 303
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")
    assert sign_in(client, person.user.username).status_code == 422

    post_form(browser, page, f"{page}/reactivate")
    assert sign_in(client, person.user.username).status_code == 303


def test_an_admin_sees_live_sessions_and_ends_one(client, factory):
    person = factory.person(Role.OFFICER)
    sign_in(client, person.user.username)
    browser = admin_browser(factory)
    page = f"/admin/users/{person.user.id}"
    listed = browser.get(page, headers=HTML)
    assert "testclient" in listed.text  # the browser's user agent
    assert "API-token" in listed.text  # the factory's token
    ends = re.findall(rf'action="({page}/sessions/[0-9a-f-]+/end)"', listed.text)
    assert len(ends) == 2
    for action in ends:
        assert post_form(browser, page, action).status_code == 303
    assert "Nergens ingelogd." in browser.get(page, headers=HTML).text
    assert client.get("/officer", headers=HTML, follow_redirects=False).status_code == 303
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")


def test_sessions_over_the_api(client, factory):
    person = factory.person(Role.LAWYER)
    admin = factory.person(Role.ADMIN)
    sign_in(client, person.user.username)
    live = client.get(
        f"{API}/auth/sessions", params={"user_id": str(person.user.id)}, headers=admin.headers
    )
    assert live.status_code == 200
    kinds = sorted(s["kind"] for s in live.json())
    assert kinds == ["browser", "token"]
    browser = next(s for s in live.json() if s["kind"] == "browser")
    ended = client.post(f"{API}/auth/sessions/{browser['id']}/end", headers=admin.headers)
    assert ended.status_code == 204
    assert client.get("/lawyer", headers=HTML, follow_redirects=False).status_code == 303
    again = client.post(f"{API}/auth/sessions/{browser['id']}/end", headers=admin.headers)
    assert_problem(again, 404, "session_not_found")


def test_resetting_a_second_factor_and_issuing_a_link_on_the_page(factory):
    person = factory.person(Role.HOST)
    browser = admin_browser(factory)
    page = f"/admin/users/{person.user.id}"
    assert "Ingesteld; nog 0 herstelcodes over" in browser.get(page, headers=HTML).text
    done = post_form(browser, page, f"{page}/second-factor/reset")
    assert done.headers["location"] == f"{page}?done=second-factor-reset"
    assert "Niet ingesteld" in browser.get(page, headers=HTML).text
    shown = post_form(browser, page, f"{page}/password-reset")
    assert shown.status_code == 200
    assert "/reset-password/" in shown.text
    assert shown.headers["cache-control"] == "no-store"


def test_the_admin_pages_are_for_admins_only(client, factory):
    person = factory.person(Role.PLANNER)
    sign_in(client, person.user.username)
    for path in ("/admin", "/admin/users/new", f"/admin/users/{person.user.id}"):
        assert client.get(path, headers=HTML).status_code == 403
