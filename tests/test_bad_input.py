"""Bad input is the client's to fix: a 422 problem document that says what to fix, never a
500. Each case here once reached the database or the standard library and crashed."""

import json
from typing import Any

import pytest
from sqlalchemy import select

from service.cases.api import MAX_OFFSET
from service.core.text import EARLIEST, LATEST
from service.models import Role
from service.models.cases import Case
from service.models.translation import Translation
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.factories import Factory
from tests.helpers import API, assert_problem, if_match

NAIVE = "2026-11-02T10:00:00"  # no time zone
# Valid ISO 8601 moments whose UTC time falls outside what datetime can hold.
BEYOND_9999 = "9999-12-31T23:00:00-05:00"
BEFORE_0001 = "0001-01-01T00:00:00+05:00"
LONE_SURROGATE = "\\ud800"  # as written inside a JSON document


def invalid(response: Any, *words: str, code: str = "validation_error") -> str:
    """A 422 problem whose detail says what to fix (contains each of ``words``)."""
    problem = assert_problem(response, 422, code)
    for word in words:
        assert word.lower() in problem["detail"].lower(), problem["detail"]
    return str(problem["detail"])


def raw_json(client: Any, method: str, url: str, headers: dict[str, str], body: str) -> Any:
    """Send ``body`` as it is: the client library would refuse to encode a lone surrogate."""
    headers = {**headers, "Content-Type": "application/json"}
    return client.request(method, url, headers=headers, content=body.encode())


def new_case(factory: Factory, **overrides: Any) -> dict[str, Any]:
    return {
        "v_number": unique_v_number(),
        "applicant_name": "Amal Haddad",
        "date_of_birth": "1991-04-17",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-11-04",
        "lawyer": factory.person(Role.LAWYER).user.username,
        **overrides,
    }


# --- times without a zone, and times at the ends of the calendar --------------------------


def test_signal_noted_at_without_a_time_zone(client, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.SCREENED)
    body = {"kind": "nv", "source": "screening", "noted_at": NAIVE}
    response = client.post(f"{API}/cases/{case.id}/signals", headers=officer.headers, json=body)
    invalid(response, "body.noted_at", "timezone")


def test_signal_in_a_new_case_noted_without_a_time_zone(client, factory):
    planner = factory.person(Role.PLANNER)
    body = new_case(factory, signals=[{"kind": "1f", "source": "screening", "noted_at": NAIVE}])
    response = client.post(f"{API}/cases", headers=planner.headers, json=body)
    invalid(response, "body.signals.0.noted_at", "timezone")


def test_session_start_without_a_time_zone(client, factory):
    planner = factory.person(Role.PLANNER)
    body = {"location_id": str(factory.location().id), "starts_at": NAIVE, "seats": 4}
    response = client.post(
        f"{API}/sessions", headers=planner.headers, json=body | {"language": "ar"}
    )
    invalid(response, "body.starts_at", "timezone")


@pytest.mark.parametrize("moment", [BEYOND_9999, BEFORE_0001])
def test_moments_at_the_ends_of_the_calendar(client, factory, moment):
    officer, planner = factory.person(Role.OFFICER), factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCREENED)
    signal = {"kind": "nv", "source": "screening", "noted_at": moment}
    response = client.post(f"{API}/cases/{case.id}/signals", headers=officer.headers, json=signal)
    invalid(response, "body.noted_at", str(EARLIEST), str(LATEST))

    body = {"location_id": str(factory.location().id), "starts_at": moment, "seats": 4}
    response = client.post(
        f"{API}/sessions", headers=planner.headers, json=body | {"language": "ar"}
    )
    invalid(response, "body.starts_at", str(EARLIEST), str(LATEST))

    response = client.get(
        f"{API}/sessions", headers=planner.headers, params={"starts_after": moment}
    )
    invalid(response, "query.starts_after", str(EARLIEST), str(LATEST))

    body = new_case(factory, signals=[signal])
    response = client.post(f"{API}/cases", headers=planner.headers, json=body)
    invalid(response, "body.signals.0.noted_at", str(EARLIEST), str(LATEST))


def test_date_of_birth_in_the_year_9999(client, factory):
    planner = factory.person(Role.PLANNER)
    body = new_case(factory, date_of_birth="9999-12-31")
    response = client.post(f"{API}/cases", headers=planner.headers, json=body)
    invalid(response, "body.date_of_birth", str(LATEST))


def test_huge_offset_when_listing_cases(client, factory):
    planner = factory.person(Role.PLANNER)
    response = client.get(f"{API}/cases", headers=planner.headers, params={"offset": 2**63})
    invalid(response, "query.offset", f"{MAX_OFFSET:_}".replace("_", ""))


# --- text that is not text ----------------------------------------------------------------


def assert_lone_surrogate_refused(response: Any) -> None:
    invalid(response, "surrogate")


def test_lone_surrogate_in_a_location_name(client, factory):
    planner = factory.person(Role.PLANNER)
    body = f'{{"name": "IND {LONE_SURROGATE}"}}'
    assert_lone_surrogate_refused(
        raw_json(client, "POST", f"{API}/locations", planner.headers, body)
    )


def test_lone_surrogate_in_a_withdrawal_reason(client, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.CONSENTED)
    body = f'{{"reason": "no {LONE_SURROGATE}"}}'
    url = f"{API}/cases/{case.id}/withdraw"
    assert_lone_surrogate_refused(raw_json(client, "POST", url, lawyer.headers, body))


