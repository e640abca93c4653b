"""Small assertions the HTTP tests share."""

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
