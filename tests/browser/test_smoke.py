"""The browser-test infrastructure works: Chromium, the live app, axe, screenshots.

These tests check structure, not wording: the start page is being redesigned."""

import uuid

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.browser.conftest import (
    LOCALE,
    SCREENSHOTS,
    SIGN_IN_ROLES,
    LiveServer,
    assert_accessible,
    sign_in,
    snap,
)
from tests.helpers import login_body
from tests.live import server_error_excerpt


def test_start_page_loads_with_language_landmark_and_title(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("html").get_attribute("lang"), "<html lang> for screen readers"
    assert page.locator("main").count() == 1, "one <main> landmark"
    assert page.locator("main").is_visible()
    assert page.title().strip()

    path = snap(page, "start")
    assert path == SCREENSHOTS / "test_start_page_loads_with_language_landmark_and_title-start.png"
    assert path.read_bytes().startswith(b"\x89PNG")


def test_start_page_is_accessible(page: Page) -> None:
    page.goto("/")
    result = assert_accessible(page)
    assert result["passes"], "axe ran its rules"


def test_axe_checks_the_page_as_its_user_sees_it_and_reports_violations(
    browser: Browser, live_server: LiveServer, page: Page
) -> None:
    """axe's page is reused between checks: it takes the checked page's cookies, only
    those, and no storage from the check before."""
    sign_in(page, live_server.accounts["planner"])
    signed_in_page = page.url
    assert "/sign-in" not in signed_in_page
    assert assert_accessible(page)["url"] == signed_in_page
    kept = browser._axe_page  # type: ignore[attr-defined]
    kept.evaluate("localStorage.setItem('left', 'behind')")  # as a page's own script might
    assert_accessible(page)
    assert kept.evaluate("localStorage.length") == 0, "storage stayed from the last check"

    stranger = browser.new_context(base_url=live_server.url, locale=LOCALE).new_page()

    def blank(route: Route) -> None:
        route.fulfill(body="<!doctype html><title>x</title>", content_type="text/html")

    stranger.route(signed_in_page, blank)  # the stranger's own page stays at the URL
    stranger.goto(signed_in_page)
    assert "/sign-in" in assert_accessible(stranger)["url"], "the planner's cookie stayed"

    stranger.goto("data:text/html,<html><body><img src='x.png'></body></html>")
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        assert_accessible(stranger)
    stranger.context.close()


def test_unknown_page_shows_the_readable_error_page(page: Page) -> None:
    response = page.goto(f"/no-such-page-{uuid.uuid4().hex[:8]}")
    assert response is not None
    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("html").get_attribute("lang")
    assert page.locator("main h1").is_visible()
    assert page.get_by_role("alert").is_visible()
    assert page.locator("main code").inner_text() == "not_found"
    assert page.locator("main a[href='/']").count() >= 1, "a way back to the start page"
    assert_accessible(page)


def test_every_role_can_sign_in_on_the_live_server(page: Page, live_server: LiveServer) -> None:
    assert sorted(live_server.accounts) == sorted(role.value for role in SIGN_IN_ROLES)
    for role, account in live_server.accounts.items():
        response = page.request.post(
            "/api/v1/auth/token",
            data=login_body(account.username, account.password),
        )
        assert response.status == 200, (role, response.text())
        assert response.json()["role"] == role


@pytest.mark.parametrize(
    ("log", "found"),
    [
        ('INFO:     127.0.0.1:5 - "GET / HTTP/1.1" 200 OK\n', False),
        ('INFO:     127.0.0.1:5 - "GET /x HTTP/1.1" 404 Not Found\n', False),
        ('INFO:     127.0.0.1:5 - "GET / HTTP/1.1" 500 Internal Server Error\n', True),
        ("ERROR:    Exception in ASGI application\nTraceback (most recent call last):\n", True),
    ],
)
def test_server_errors_in_the_log_are_found(log: str, found: bool) -> None:
    assert (server_error_excerpt(log) is not None) is found
