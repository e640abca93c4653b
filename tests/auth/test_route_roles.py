"""Who may call what: every /api/v1 operation against every role, plus sign-in.

The table below is the permission matrix written out by hand. It is compared with
the `x-roles` the OpenAPI schema derives from each route's `allow(...)`, and then
every operation is called with every role, so a permission can only change through
a deliberate edit of this file.
"""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.auth.service import digest, issue_token
from service.core.clock import utcnow
from service.main import app
from service.models import Case, Role
from service.models.auth import ApiToken
from service.models.sessions import KioskCode
from service.workflow import CaseState
from tests.helpers import API, assert_problem, login_body

PUBLIC = "public"
ALL = frozenset(Role)
# Translators read their translation jobs, not case files.
READERS = frozenset({Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN, Role.LAWYER})
STAFF = frozenset({Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN})
PLANNERS = frozenset({Role.PLANNER, Role.ADMIN})
ON_SITE = frozenset({Role.PLANNER, Role.HOST, Role.ADMIN})
# The form's questions: chain partners propose, the form owner decides and publishes.
FORM_OWNERS = frozenset({Role.FORM_OWNER, Role.ADMIN})
PROPOSAL_READERS = FORM_OWNERS | {Role.PARTNER}
FORM_TRANSLATORS = FORM_OWNERS | {Role.TRANSLATOR}

