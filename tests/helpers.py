"""Small assertions and steps the HTTP tests share."""

import re
from typing import Any

API = "/api/v1"


def ok(response: Any, status: int = 200) -> Any:
    """Assert the status and return the JSON body."""
    assert response.status_code == status, response.text
    return response.json()


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem document with this status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["code"] == code, problem
    assert problem["detail"]
    return problem


def if_match(client: Any, case_id: Any, headers: dict[str, str]) -> dict[str, str]:
    """The headers plus If-Match with the corrections file's current ETag."""
    response = client.get(f"{API}/cases/{case_id}/corrections", headers=headers)
    assert response.status_code == 200, response.text
    return {**headers, "If-Match": response.headers["ETag"]}


PASSWORD = "correct horse battery staple"  # the factory's password for every user
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD, next_page: str = "") -> Any:
    """Sign in through the sign-in page as a browser would; returns the POST's response."""
    form = client.get("/sign-in", headers={"accept": "text/html"})
    data = {"csrf_token": csrf_of(form.text), "username": username, "password": password}
    if next_page:
        data["next"] = next_page
    return client.post(
        "/sign-in", data=data, headers={"accept": "text/html"}, follow_redirects=False
    )
