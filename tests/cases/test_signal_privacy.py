"""NV/1F signals stay inside the IND: no response to the lawyer, the translator, the host or
the applicant tells of one (its source, its reason, or that there is one at all), on any
GET route, in any state of the case. Staff do read them.

Regression: the timeline showed the exclusion event's reason ("1F signal from <source>:
... (<reason>)") to the case's lawyer. The routes walked are read from the OpenAPI schema,
so a route added later is walked without changing this test.
"""

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.access import REDACTED_EXCLUSION
from service.main import FIRST_PAGES, PAGES, app
from service.models import Role
from service.models.cases import Case
from service.models.invitations import Invitation
from service.models.messages import Message
from service.models.sessions import Booking, HearingSession
from service.models.translation import Translation
from service.questionnaires.forms import DEFAULT_FORM
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.factories import Factory
from tests.helpers import API, ok, sign_in

SOURCE = "SECRET-SOURCE-7f3a"
REASON = "SECRET-REASON-91c2"
# What must never reach someone outside the IND: the secrets, and any word for a signal.
TELLS_OF_A_SIGNAL = re.compile(rf"{SOURCE}|{REASON}|\bNV\b|\b1F\b", re.IGNORECASE)
# Cases that get a signal in these states: open ones leave the written track at once; a
# decided case keeps its state (and the host's seat list still shows it).
SIGNALLED_IN = (
    CaseState.SCREENED,
    CaseState.SCHEDULED,
    CaseState.IN_PROGRESS,
    CaseState.IN_TRANSLATION,
    CaseState.WITH_LAWYER,
    CaseState.DECIDED_ON_FORM,
)
OUTSIDERS = (Role.LAWYER, Role.TRANSLATOR, Role.HOST, Role.APPLICANT)
GET_ROUTES = [
    (path, operation)
    for path, item in app.openapi()["paths"].items()
    for method, operation in item.items()
    if method == "get"
]


@dataclass
class Signalled:
    """A case with a signal, and the ids its routes take."""

    case: Case
    session_ids: list[uuid.UUID]
    translation_ids: list[uuid.UUID]
    excluded_by: str  # "signal" (POST /signals), "screening" (import) or "" (decided case)
    booking_ids: list[uuid.UUID] = field(default_factory=list)
    location_ids: list[uuid.UUID] = field(default_factory=list)
    invitation_ids: list[uuid.UUID] = field(default_factory=list)
    message_ids: list[uuid.UUID] = field(default_factory=list)
    # Unit 1F's attention points on the case, and its lists (tests/attention).
    point_ids: list[uuid.UUID] = field(default_factory=list)
    list_ids: list[uuid.UUID] = field(default_factory=list)

    def path_values(self, name: str) -> list[str] | None:
        values: dict[str, list[Any]] = {
            "case_id": [self.case.id],
            "v_number": [self.case.v_number],
            "session_id": self.session_ids or [uuid.uuid4()],
            "translation_id": self.translation_ids or [uuid.uuid4()],
            "form_id": [DEFAULT_FORM],
            # Accounts and reset links tell nothing of a case: any value will do.
            "user_id": [uuid.uuid4()],
            "token": ["no-such-reset-link"],
            "section_id": ["identity", "reasons"],
            "booking_id": self.booking_ids or [uuid.uuid4()],
            "location_id": self.location_ids or [uuid.uuid4()],
            # Attachments are the lawyer's own files; none of these cases has one.
            "attachment_id": [uuid.uuid4()],
            "invitation_id": self.invitation_ids or [uuid.uuid4()],
            # The messages about the case (each opens only for its recipient).
            "message_id": self.message_ids or [uuid.uuid4()],
            # An import run names no case's signal; any value will do.
            "run_id": [uuid.uuid4()],
            # A spoken answer to a question of the form (none of these cases has one).
            "question_id": ["reasons_account"],
            # A spoken prompt of the form: the same for every case.
            "version": ["1"],
            "language": ["ar"],
            "item_id": ["reasons_account"],
            "prompt_id": ["reasons_account"],
            "point_id": self.point_ids or [uuid.uuid4()],
            "list_id": self.list_ids or [uuid.uuid4()],
            "indicator_id": [uuid.uuid4()],
            # The partners' proposals and the form's drafts name no case.
            "proposal_id": [uuid.uuid4()],
            "draft_id": [uuid.uuid4()],
        }
        found = values.get(name)
        return None if found is None else [str(v) for v in found]


