"""Every error is an RFC 9457 problem document with a stable code, never a bare 500;
the OpenAPI schema documents them. Ends with a fuzz of the write endpoints."""

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from service.core.error_handlers import install_error_handlers
from service.main import app
from service.models import Role
from service.models.invitations import Invitation
from service.questionnaires.forms import load_form
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.factories import Factory

API = "/api/v1"
PROBLEM_FIELDS = {"type", "title", "status", "code", "detail"}


def problem_of(response, status: int, code: str | None = None) -> dict:
    """Assert ``response`` is a well-formed problem document and return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem) >= PROBLEM_FIELDS, problem
    assert problem["status"] == status
    assert problem["title"] == HTTPStatus(status).phrase
    assert problem["type"].endswith(f"/problems/{problem['code']}")
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    if code:
        assert problem["code"] == code, problem
    return problem


def locs(problem: dict) -> list[list]:
    return [e["loc"] for e in problem["errors"]]


# --- request validation -------------------------------------------------------------------


def test_malformed_json_body(client, factory):
    planner = factory.person(Role.PLANNER)
    response = client.post(
        f"{API}/locations",
        headers={**planner.headers, "Content-Type": "application/json"},
        content=b'{"name": "IND Ter Apel", ',
    )
    problem = problem_of(response, 422, "validation_error")
    assert problem["errors"][0]["type"] == "json_invalid"


def test_wrong_types(client, factory):
    planner = factory.person(Role.PLANNER)
    response = client.post(
        f"{API}/locations", headers=planner.headers, json={"name": 12, "kiosks": "many"}
    )
    problem = problem_of(response, 422, "validation_error")
    assert ["body", "name"] in locs(problem)
    assert ["body", "kiosks"] in locs(problem)
    assert "body.kiosks" in problem["detail"]


def test_body_that_is_not_an_object(client, factory):
    planner = factory.person(Role.PLANNER)
    response = client.post(f"{API}/locations", headers=planner.headers, json=["IND Ter Apel"])
    problem_of(response, 422, "validation_error")


def test_unknown_fields_are_refused(client, factory):
    planner = factory.person(Role.PLANNER)
    response = client.post(
        f"{API}/locations", headers=planner.headers, json={"name": "IND Ter Apel", "colour": "red"}
    )
    problem = problem_of(response, 422, "validation_error")
    assert ["body", "colour"] in locs(problem)
    assert "extra_forbidden" in [e["type"] for e in problem["errors"]]


def test_missing_body(client, factory):
    planner = factory.person(Role.PLANNER)
    problem = problem_of(client.post(f"{API}/locations", headers=planner.headers), 422)
    assert ["body"] in locs(problem)


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/cases/not-a-uuid", ["path", "case_id"]),
        ("/cases/12345/timeline", ["path", "case_id"]),
        ("/cases?limit=0", ["query", "limit"]),
        ("/cases?state=lost", ["query", "state"]),
    ],
)
def test_bad_path_and_query_parameters(client, factory, path, loc):
    planner = factory.person(Role.PLANNER)
    problem = problem_of(client.get(API + path, headers=planner.headers), 422, "validation_error")
    assert loc in locs(problem)


def test_unknown_route_is_a_problem_too(client):
    problem_of(client.get(f"{API}/no-such-thing"), 404, "not_found")
    problem_of(client.get("/nowhere"), 404, "not_found")


def test_wrong_method(client, factory):
    planner = factory.person(Role.PLANNER)
    problem_of(client.delete(f"{API}/cases", headers=planner.headers), 405, "method_not_allowed")


def test_authentication_problems_ask_for_a_bearer_token(client):
    response = client.get(f"{API}/cases")
    problem_of(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unexpected_error_is_still_a_problem_document():
    """A bug must not leak a traceback or a text/plain page."""
    broken = FastAPI()
    install_error_handlers(broken)

    @broken.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(broken, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    problem = problem_of(response, 500, "internal_error")
    assert "secret" not in problem["detail"]


def test_unhashable_answer_to_a_choice_question_is_invalid_input(client, db, factory):
    choice = next((q for q in load_form().questions if q.type == "choice"), None)
    if choice is None:
        pytest.skip("the form has no choice question")
    case = factory.case_in(CaseState.IN_PROGRESS)
    applicant = factory.applicant_headers(case)
    response = client.put(
        f"{API}/kiosk/answers", headers=applicant, json={"answers": {choice.id: ["a", "b"]}}
    )
    problem_of(response, 422, "invalid_answers")


# --- workflow -----------------------------------------------------------------------------


def test_illegal_workflow_move_names_the_state(client, db, factory):
    officer = factory.person(Role.OFFICER)
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.SCREENED)

    problem = problem_of(
        client.post(f"{API}/cases/{case.id}/claim", headers=officer.headers),
        409,
        "illegal_transition",
    )
    assert "'screened'" in problem["detail"]
    assert "'claim'" in problem["detail"]
    assert "invite" in problem["detail"]  # it says what may come next

    problem = problem_of(
        client.post(
            f"{API}/cases/{case.id}/no-corrections",
            headers={**lawyer.headers, "If-Match": '"corrections-v1"'},
        ),
        409,
        "illegal_transition",
    )
    assert "'screened'" in problem["detail"]


def test_a_decided_case_says_so(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.DECIDED_ON_FORM)
    problem = problem_of(
        client.post(f"{API}/cases/{case.id}/release", headers=officer.headers),
        409,
        "illegal_transition",
    )
    assert "decided_on_form" in problem["detail"]


# --- the OpenAPI document -----------------------------------------------------------------

DOCUMENTED_ERRORS = {"401", "403", "404", "409", "422"}
# The main writes carry an example body for the interactive docs.
EXAMPLE_BODIES = [
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/kiosk/login"),
    ("post", "/api/v1/cases"),
    ("post", "/api/v1/locations"),
    ("post", "/api/v1/sessions"),
    ("post", "/api/v1/sessions/{session_id}/bookings"),
    ("post", "/api/v1/bookings/{booking_id}/check-in"),
    ("post", "/api/v1/cases/{case_id}/invitation"),
    ("post", "/api/v1/invitations/{invitation_id}/reply"),
    ("put", "/api/v1/kiosk/answers"),
    ("post", "/api/v1/cases/{case_id}/translation"),
    ("put", "/api/v1/translations/{translation_id}"),
    ("post", "/api/v1/cases/{case_id}/corrections"),
    ("post", "/api/v1/cases/{case_id}/decision"),
    ("post", "/api/v1/cases/{case_id}/consultations"),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    return app.openapi()


def api_operations(schema: dict):
    for path, item in schema["paths"].items():
        if path.startswith(API):
            for method, operation in item.items():
                yield method, path, operation


def resolve(schema: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = schema
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_openapi_document_is_well_formed(schema):
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"]
    assert json.loads(json.dumps(schema)) == schema
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(schema))
    assert refs
    for ref in set(refs):
        resolve(schema, ref)  # raises KeyError for a dangling reference
    operation_ids = [op["operationId"] for _, _, op in api_operations(schema)]
    assert len(operation_ids) == len(set(operation_ids))
    for method, path, operation in api_operations(schema):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), (method, path)
        for status, response in operation["responses"].items():
            assert response["description"], (method, path, status)


def test_every_operation_documents_its_problems(schema):
    for method, path, operation in api_operations(schema):
        public = operation["x-roles"] == ["public"]
        expected = {"422"} if public else DOCUMENTED_ERRORS
        responses = operation["responses"]
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            example = content["application/problem+json"]["example"]
            assert example["status"] == int(status)
            assert example["type"].endswith(f"/problems/{example['code']}")
            assert set(content["application/problem+json"]["schema"]["required"]) == (
                PROBLEM_FIELDS
            )


@pytest.mark.parametrize(("method", "path"), EXAMPLE_BODIES)
def test_main_writes_have_example_bodies(schema, method, path):
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    model = resolve(schema, body["$ref"]) if "$ref" in body else body
    assert model.get("examples"), f"{method.upper()} {path} has no example body"
    required = set(model.get("required", []))
    for example in model["examples"]:
        assert required <= set(example), (path, example)
        assert set(example) <= set(model["properties"]), (path, example)


def test_text_the_database_cannot_hold_is_refused_not_a_crash(client, db, factory):
    """NUL characters (PostgreSQL refuses them in text) are bad input on every database."""
    planner = factory.person(Role.PLANNER)
    response = client.post(
        f"{API}/locations", headers=planner.headers, json={"name": "Ter\x00Apel"}
    )
    assert "NUL" in problem_of(response, 422, "validation_error")["detail"]
    lookup = client.get(f"{API}/cases/by-v-number/12%0034", headers=planner.headers)
    assert lookup.status_code in (404, 422), lookup.text
    problem_of(lookup, lookup.status_code)


# --- fuzz ---------------------------------------------------------------------------------

# Strings a real client might send, so bodies get past the first type checks.
PLAUSIBLE = st.sampled_from(
    [
        "",
        "ar",
        "fa",
        "xx",
        "SY",
        "nv",
        "1f",
        "lgbti",
        "known",
        "addition",
        "correction",
        "decided_on_form",
        "physical_hearing_required",
        "1234567890",
        "V0000000001",
        "2019-11-04",
        "2999-01-01",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "Nul\x00byte",
    ]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | PLAUSIBLE
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def bodies(valid: dict[str, object], known: list[str]) -> st.SearchStrategy:
    """Arbitrary JSON, or the valid body with fields dropped, added or replaced by random
    values and ids that exist, so that many requests get past validation into the service."""

    def field(value: object) -> st.SearchStrategy:
        return st.just(value) | st.just(value) | JSON_VALUES | st.sampled_from(known)

    whole = st.fixed_dictionaries({k: field(v) for k, v in valid.items()})
    partial = st.fixed_dictionaries({}, optional={k: field(v) for k, v in valid.items()})
    extra = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=2)
    return whole | partial | st.builds(lambda a, b: {**a, **b}, whole, extra) | JSON_VALUES


Prepared = tuple[str, dict[str, object]]


def future(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def new_case(factory: Factory) -> Prepared:
    return "/cases", {
        "v_number": unique_v_number(),
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-11-04",
        "lawyer": factory.person(Role.LAWYER).user.username,
        "literacy": "known",
        "coordinator_motives": ["lgbti"],
        "vulnerability_notes": "",
        "signals": [{"kind": "nv", "source": "AIVD"}],
    }


def new_location(factory: Factory) -> Prepared:
    return "/locations", {
        "name": f"IND {uuid.uuid4().hex[:6]}",
        "address": "Ter Apel",
        "kiosks": 20,
    }


def new_session(factory: Factory) -> Prepared:
    location_id = str(factory.session("ar").location_id)
    body = {"location_id": location_id, "starts_at": future(), "seats": 12, "language": "ar"}
    return "/sessions", {**body, "duration_minutes": 240}


def booking(factory: Factory) -> Prepared:
    session, case = factory.session("ar", seats=3), factory.case_in(CaseState.CONSENTED)
    return f"/sessions/{session.id}/bookings", {"case_id": str(case.id), "seat": 2}


def invitation(factory: Factory) -> Prepared:
    return f"/cases/{factory.case_in(CaseState.SCREENED).id}/invitation", {"reply_days": 10}


def signal(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.CONSENTED)
    body = {"kind": "1f", "source": "screening", "reason": "report", "noted_at": future(-1)}
    return f"/cases/{case.id}/signals", body


def withdrawal(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.CONSENTED)
    return f"/cases/{case.id}/withdraw", {"reason": "the client withdraws"}


def reply(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.INVITED)
    sent = factory.db.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    return f"/invitations/{sent.id}/reply", {"consent": True, "note": "client agrees"}


def translation_request(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.SUBMITTED)
    return f"/cases/{case.id}/translation", {"agency": "Bureau Noord", "due_days": 7}


def corrections(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.WITH_LAWYER)
    question = next(iter(factory.full_answers()))
    items = [
        {"kind": "translation", "answer_key": question, "text": "Spelling."},
        {"kind": "addition", "text": "A letter."},
    ]
    return f"/cases/{case.id}/corrections", {"items": items}


def decision(factory: Factory) -> Prepared:
    case = factory.case_in(CaseState.CLAIMED)
    return f"/cases/{case.id}/decision", {
        "outcome": "decided_on_form",
        "kind": "grant",
        "reason": "complete",
    }


@dataclass
class Target:
    role: Role
    method: str
    prepare: Callable[[Factory], Prepared]


TARGETS = {
    "create case": Target(Role.PLANNER, "POST", new_case),
    "create location": Target(Role.PLANNER, "POST", new_location),
    "create session": Target(Role.PLANNER, "POST", new_session),
    "book": Target(Role.PLANNER, "POST", booking),
    "invite": Target(Role.PLANNER, "POST", invitation),
    "signal": Target(Role.OFFICER, "POST", signal),
    "withdraw": Target(Role.LAWYER, "POST", withdrawal),
    "reply": Target(Role.LAWYER, "POST", reply),
    "request translation": Target(Role.PLANNER, "POST", translation_request),
    "corrections": Target(Role.LAWYER, "POST", corrections),
    "decide": Target(Role.OFFICER, "POST", decision),
}


@pytest.fixture(params=sorted(TARGETS))
def aimed(request, db, factory) -> tuple[Target, str, st.SearchStrategy, dict[str, str]]:
    """One target endpoint, ready: its path, a body strategy, the caller's token."""
    target = TARGETS[request.param]
    path, valid = target.prepare(factory)
    headers = factory.person(target.role).headers
    known = [v for v in valid.values() if isinstance(v, str)] + [str(uuid.uuid4())]
    return target, path, bodies(valid, known), headers


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_bodies_never_break_the_server(client, aimed, data):
    target, path, strategy, headers = aimed
    body = data.draw(strategy, label="body")
    response = client.request(target.method, API + path, json=body, headers=headers)
    assert response.status_code < 500, f"{target.method} {path} {body!r}: {response.text}"
    if response.status_code >= 400:
        problem_of(response, response.status_code)