EXPECTED_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/auth/token"): frozenset({PUBLIC}),
    ("POST", "/api/v1/kiosk/login"): frozenset({PUBLIC}),
    ("GET", "/api/v1/me"): ALL,
    ("POST", "/api/v1/auth/sign-out"): ALL,
    ("POST", "/api/v1/users"): frozenset({Role.ADMIN}),
    ("GET", "/api/v1/users"): PLANNERS,
    ("POST", "/api/v1/users/{user_id}/deactivate"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/users/{user_id}/reactivate"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/users/{user_id}/second-factor/reset"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/users/{user_id}/password-reset"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/users/{user_id}/oidc-link"): frozenset({Role.ADMIN}),
    ("DELETE", "/api/v1/users/{user_id}/oidc-link"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/auth/oidc/backchannel-logout"): frozenset({PUBLIC}),
    ("POST", "/api/v1/auth/password"): ALL - {Role.APPLICANT},
    ("GET", "/api/v1/auth/sessions"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/auth/sessions/{session_id}/end"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/cases"): PLANNERS,
    ("GET", "/api/v1/cases"): READERS,
    ("POST", "/api/v1/cases/import"): PLANNERS,
    ("GET", "/api/v1/cases/by-v-number/{v_number}"): READERS,
    ("GET", "/api/v1/cases/{case_id}"): READERS,
    ("GET", "/api/v1/cases/{case_id}/timeline"): READERS,
    ("GET", "/api/v1/cases/{case_id}/measurements"): STAFF,
    ("POST", "/api/v1/cases/{case_id}/signals"): STAFF,
    ("POST", "/api/v1/cases/{case_id}/withdraw"): frozenset(
        {Role.APPLICANT, Role.LAWYER, Role.PLANNER, Role.ADMIN}
    ),
    ("GET", "/api/v1/eligibility/policies"): STAFF,
    ("POST", "/api/v1/cases/{case_id}/screening"): PLANNERS,
    ("GET", "/api/v1/cases/{case_id}/screenings"): STAFF,
    ("POST", "/api/v1/screenings/run"): PLANNERS,
    ("POST", "/api/v1/cases/{case_id}/invitation"): PLANNERS,
    ("GET", "/api/v1/invitations"): frozenset({Role.LAWYER, Role.PLANNER, Role.ADMIN}),
    ("POST", "/api/v1/invitations/{invitation_id}/reply"): frozenset({Role.LAWYER}),
    ("GET", "/api/v1/locations"): ON_SITE,
    ("POST", "/api/v1/locations"): PLANNERS,
    ("POST", "/api/v1/sessions"): PLANNERS,
    ("GET", "/api/v1/sessions"): ON_SITE,
    ("GET", "/api/v1/sessions/{session_id}"): ON_SITE,
    ("POST", "/api/v1/sessions/{session_id}/bookings"): PLANNERS,
    ("DELETE", "/api/v1/bookings/{booking_id}"): PLANNERS,
    ("POST", "/api/v1/bookings/{booking_id}/check-in"): frozenset({Role.HOST, Role.ADMIN}),
    ("POST", "/api/v1/bookings/{booking_id}/kiosk-code"): frozenset({Role.HOST, Role.ADMIN}),
    ("POST", "/api/v1/bookings/{booking_id}/assisted-filling"): frozenset({Role.HOST, Role.ADMIN}),
    ("POST", "/api/v1/bookings/{booking_id}/no-show"): frozenset({Role.HOST, Role.ADMIN}),
    ("POST", "/api/v1/bookings/{booking_id}/move"): PLANNERS,
    ("POST", "/api/v1/locations/{location_id}/rooms"): PLANNERS,
    ("GET", "/api/v1/locations/{location_id}/rooms"): ON_SITE,
    ("POST", "/api/v1/sessions/{session_id}/interpreters"): PLANNERS,
    ("DELETE", "/api/v1/sessions/{session_id}"): PLANNERS,
    ("PATCH", "/api/v1/sessions/{session_id}"): PLANNERS,
    ("PUT", "/api/v1/cases/{case_id}/planning-preference"): PLANNERS,
    ("GET", "/api/v1/cases/{case_id}/planning-preference"): PLANNERS,
    ("GET", "/api/v1/proposal"): PLANNERS,
    ("GET", "/api/v1/forms"): ALL,
    ("GET", "/api/v1/forms/{form_id}"): ALL,
    ("GET", "/api/v1/kiosk/form"): frozenset({Role.APPLICANT}),
    ("POST", "/api/v1/kiosk/start"): frozenset({Role.APPLICANT}),
    ("PUT", "/api/v1/kiosk/answers"): frozenset({Role.APPLICANT}),
    ("PUT", "/api/v1/kiosk/sections/{section_id}"): frozenset({Role.APPLICANT}),
    ("POST", "/api/v1/kiosk/submit"): frozenset({Role.APPLICANT}),
    ("GET", "/api/v1/cases/{case_id}/answers"): frozenset(
        {Role.OFFICER, Role.COORDINATOR, Role.LAWYER, Role.ADMIN}
    ),
    ("GET", "/api/v1/cases/{case_id}/recordings/{question_id}"): frozenset(
        {Role.OFFICER, Role.COORDINATOR, Role.LAWYER, Role.ADMIN}
    ),
    ("GET", "/api/v1/cases/{case_id}/access-log"): READERS,
    ("GET", "/api/v1/agencies"): PLANNERS,
    ("POST", "/api/v1/cases/{case_id}/translation"): PLANNERS,
    ("POST", "/api/v1/translations/{translation_id}/reassign"): PLANNERS,
    # The account in Dutch: planners follow the job (GET /translations), not its text.
    ("GET", "/api/v1/cases/{case_id}/translation"): frozenset(
        {Role.OFFICER, Role.COORDINATOR, Role.LAWYER, Role.ADMIN}
    ),
    ("GET", "/api/v1/translations"): frozenset({Role.TRANSLATOR, Role.PLANNER, Role.ADMIN}),
    ("GET", "/api/v1/translations/{translation_id}"): frozenset(
        {Role.TRANSLATOR, Role.PLANNER, Role.ADMIN}
    ),
    ("PUT", "/api/v1/translations/{translation_id}"): frozenset({Role.TRANSLATOR}),
    ("POST", "/api/v1/cases/{case_id}/corrections"): frozenset({Role.LAWYER}),
    ("GET", "/api/v1/cases/{case_id}/corrections"): frozenset(
        {Role.LAWYER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN}
    ),
    ("POST", "/api/v1/cases/{case_id}/no-corrections"): frozenset({Role.LAWYER}),
    ("POST", "/api/v1/cases/{case_id}/corrections/items"): frozenset({Role.LAWYER}),
    ("POST", "/api/v1/cases/{case_id}/corrections/attachments"): frozenset({Role.LAWYER}),
    ("POST", "/api/v1/cases/{case_id}/corrections/send"): frozenset({Role.LAWYER}),
    ("GET", "/api/v1/cases/{case_id}/corrections/attachments/{attachment_id}"): frozenset(
        {Role.LAWYER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN}
    ),
    # The dossier holds the account: its readers only (service/fields.py), no planner.
    ("GET", "/api/v1/cases/{case_id}/dossier"): READERS - {Role.PLANNER},
    ("GET", "/api/v1/cases/{case_id}/dossier/pdf"): READERS - {Role.PLANNER},
    ("GET", "/api/v1/translations/attention"): PLANNERS,
    ("GET", "/api/v1/translations/{translation_id}/versions"): frozenset(
        {Role.TRANSLATOR, Role.PLANNER, Role.ADMIN}
    ),
    ("GET", "/api/v1/translations/{translation_id}/xliff"): frozenset(
        {Role.TRANSLATOR, Role.ADMIN}
    ),
    ("PUT", "/api/v1/translations/{translation_id}/xliff"): frozenset({Role.TRANSLATOR}),
    # Spoken answers: the package and a recording go where the XLIFF goes.
    ("GET", "/api/v1/translations/{translation_id}/package"): frozenset(
        {Role.TRANSLATOR, Role.ADMIN}
    ),
    ("GET", "/api/v1/translations/{translation_id}/recordings/{question_id}"): frozenset(
        {Role.TRANSLATOR, Role.ADMIN}
    ),
    ("PUT", "/api/v1/kiosk/questions/{question_id}/recording"): frozenset({Role.APPLICANT}),
    ("GET", "/api/v1/kiosk/questions/{question_id}/recording"): frozenset({Role.APPLICANT}),
    ("DELETE", "/api/v1/kiosk/questions/{question_id}/recording"): frozenset({Role.APPLICANT}),
    ("GET", "/api/v1/decision-queue"): frozenset({Role.OFFICER, Role.ADMIN}),
    ("POST", "/api/v1/cases/{case_id}/claim"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/release"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/decision"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/consultations"): frozenset({Role.COORDINATOR}),
    ("GET", "/api/v1/cases/{case_id}/consultations"): frozenset(
        {Role.OFFICER, Role.COORDINATOR, Role.ADMIN}
    ),
    ("POST", "/api/v1/decision-queue/take-next"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/reassign"): frozenset({Role.OFFICER}),
    ("GET", "/api/v1/reviews"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/review"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/unit-1f-referral"): frozenset({Role.OFFICER}),
    ("POST", "/api/v1/cases/{case_id}/activity"): frozenset({Role.OFFICER}),
    ("GET", "/api/v1/cases/{case_id}/handling-time"): frozenset({Role.OFFICER, Role.ADMIN}),
    ("GET", "/api/v1/cases/{case_id}/handoff"): frozenset({Role.OFFICER, Role.PLANNER, Role.ADMIN}),
    ("GET", "/api/v1/cases/{case_id}/handoff.pdf"): frozenset(
        {Role.OFFICER, Role.PLANNER, Role.ADMIN}
    ),
    ("PUT", "/api/v1/cases/{case_id}/handoff/actual-days"): frozenset({Role.OFFICER, Role.PLANNER}),
    ("PUT", "/api/v1/officers/{user_id}/profile"): frozenset({Role.ADMIN}),
    ("POST", "/api/v1/cases/{case_id}/consultation-requests"): frozenset({Role.OFFICER}),
    ("GET", "/api/v1/consultations/waiting"): frozenset({Role.COORDINATOR, Role.OFFICER}),
    ("POST", "/api/v1/consultations/{consultation_id}/answer"): frozenset(
        {Role.COORDINATOR, Role.OFFICER}
    ),
    ("GET", "/api/v1/cases/{case_id}/terms"): STAFF,
    ("POST", "/api/v1/cases/{case_id}/terms/extensions"): PLANNERS,
    ("GET", "/api/v1/terms/overdue"): STAFF,
    ("GET", "/api/v1/messages"): ALL - {Role.APPLICANT},
    ("GET", "/api/v1/messages/failed"): PLANNERS,
    ("POST", "/api/v1/messages/{message_id}/retry"): PLANNERS,
    # Unit 1F's lists and the points they find: never a lawyer, agency, host or applicant.
    ("GET", "/api/v1/attention/lists"): frozenset({Role.UNIT_1F, Role.ADMIN}),
    ("POST", "/api/v1/attention/lists"): frozenset({Role.UNIT_1F}),
    ("GET", "/api/v1/attention/lists/{list_id}/versions"): frozenset({Role.UNIT_1F, Role.ADMIN}),
    ("POST", "/api/v1/attention/lists/{list_id}/indicators"): frozenset({Role.UNIT_1F}),
    ("DELETE", "/api/v1/attention/indicators/{indicator_id}"): frozenset({Role.UNIT_1F}),
    ("POST", "/api/v1/attention/lists/{list_id}/publish"): frozenset({Role.UNIT_1F}),
    ("GET", "/api/v1/cases/{case_id}/attention-points"): frozenset(
        {Role.OFFICER, Role.UNIT_1F, Role.ADMIN}
    ),
    ("GET", "/api/v1/attention/points/open"): frozenset({Role.UNIT_1F}),
    ("POST", "/api/v1/attention/points/{point_id}/dismissal"): frozenset(
        {Role.OFFICER, Role.UNIT_1F}
    ),
    ("POST", "/api/v1/attention/points/{point_id}/signal"): frozenset({Role.OFFICER, Role.UNIT_1F}),
    ("GET", "/api/v1/attention/report"): frozenset({Role.UNIT_1F, Role.COORDINATOR, Role.ADMIN}),
    ("POST", "/api/v1/proposals"): frozenset({Role.PARTNER}),
    ("GET", "/api/v1/proposals"): PROPOSAL_READERS,
    ("GET", "/api/v1/proposals/{proposal_id}"): PROPOSAL_READERS,
    ("POST", "/api/v1/proposals/{proposal_id}/accept"): FORM_OWNERS,
    ("POST", "/api/v1/proposals/{proposal_id}/reject"): FORM_OWNERS,
    ("GET", "/api/v1/form-versions"): FORM_OWNERS,
    ("GET", "/api/v1/form-versions/compare"): PROPOSAL_READERS,
    ("GET", "/api/v1/form-versions/{draft_id}/translations"): FORM_TRANSLATORS,
    ("GET", "/api/v1/form-versions/{draft_id}/translations/{language}/xliff"): FORM_TRANSLATORS,
    ("PUT", "/api/v1/form-versions/{draft_id}/translations/{language}/xliff"): FORM_TRANSLATORS,
    ("POST", "/api/v1/form-versions/{draft_id}/texts"): FORM_OWNERS,
    ("GET", "/api/v1/cases/{case_id}/form-preview"): frozenset({Role.LAWYER}),
    ("POST", "/api/v1/form-versions/{draft_id}/publish"): FORM_OWNERS,
    # Reports, the forecast and the event log: planners and management; no personal data.
    ("PUT", "/api/v1/cases/{case_id}/final-decision"): frozenset({Role.OFFICER, Role.PLANNER}),
    ("GET", "/api/v1/forecast"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("GET", "/api/v1/reports/nationalities"): frozenset(
        {Role.ADMIN, Role.COORDINATOR, Role.PLANNER}
    ),
    ("GET", "/api/v1/reports/time"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("GET", "/api/v1/reports/where"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("GET", "/api/v1/reports"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("GET", "/api/v1/exports/events.xes"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("GET", "/api/v1/exports/events.csv"): frozenset({Role.ADMIN, Role.COORDINATOR, Role.PLANNER}),
    ("POST", "/api/v1/cases/{case_id}/registration-interview"): frozenset(
        {Role.ADMIN, Role.PLANNER}
    ),
    ("GET", "/api/v1/registration-files"): frozenset({Role.ADMIN, Role.OFFICER}),
    ("GET", "/api/v1/cases/{case_id}/registration-file"): frozenset({Role.ADMIN, Role.OFFICER}),
    ("GET", "/api/v1/registration-interviews/figures"): frozenset({Role.ADMIN, Role.PLANNER}),
}


def operations() -> list[tuple[str, str, dict]]:
    """Every (method, path, operation) under /api/v1 in the live schema."""
    return [
        (method.upper(), path, operation)
        for path, item in app.openapi()["paths"].items()
        if path.startswith(API)
        for method, operation in item.items()
    ]


def concrete(path: str) -> str:
    """The path with a random UUID for every parameter."""
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def call(client, method: str, path: str, operation: dict, headers: dict | None = None):
    body = {} if "requestBody" in operation else None
    return client.request(method, concrete(path), json=body, headers=headers or {})


def problem_code(response) -> str | None:
    """The problem's ``code``; None for an empty or non-JSON answer (a CSV or XES export
    that lets the role in)."""
    kind = response.headers.get("content-type", "")
    if not response.content or "json" not in kind:
        return None
    body = response.json()
    return body.get("code") if isinstance(body, dict) else None


def headers_for(factory, role: Role) -> dict[str, str]:
    if role is Role.APPLICANT:
        return factory.applicant_headers(factory.case())
    return factory.person(role).headers


SIGN_OUT = ("POST", f"{API}/auth/sign-out")


def fresh_headers(factory, role: Role) -> dict[str, str]:
    """A token of its own: signing out revokes the token it is called with."""
    if role is Role.APPLICANT:
        return factory.applicant_headers(factory.case())
    token = issue_token(factory.db, user=factory.person(role).user).access_token
    return {"Authorization": f"Bearer {token}"}


# --- the matrix ---------------------------------------------------------------------------


def test_every_operation_declares_roles():
    missing = [(m, p) for m, p, op in operations() if not op.get("x-roles")]
    assert not missing, f"operations without x-roles: {missing}"
    unknown = {
        (m, p, r)
        for m, p, op in operations()
        for r in op["x-roles"]
        if r != PUBLIC and r not in set(Role)
    }
    assert not unknown


def test_permission_table_is_pinned():
    """Changing who may call a route must change this table too (and be reviewed)."""
    actual = {(m, p): frozenset(op["x-roles"]) for m, p, op in operations()}
    assert set(actual) == set(EXPECTED_ROLES), (
        f"new: {sorted(set(actual) - set(EXPECTED_ROLES))}, "
        f"gone: {sorted(set(EXPECTED_ROLES) - set(actual))}"
    )
    changed = {
        key: {"schema": sorted(actual[key]), "pinned": sorted(EXPECTED_ROLES[key])}
        for key in actual
        if actual[key] != EXPECTED_ROLES[key]
    }
    assert not changed, changed


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_is_let_in_exactly_where_declared(client, db, factory, role):
    headers = headers_for(factory, role)
    wrong: list[str] = []
    for method, path, operation in operations():
        declared = set(operation["x-roles"])
        own = fresh_headers(factory, role) if (method, path) == SIGN_OUT else headers
        response = call(client, method, path, operation, own)
        status, code = response.status_code, problem_code(response)
        if PUBLIC in declared:
            ok = status not in (401, 403)
        elif role in declared:
            # Random ids and an empty body: 404/409/422 are fine, the door is open.
            ok = status not in (401, 403) and status < 500
        else:
            ok = status == 403 and code == "role_not_allowed"
            ok = ok and response.headers["content-type"].startswith("application/problem+json")
        if not ok:
            wrong.append(f"{method} {path} as {role}: {status} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)


def test_no_token_is_refused_everywhere_but_public_routes(client):
    wrong = []
    for method, path, operation in operations():
        response = call(client, method, path, operation)
        if PUBLIC in operation["x-roles"]:
            if response.status_code in (401, 403):
                wrong.append(f"{method} {path}: public route refused ({response.status_code})")
        elif (response.status_code, problem_code(response)) != (401, "not_authenticated"):
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
        elif response.headers.get("www-authenticate") != "Bearer":
            wrong.append(f"{method} {path}: no WWW-Authenticate: Bearer")
    assert not wrong, "\n".join(wrong)


def test_bogus_token_is_refused_everywhere(client):
    bogus = {"Authorization": "Bearer not-a-real-token"}
    wrong = [
        f"{method} {path}: {response.status_code}"
        for method, path, operation in operations()
        if PUBLIC not in operation["x-roles"]
        for response in [call(client, method, path, operation, bogus)]
        if (response.status_code, problem_code(response)) != (401, "not_authenticated")
    ]
    assert not wrong, wrong


def test_non_bearer_scheme_is_refused(client, factory):
    token = factory.person(Role.ADMIN).token  # a valid token, but not sent as Bearer
    response = client.get(f"{API}/me", headers={"Authorization": f"Basic {token}"})
    assert_problem(response, 401, "not_authenticated")


# --- tokens -------------------------------------------------------------------------------


def token_row(db, person) -> ApiToken:
    return db.scalars(select(ApiToken).where(ApiToken.token_hash == digest(person.token))).one()


def test_expired_token_is_refused(client, db, factory):
    person = factory.person(Role.PLANNER)
    assert client.get(f"{API}/me", headers=person.headers).status_code == 200
    token_row(db, person).expires_at = utcnow() - timedelta(seconds=1)
    assert_problem(client.get(f"{API}/me", headers=person.headers), 401, "not_authenticated")


def test_revoked_token_is_refused(client, db, factory):
    person = factory.person(Role.OFFICER)
    token_row(db, person).revoked_at = utcnow()
    assert_problem(
        client.get(f"{API}/decision-queue", headers=person.headers), 401, "not_authenticated"
    )


def test_deactivated_users_token_stops_working(client, db, factory):
    person = factory.person(Role.LAWYER)
    person.user.active = False
    assert_problem(client.get(f"{API}/cases", headers=person.headers), 401, "not_authenticated")


# --- password sign-in ---------------------------------------------------------------------

PASSWORD = "correct horse battery staple"  # the factory's password for every user


def test_password_login_gives_a_working_token(client, db, factory):
    person = factory.person(Role.PLANNER)
    response = client.post(f"{API}/auth/token", json=login_body(person.user.username))
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["role"] == "planner"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == str(person.user.id)
    assert me.json()["role"] == "planner"


def test_wrong_password_and_unknown_user_look_the_same(client, db, factory):
    person = factory.person(Role.LAWYER)
    wrong_password = client.post(
        f"{API}/auth/token", json=login_body(person.user.username, "guess-guess")
    )
    unknown_user = client.post(f"{API}/auth/token", json=login_body("nobody.here"))
    assert_problem(wrong_password, 401, "bad_credentials")
    assert_problem(unknown_user, 401, "bad_credentials")
    # Nothing tells an attacker which usernames exist.
    assert wrong_password.json() == unknown_user.json()


def test_deactivated_user_cannot_sign_in(client, db, factory):
    person = factory.person(Role.TRANSLATOR)
    person.user.active = False
    response = client.post(f"{API}/auth/token", json=login_body(person.user.username))
    assert_problem(response, 401, "bad_credentials")


# --- kiosk codes and applicant tokens -----------------------------------------------------


def check_in(client, factory, case: Case) -> str:
    host = factory.person(Role.HOST)
    response = client.post(
        f"{API}/bookings/{factory.booking(case).id}/check-in",
        headers=host.headers,
        json=factory.identity(case) | {"applicant_consent_confirmed": True},
    )
    assert response.status_code == 200, response.text
    return response.json()["kiosk_code"]


def kiosk_login(client, code: str):
    return client.post(f"{API}/kiosk/login", json={"code": code})


def test_kiosk_code_works_once(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED)
    code = check_in(client, factory, case)

    first = kiosk_login(client, code)
    assert first.status_code == 200, first.text
    assert first.json()["role"] == "applicant"
    applicant = {"Authorization": f"Bearer {first.json()['access_token']}"}
    me = client.get(f"{API}/me", headers=applicant).json()
    assert (me["role"], me["case_id"], me["user_id"]) == ("applicant", str(case.id), None)

    assert_problem(kiosk_login(client, code), 401, "kiosk_code_invalid")


def test_kiosk_code_is_forgiving_about_case_and_dashes(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED)
    code = check_in(client, factory, case)
    typed = code.replace("-", " ").lower()
    assert kiosk_login(client, typed).status_code == 200


def test_expired_kiosk_code_is_refused(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED)
    code = check_in(client, factory, case)
    row = db.scalar(select(KioskCode).where(KioskCode.booking_id == factory.booking(case).id))
    row.expires_at = utcnow() - timedelta(minutes=1)
    assert_problem(kiosk_login(client, code), 401, "kiosk_code_invalid")


def test_unknown_kiosk_code_is_refused(client):
    assert_problem(kiosk_login(client, "ABCD-EFGH"), 401, "kiosk_code_invalid")


def test_applicant_token_reaches_only_its_own_case(client, db, factory):
    planner = factory.person(Role.PLANNER)
    own = factory.case_in(CaseState.SCHEDULED)
    other = factory.case_in(CaseState.SCHEDULED)
    token = kiosk_login(client, check_in(client, factory, own)).json()["access_token"]
    applicant = {"Authorization": f"Bearer {token}"}

    # The kiosk shows the applicant's own case, whatever else exists.
    view = client.get(f"{API}/kiosk/form", headers=applicant)
    assert view.status_code == 200, view.text
    assert view.json()["case_state"] == "checked_in"

    # Another case's id is as good as non-existent ...
    other_case = client.post(
        f"{API}/cases/{other.id}/withdraw", headers=applicant, json={"reason": "not mine"}
    )
    assert_problem(other_case, 404, "case_not_found")
    # ... and staff routes stay closed even for the applicant's own case.
    for method, path in [
        ("GET", f"{API}/cases/{own.id}"),
        ("GET", f"{API}/cases/{own.id}/timeline"),
        ("GET", f"{API}/cases/{own.id}/answers"),
        ("GET", f"{API}/cases"),
        ("POST", f"{API}/cases/{own.id}/no-corrections"),
    ]:
        assert_problem(client.request(method, path, headers=applicant), 403, "role_not_allowed")

    assert client.get(f"{API}/cases/{other.id}", headers=planner.headers).json()["state"] == (
        "scheduled"
    )
    # Its own case it may withdraw from.
    own_case = client.post(
        f"{API}/cases/{own.id}/withdraw", headers=applicant, json={"reason": "changed my mind"}
    )
    assert own_case.status_code == 200, own_case.text
    assert own_case.json()["state"] == "withdrawn"