def queries(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """Query strings that show the most: the largest page, each value of a boolean."""
    variants: list[dict[str, Any]] = [{}]
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        schema = parameter.get("schema", {})
        types = {s.get("type") for s in [schema, *schema.get("anyOf", [])]}
        if "boolean" in types:
            variants = [v | {parameter["name"]: b} for v in variants for b in ("true", "false")]
        elif parameter["name"] == "limit" and "maximum" in schema:
            variants = [v | {"limit": schema["maximum"]} for v in variants]
    return variants


def urls(path: str, operation: dict[str, Any], case: Signalled | None) -> Iterator[str]:
    """Every URL of one GET route: for a route with path parameters, filled from ``case``."""
    names = re.findall(r"\{(\w+)\}", path)
    if names and case is None:
        return
    if not names and case is not None:
        return
    filled = [path]
    for name in names:
        assert case is not None
        values = case.path_values(name)
        if values is None:
            pytest.fail(f"GET {path}: this test does not know how to fill {{{name}}}; teach it")
        filled = [f.replace(f"{{{name}}}", v) for f in filled for v in values]
    for url in filled:
        for query in queries(operation):
            yield url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@dataclass
class Walk:
    """Every response one caller got, by URL."""

    responses: dict[str, Any] = field(default_factory=dict)

    def status(self, url: str) -> int:
        return int(self.responses[url].status_code)

    def text(self, *urls: str) -> str:
        return "\n".join(self.responses[u].text for u in urls)


def walk(client: Any, headers: dict[str, str], cases: list[Signalled]) -> Walk:
    result = Walk()
    for path, operation in GET_ROUTES:
        for case in [None, *cases]:
            for url in urls(path, operation, case):
                result.responses[url] = client.get(url, headers=headers)
    return result


def readable(response: Any) -> str:
    """The text a reader gets: a PDF's extracted text, not its compressed bytes."""
    if response.headers.get("content-type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return str(response.text)


def assert_no_signal_told(role: str, walked: Walk) -> None:
    leaks = []
    for url, response in walked.responses.items():
        assert response.status_code < 500, (role, url, response.text)
        text = readable(response)
        found = TELLS_OF_A_SIGNAL.search(text)
        if found:
            context = text[max(0, found.start() - 60) : found.end() + 60]
            leaks.append(f"GET {url} ({response.status_code}): ...{context}...")
    assert not leaks, f"a {role} is told of an NV/1F signal:\n" + "\n".join(leaks)


# --- the cases ----------------------------------------------------------------------------


def record_signal(client: Any, factory: Factory, case: Case, kind: str) -> None:
    body = {"kind": kind, "source": SOURCE, "reason": REASON}
    officer = factory.person(Role.OFFICER)
    ok(client.post(f"{API}/cases/{case.id}/signals", headers=officer.headers, json=body), 201)


def imported_with_signal(client: Any, factory: Factory) -> Case:
    """A case whose signal came with the import file: screening excludes it at once."""
    row = {
        "v_number": unique_v_number(),
        "applicant_name": "Yonas Tesfay",
        "date_of_birth": "1990-02-03",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-06-01",
        "lawyer": factory.person(Role.LAWYER).user.username,
        "literacy": "known",
        "signals": [{"kind": "nv", "source": SOURCE, "reason": REASON}],
    }
    planner = factory.person(Role.PLANNER)
    upload = {"file": ("backlog.json", json.dumps([row]).encode(), "application/json")}
    report = ok(client.post(f"{API}/cases/import", headers=planner.headers, files=upload))
    assert (report["created"], report["screened"]) == (1, {"excluded": 1}), report
    return factory.db.scalars(select(Case).where(Case.v_number == row["v_number"])).one()


def related(db: Session, case: Case, excluded_by: str) -> Signalled:
    sessions = db.scalars(select(Booking.session_id).where(Booking.case_id == case.id))
    jobs = db.scalars(select(Translation.id).where(Translation.case_id == case.id))
    bookings = db.scalars(select(Booking.id).where(Booking.case_id == case.id))
    locations = db.scalars(
        select(HearingSession.location_id)
        .join(Booking, Booking.session_id == HearingSession.id)
        .where(Booking.case_id == case.id)
    )
    invitations = db.scalars(select(Invitation.id).where(Invitation.case_id == case.id))
    messages = db.scalars(select(Message.id).where(Message.case_id == case.id))
    return Signalled(
        case,
        list(sessions),
        list(jobs),
        excluded_by,
        list(bookings),
        list(locations),
        list(invitations),
        list(messages),
    )


@pytest.fixture
def signalled(client, db, factory) -> list[Signalled]:
    cases = []
    for number, state in enumerate(SIGNALLED_IN):
        case = factory.case_in(state)
        record_signal(client, factory, case, kind=("nv", "1f")[number % 2])
        db.refresh(case)
        expected = CaseState.DECIDED_ON_FORM if state is CaseState.DECIDED_ON_FORM else "excluded"
        assert case.state == expected
        cases.append(related(db, case, "" if state is CaseState.DECIDED_ON_FORM else "signal"))
    imported = imported_with_signal(client, factory)
    assert imported.state == CaseState.EXCLUDED
    cases.append(related(db, imported, "screening"))
    return cases


def of_state(cases: list[Signalled], state: CaseState) -> Signalled:
    return next(c for c in cases if c.case.state == state)


# --- outsiders ----------------------------------------------------------------------------


def test_lawyer_of_the_case_is_never_told_of_a_signal(client, factory, signalled):
    walked = walk(client, factory.person(Role.LAWYER).headers, signalled)
    assert_no_signal_told("lawyer", walked)
    # The lawyer does see the cases, that they left the written track, and their timeline.
    for item in signalled:
        case = ok(walked.responses[f"{API}/cases/{item.case.id}"])
        assert case["signals"] == []
        if item.excluded_by:
            assert case["state"] == "excluded"
            assert case["exclusion_reason"] == REDACTED_EXCLUSION
            assert case["physical_hearing_next"] is True
        timeline = ok(walked.responses[f"{API}/cases/{item.case.id}/timeline"])
        assert timeline[-1]["to_state"] == case["state"]
        if item.excluded_by:
            assert timeline[-1]["reason"] == REDACTED_EXCLUSION
    listed = walked.text(f"{API}/cases?limit=500")
    assert all(item.case.v_number in listed for item in signalled)


def test_translator_of_the_cases_agency_is_never_told_of_a_signal(client, db, factory, signalled):
    control = related(db, factory.case_in(CaseState.IN_TRANSLATION), "")
    walked = walk(client, factory.person(Role.TRANSLATOR).headers, [*signalled, control])
    assert_no_signal_told("translator", walked)
    # The job of the case excluded during translation was called off with the case.
    jobs = [j for c in signalled for j in c.translation_ids]
    assert jobs
    assert all(walked.status(f"{API}/translations/{j}") == 404 for j in jobs)
    # The walk does reach the agency's work: it reads the job of a case still in translation.
    assert walked.status(f"{API}/translations/{control.translation_ids[0]}") == 200


def test_host_of_the_cases_location_is_never_told_of_a_signal(client, factory, signalled):
    walked = walk(client, factory.person(Role.HOST).headers, signalled)
    assert_no_signal_told("host", walked)
    # The decided case keeps its seat: the host reads its name on the seat list.
    decided = of_state(signalled, CaseState.DECIDED_ON_FORM)
    seat_list = ok(walked.responses[f"{API}/sessions/{decided.session_ids[0]}"])
    assert [b["v_number"] for b in seat_list["bookings"]] == [decided.case.v_number]


def test_applicant_is_never_told_of_a_signal(client, factory, signalled):
    for item in signalled:
        walked = walk(client, factory.applicant_headers(item.case), [item])
        assert_no_signal_told("applicant", walked)
        kiosk = ok(walked.responses[f"{API}/kiosk/form"])
        assert kiosk["case_state"] == item.case.state


# --- staff --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PLANNER, Role.OFFICER])
def test_staff_read_the_signals(client, factory, signalled, role):
    """So the outsiders' tests cannot pass by a walk that never shows a signal."""
    walked = walk(client, factory.person(role).headers, signalled)
    for item in signalled:
        case = walked.text(f"{API}/cases/{item.case.id}")
        assert SOURCE in case, (item.case.state, case)
        assert REASON in case
        timeline = walked.text(f"{API}/cases/{item.case.id}/timeline")
        if item.excluded_by == "signal":
            assert SOURCE in timeline
            assert REASON in timeline
        if item.excluded_by == "screening":
            assert TELLS_OF_A_SIGNAL.search(timeline), timeline


# --- the pages ----------------------------------------------------------------------------

PAGE_ROUTES = [
    route.path
    for router in (*FIRST_PAGES, *PAGES)
    for route in router.routes
    if isinstance(route, APIRoute) and "GET" in route.methods and route.path != "/language/{code}"
]


def walk_pages(client: Any, username: str, cases: list[Signalled]) -> Walk:
    """Every page, signed in through the sign-in page, its ids filled from the cases."""
    client.cookies.clear()
    assert sign_in(client, username).status_code == 303
    result = Walk()
    for path in PAGE_ROUTES:
        for case in [None, *cases]:
            for url in urls(path, {}, case):
                result.responses[url] = client.get(url, headers={"accept": "text/html"})
    return result


@pytest.mark.parametrize("role", [Role.LAWYER, Role.TRANSLATOR, Role.HOST])
def test_no_page_tells_an_outsider_of_a_signal(client, factory, signalled, role):
    walked = walk_pages(client, factory.person(role).user.username, signalled)
    assert_no_signal_told(str(role), walked)
    start = {Role.LAWYER: "/lawyer", Role.TRANSLATOR: "/agency", Role.HOST: "/host"}[role]
    assert walked.status(start) == 200, "the walk reached the role's own pages"
    if role is Role.LAWYER:
        assert all(item.case.v_number in walked.text("/lawyer") for item in signalled)
        # The walk opened the lawyer's own messages about these cases.
        opened = [walked.status(f"/messages/{m}") for c in signalled for m in c.message_ids]
        assert opened
        assert set(opened) == {200}
