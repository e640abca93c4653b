"""Small assertions and steps the HTTP tests share."""

import re
import time
from typing import Any

import pyotp

from service.core.clock import utcnow

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


# Every factory and seeded user's TOTP secret (tests only): tests compute the codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_last_step: dict[str, int] = {}
# The step before the current one is taken only while it stays good this much longer: a
# request to a busy app process reaches the check well within it.
STEP_MARGIN_SECONDS = 10


def totp_code(username: str, secret: str = TOTP_SECRET) -> str:
    """A code the service will accept for ``username``: a code is good once, so each call
    takes the next unused time step of the three the service accepts (the current one and
    one either side: phones' clocks drift), waiting for the next step when all are used.
    Three sign-ins of one user in a row then wait for no new step (two did before)."""
    generator = pyotp.TOTP(secret)
    while True:
        moment = utcnow()
        now = generator.timecode(moment)
        left = generator.interval - moment.timestamp() % generator.interval
        # Near a step's end the step before would be too old by the time it is checked.
        earliest = now - 1 if left > STEP_MARGIN_SECONDS else now
        step = max(earliest, _last_step.get(username, -1) + 1)
        if step <= now + 1:
            _last_step[username] = step
            return generator.generate_otp(step)
        time.sleep(1)


def sign_in(client: Any, username: str, password: str = PASSWORD, next_page: str = "") -> Any:
    """Sign in through the sign-in pages as a browser would: the password, then the
    authenticator code. Returns the last POST's response (the password's when refused)."""
    form = client.get("/sign-in", headers={"accept": "text/html"})
    data = {"csrf_token": csrf_of(form.text), "username": username, "password": password}
    if next_page:
        data["next"] = next_page
    first = client.post(
        "/sign-in", data=data, headers={"accept": "text/html"}, follow_redirects=False
    )
    if first.status_code != 303 or not first.headers["location"].startswith("/sign-in/code"):
        return first
    return enter_code(client, first.headers["location"], totp_code(username))


def enter_code(client: Any, location: str, code: str) -> Any:
    """Answer the second-factor page the password step sent the browser to."""
    page = client.get(location, headers={"accept": "text/html"})
    found = re.search(r'name="next" value="([^"]*)"', page.text)
    data = {"csrf_token": csrf_of(page.text), "code": code, "next": found.group(1) if found else ""}
    return client.post(
        "/sign-in/code", data=data, headers={"accept": "text/html"}, follow_redirects=False
    )


def login_body(username: str, password: str = PASSWORD) -> dict[str, str]:
    """A body for POST /api/v1/auth/token: password and a fresh authenticator code."""
    return {"username": username, "password": password, "code": totp_code(username)}


SECRET_ON_PAGE = re.compile(r'<code class="app-secret" dir="ltr">([A-Z2-7 ]+)</code>')
RECOVERY_CODE_ON_PAGE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")


def enrol(client: Any, username: str, password: str = PASSWORD) -> tuple[str, list[str]]:
    """A first sign-in in the browser: the password, then the enrolment page, whose key
    is read off the page as a person would type it into an app. Returns the secret and
    the recovery codes shown once."""
    form = client.get("/sign-in", headers={"accept": "text/html"})
    data = {"csrf_token": csrf_of(form.text), "username": username, "password": password}
    first = client.post("/sign-in", data=data, headers={"accept": "text/html"})
    found = SECRET_ON_PAGE.search(first.text)
    assert found, first.text
    secret = found.group(1).replace(" ", "")
    data = {"csrf_token": csrf_of(first.text), "code": totp_code(username, secret)}
    shown = client.post("/sign-in/enrol", data=data, headers={"accept": "text/html"})
    assert shown.status_code == 200, shown.text
    return secret, RECOVERY_CODE_ON_PAGE.findall(shown.text)