def test_lone_surrogate_in_a_signal(client, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.SCREENED)
    url = f"{API}/cases/{case.id}/signals"
    for body in (
        f'{{"kind": "nv", "source": "AIVD {LONE_SURROGATE}"}}',
        f'{{"kind": "nv", "source": "AIVD", "reason": "{LONE_SURROGATE}"}}',
    ):
        assert_lone_surrogate_refused(raw_json(client, "POST", url, officer.headers, body))


def test_lone_surrogate_in_a_kiosk_answer(client, factory):
    case = factory.case_in(CaseState.IN_PROGRESS)
    question = next(iter(factory.full_answers()))
    body = f'{{"answers": {{"{question}": "a{LONE_SURROGATE}"}}}}'
    applicant = factory.applicant_headers(case)
    assert_lone_surrogate_refused(raw_json(client, "PUT", f"{API}/kiosk/answers", applicant, body))


def test_lone_surrogate_in_a_translation(client, db, factory):
    translator = factory.person(Role.TRANSLATOR)
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    question = next(iter(factory.full_answers()))
    body = f'{{"answers_nl": {{"{question}": "vertaald {LONE_SURROGATE}"}}}}'
    url = f"{API}/translations/{job.id}"
    assert_lone_surrogate_refused(raw_json(client, "PUT", url, translator.headers, body))


def test_lone_surrogate_in_a_correction(client, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.WITH_LAWYER)
    body = f'{{"items": [{{"kind": "addition", "text": "{LONE_SURROGATE}"}}]}}'
    url = f"{API}/cases/{case.id}/corrections"
    headers = if_match(client, case.id, lawyer.headers)
    assert_lone_surrogate_refused(raw_json(client, "POST", url, headers, body))


# --- text over its maximum length ---------------------------------------------------------


def test_signal_reason_over_its_maximum_length(client, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.SCREENED)
    body = {"kind": "1f", "source": "screening", "reason": "x" * 2001}
    response = client.post(f"{API}/cases/{case.id}/signals", headers=officer.headers, json=body)
    invalid(response, "body.reason", "2000 characters")


def test_translation_over_its_maximum_length(client, db, factory):
    translator = factory.person(Role.TRANSLATOR)
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    answered = dict.fromkeys(factory.full_answers(), "vertaald")
    question = next(iter(answered))
    body = {"answers_nl": answered | {question: "x" * 20_001}}
    response = client.put(f"{API}/translations/{job.id}", headers=translator.headers, json=body)
    invalid(response, f"body.answers_nl.{question}", "20000 characters")


def test_request_body_of_deeply_nested_json(client, factory):
    planner = factory.person(Role.PLANNER)
    body = '{"name": ' + "[" * 100_000
    response = raw_json(client, "POST", f"{API}/locations", planner.headers, body)
    invalid(response, "nested too deeply")


# --- import files -------------------------------------------------------------------------


def upload(client: Any, factory: Factory, name: str, content: bytes) -> Any:
    planner = factory.person(Role.PLANNER)
    files = {"file": (name, content, "application/octet-stream")}
    return client.post(f"{API}/cases/import", headers=planner.headers, files=files)


def test_import_of_deeply_nested_json(client, factory):
    response = upload(client, factory, "backlog.json", b"[" * 100_000)
    invalid(response, "backlog.json", "nested too deeply", code="bad_import_file")


def test_import_of_a_csv_with_old_mac_line_ends(client, db, factory):
    lawyer = factory.person(Role.LAWYER).user.username
    first, second = unique_v_number(), unique_v_number()
    lines = [
        "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application,lawyer",
        f"{first},Amal Haddad,1991-04-17,SY,ar,2019-11-04,{lawyer}",
        f'{second},"Sara\rAhmadi",1985-01-30,IR,fa;en,2019-12-01,{lawyer}',
    ]
    response = upload(client, factory, "backlog.csv", "\r".join(lines).encode())

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["failed"]) == (2, 2, 0), report
    cases = {
        c.v_number: c for c in db.scalars(select(Case).where(Case.v_number.in_([first, second])))
    }
    assert cases[first].applicant_name == "Amal Haddad"
    assert cases[first].nationality == "SY"
    assert cases[second].languages == ["fa", "en"]
    assert cases[second].applicant_name == "Sara\rAhmadi"  # a quoted cell keeps its line end
    assert {c.lawyer_id for c in cases.values()} == {factory.person(Role.LAWYER).user.id}


def test_import_of_a_csv_cell_over_the_field_limit(client, factory):
    """The message names the line to fix (the csv module's limit is 131072 characters)."""
    header = "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application"
    fine = f"{unique_v_number()},Amal Haddad,1991-04-17,SY,ar,2019-11-04"
    huge = f'{unique_v_number()},"{"x" * 140_000}",1991-04-17,SY,ar,2019-11-04'
    content = "\n".join([header, fine, huge, fine]).encode()
    detail = invalid(upload(client, factory, "backlog.csv", content), code="bad_import_file")
    assert detail.startswith("backlog.csv: line 3: field larger than field limit"), detail


def test_import_file_with_a_lone_surrogate_is_reported_per_row(client, db, factory):
    """Inside an import file a bad row is reported and skipped; the others import."""
    good, bad = new_case(factory), new_case(factory, applicant_name="Sara Ahmadi")
    document = json.dumps([good, bad]).replace("Sara Ahmadi", "Sara \\ud800")
    response = upload(client, factory, "backlog.json", document.encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["failed"]) == (1, 1), report
    assert "applicant_name" in " ".join(report["errors"][0]["errors"])
    assert db.scalar(select(Case.id).where(Case.v_number == good["v_number"]))
