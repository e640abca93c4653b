"""The role x route x field matrix: every GET route about a case, called by every role
(someone related to the case, and someone who is not), shows no field the table in
``service/fields.py`` withholds from that caller; callers with no business with the
case get 403/404. The published docs/access.md matches the table.

The texts of the decision (the officer's motivation, the motivation for a physical
hearing, the four-eyes remarks) are planted too: they reach the timeline as event
reasons, which must read like the fields they are (issue 14).
"""

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import fields, procedure
from service.core.clock import utcnow
from service.core.settings import PROJECT_ROOT
from service.corrections.schemas import CorrectionItemIn, ItemKind
from service.decisions import service as decisions
from service.decisions.schemas import DecisionIn, Outcome
from service.fields import When, visibility
from service.main import FIRST_PAGES, PAGES, app
from service.models import (
    AnswerSet,
    Attachment,
    Case,
    Consultation,
    Correction,
    Role,
    Translation,
)
from service.models.decisions import HearingReason, ReviewVerdict
from service.workflow import CaseEvent, CaseState, ReasonKind
from tests.factories import Factory
from tests.helpers import sign_in

MARKERS = {
    "ANSWER-SECRET-51": visibility("answers", "answers"),
    "DUTCH-SECRET-52": visibility("translation", "answers_nl"),
    "CORRECTION-SECRET-53": visibility("corrections", "items"),
    "ADVICE-SECRET-54": visibility("consultation", "advice"),
    "NOTE-SECRET-55": visibility("case", "vulnerability_notes"),
    "ATTACHMENT-SECRET-56": visibility("corrections", "attachments (file name, content)"),
    "DECISION-SECRET-57": visibility("decision", "reason, third_party_weighing"),
    "REVIEW-SECRET-58": visibility("decision review", "proposal, remarks"),
    # The motivation for a physical hearing is the decision's motivation, and in the
    # hand-off record (only there) the hand-off's, which the planner plans from.
    "HANDOFF-SECRET-59": visibility("decision", "reason, third_party_weighing"),
}
ON_ROUTE = {
    ("/handoff", "HANDOFF-SECRET-59"): visibility("hand-off", "reason codes, motivation, estimate")
}
CASE_ROUTES = [
    path
    for path, item in app.openapi()["paths"].items()
    if "get" in item and re.search(r"\{(case_id|v_number|translation_id|attachment_id)\}", path)
]
# On a decided-upon case the translation job is delivered: no longer open to the agency.
RELATED = {When.OWN_CLIENT, When.OWN_CASE, When.THEIR_MOTIVE, When.OWN_LOCATION}


def test_the_published_table_is_up_to_date() -> None:
    published = (PROJECT_ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    assert published == fields.markdown(), (
        "docs/access.md is stale: run python -m service.fields > docs/access.md"
    )


def may_see(role: Role, related: bool, marker: str, url: str = "") -> bool:
    rule = next(
        (r for (part, m), r in ON_ROUTE.items() if m == marker and url.endswith(part)),
        MARKERS[marker],
    )
    when = rule.roles.get(role)
    return when is When.ANY or (related and when in RELATED)


@dataclass
class Caller:
    role: Role
    related: bool
    headers: dict[str, str]


def marked_case(db: Session, factory: Factory) -> Case:
    """A case with the lawyer's corrections in, an LGBTI motive, and a marker in each
    sensitive field."""
    case = factory.case(coordinator_motives=["lgbti"], vulnerability_notes="NOTE-SECRET-55")
    driver = factory.driver()
    driver.corrections = lambda _: [
        CorrectionItemIn(kind=ItemKind.ADDITION, text="CORRECTION-SECRET-53")
    ]
    driver.drive(case, CaseState.READY_FOR_DECISION)
    answer_set = db.scalars(select(AnswerSet).where(AnswerSet.case_id == case.id)).one()
    answer_set.answers = {k: "ANSWER-SECRET-51" for k in answer_set.answers}
    translation = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    translation.answers_nl = dict.fromkeys(translation.answers_nl or {}, "DUTCH-SECRET-52")
    coordinator = factory.person(Role.COORDINATOR, "lgbti").user
    db.add(
        Consultation(
            case_id=case.id,
            coordinator_id=coordinator.id,
            motive="lgbti",
            advice="ADVICE-SECRET-54",
            recorded_at=utcnow(),
        )
    )
    correction = db.scalars(select(Correction).where(Correction.case_id == case.id)).one()
    db.add(
        Attachment(
            correction_id=correction.id,
            filename="ATTACHMENT-SECRET-56.pdf",
            media_type="application/pdf",
            size=25,
            sha256="0" * 64,
            content=b"%PDF-1.4 ATTACHMENT-SECRET-56",
            author_id=case.lawyer_id,
        )
    )
    db.flush()
    decide_with_four_eyes(db, factory, case)
    return case


def decide_with_four_eyes(db: Session, factory: Factory, case: Case) -> None:
    """An officer in their first weeks drafts, a senior sends it back with remarks, the
    file goes back to the queue and another officer decides it on the form."""
    drafter = factory.officer("drafter", lgbti_experience=True, started_on=utcnow().date()).actor
    senior = factory.officer("senior", senior=True).actor
    decisions.claim(db, case, drafter)
    draft = DecisionIn(outcome=Outcome.DECIDED_ON_FORM, kind="grant", reason="a first draft")
    decisions.decide(db, case, drafter, draft)
    assert case.state is CaseState.IN_REVIEW
    decisions.review(db, case, senior, ReviewVerdict.SENT_BACK, "REVIEW-SECRET-58: weigh it")
    decisions.release(db, case, drafter)
    officer = factory.person(Role.OFFICER).actor
    decisions.claim(db, case, officer)
    body = DecisionIn(
        outcome=Outcome.DECIDED_ON_FORM,
        kind="grant",
        reason="DECISION-SECRET-57: the answers point to 1F involvement",
    )
    decisions.decide(db, case, officer, body)
    assert case.state is CaseState.DECIDED_ON_FORM


def handed_off_case(db: Session, factory: Factory) -> Case:
    """A case an officer sends to a physical hearing, with a motivation."""
    case = factory.case_in(CaseState.CLAIMED)
    body = DecisionIn(
        outcome=Outcome.PHYSICAL_HEARING_REQUIRED,
        reason="HANDOFF-SECRET-59: the route of travel needs questions",
        reason_codes=[HearingReason.INSUFFICIENT_INFORMATION],
        estimated_days=1,
    )
    decisions.decide(db, case, factory.person(Role.OFFICER).actor, body)
    assert case.state is CaseState.PHYSICAL_HEARING_REQUIRED
    return case


def callers(factory: Factory, case: Case) -> list[Caller]:
    other_case = factory.case()
    people = [
        Caller(Role.LAWYER, True, factory.person(Role.LAWYER).headers),
        Caller(Role.LAWYER, False, factory.person(Role.LAWYER, "other-firm").headers),
        Caller(Role.COORDINATOR, True, factory.person(Role.COORDINATOR, "lgbti").headers),
        Caller(Role.COORDINATOR, False, factory.person(Role.COORDINATOR, "conversion").headers),
        Caller(Role.TRANSLATOR, True, factory.person(Role.TRANSLATOR).headers),
        Caller(
            Role.TRANSLATOR,
            False,
            factory.person(Role.TRANSLATOR, "elsewhere", agency="Ander Bureau").headers,
        ),
        Caller(Role.HOST, True, factory.person(Role.HOST).headers),
        Caller(Role.APPLICANT, True, factory.applicant_headers(case)),
        Caller(Role.APPLICANT, False, factory.applicant_headers(other_case)),
    ]
    people += [
        Caller(role, True, factory.person(role).headers)
        for role in (Role.PLANNER, Role.OFFICER, Role.ADMIN)
    ]
    return people


def urls(case: Case, db: Session) -> list[str]:
    translation_id = db.scalars(select(Translation.id).where(Translation.case_id == case.id)).one()
    attachment_id = db.scalars(
        select(Attachment.id)
        .join(Correction, Correction.id == Attachment.correction_id)
        .where(Correction.case_id == case.id)
    ).first()
    values = {
        "case_id": case.id,
        "v_number": case.v_number,
        "translation_id": translation_id,
        "attachment_id": attachment_id,
        "question_id": "reasons_account.voice",  # a spoken answer (none here: 404 alike)
    }
    return [
        "/api/v1"
        + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).removeprefix("/api/v1")
        for path in CASE_ROUTES
        if attachment_id is not None or "{attachment_id}" not in path
    ]


def test_no_route_shows_a_field_the_table_withholds(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = marked_case(db, factory)
    handed_off = handed_off_case(db, factory)
    leaks: list[str] = []
    seen_by_officer: set[str] = set()
    for caller in callers(factory, case):
        for url in urls(case, db) + urls(handed_off, db):
            response = client.get(url, headers=caller.headers)
            assert response.status_code < 500, (caller, url, response.text)
            for marker in MARKERS:
                if marker not in response.text:
                    continue
                if caller.role is Role.OFFICER:
                    seen_by_officer.add(marker)
                if not may_see(caller.role, caller.related, marker, url):
                    who = f"{caller.role}{'' if caller.related else ' (unrelated)'}"
                    leaks.append(f"{who} GET {url}: {marker}")
    assert not leaks, "\n".join(leaks)
    # The markers are reachable at all: the walk can find a leak.
    assert seen_by_officer == set(MARKERS)


OUTSIDERS: list[tuple[Role, str | None, dict[str, Any]]] = [
    (Role.LAWYER, "other-firm", {}),
    (Role.TRANSLATOR, "elsewhere", {"agency": "Ander Bureau"}),
    (Role.HOST, None, {}),
]


@pytest.mark.parametrize(("role", "name", "extra"), OUTSIDERS)
def test_someone_elses_case_is_refused_on_every_route(
    client: TestClient, db: Session, factory: Factory, role: Role, name: str | None, extra: Any
) -> None:
    case = marked_case(db, factory)
    headers = factory.person(role, name, **extra).headers
    answered = {url: client.get(url, headers=headers).status_code for url in urls(case, db)}
    allowed = {url: status for url, status in answered.items() if status not in (403, 404)}
    assert not allowed, allowed


def test_a_coordinator_reads_the_account_only_for_cases_with_their_motive(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = marked_case(db, factory)
    theirs = factory.person(Role.COORDINATOR, "lgbti").headers
    other = factory.person(Role.COORDINATOR, "conversion").headers
    for part in ("answers", "translation", "corrections", "consultations"):
        url = f"/api/v1/cases/{case.id}/{part}"
        assert client.get(url, headers=theirs).status_code == 200, url
        assert client.get(url, headers=other).status_code == 404, url


def test_a_host_never_reads_answers(client: TestClient, db: Session, factory: Factory) -> None:
    assert Role.HOST not in fields.roles_seeing("answers", "answers")
    case = marked_case(db, factory)
    host = factory.person(Role.HOST).headers
    assert client.get(f"/api/v1/cases/{case.id}/answers", headers=host).status_code == 403


def test_every_role_appears_in_the_table_only_with_a_known_condition() -> None:
    for row in fields.TABLE:
        assert set(row.roles) <= set(Role), row
        assert all(isinstance(w, When) for w in row.roles.values()), row


# --- pages and PDFs ----------------------------------------------------------------------

PAGE_ROUTES = [
    route.path
    for router in (*FIRST_PAGES, *PAGES)
    for route in router.routes
    if isinstance(route, APIRoute)
    and "GET" in route.methods
    and re.fullmatch(r"[^{}]*\{case_id\}[^{}]*", route.path)
]


def readable_text(response: Any) -> str:
    """What a person reads in the answer: the page, or the text of a PDF."""
    if response.headers.get("content-type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return str(response.text)


@pytest.mark.parametrize("role", [Role.LAWYER, Role.PLANNER, Role.COORDINATOR, Role.OFFICER])
def test_no_page_or_pdf_shows_a_decision_text_the_table_withholds(
    db: Session, factory: Factory, role: Role
) -> None:
    """The same walk through every page (and PDF) about a case, signed in in the
    browser; the officer must find every text, so the walk can find a leak."""
    case = marked_case(db, factory)
    handed_off = handed_off_case(db, factory)
    person = factory.person(role, "lgbti" if role is Role.COORDINATOR else None)
    db.commit()
    texts = ("DECISION-SECRET-57", "REVIEW-SECRET-58", "HANDOFF-SECRET-59")
    leaks: list[str] = []
    seen: set[str] = set()
    with TestClient(app, raise_server_exceptions=False) as browser:
        assert sign_in(browser, person.user.username).status_code == 303
        for target in (case, handed_off):
            for path in PAGE_ROUTES:
                url = path.replace("{case_id}", str(target.id))
                response = browser.get(url, headers={"accept": "text/html"})
                assert response.status_code < 500, (role, url, response.text)
                shown = readable_text(response)
                seen |= {marker for marker in texts if marker in shown}
                leaks += [
                    f"{role} GET {url}: {marker}"
                    for marker in texts
                    if marker in shown and not may_see(role, True, marker, url)
                ]
    assert not leaks, "\n".join(leaks)
    if role is Role.OFFICER:
        assert seen == set(texts)


def test_every_kind_of_event_reason_reads_like_a_row_of_the_table() -> None:
    """Who reads an event's reason follows from its kind alone, through the table."""
    assert set(fields.REASONS) == set(ReasonKind)
    for rule, _instead in fields.REASONS.values():
        assert rule in fields.TABLE
    assert fields.REASONS[ReasonKind.DECISION][0] == visibility(
        "decision", "reason, third_party_weighing"
    )
    assert fields.REASONS[ReasonKind.REVIEW][0] == visibility(
        "decision review", "proposal, remarks"
    )


def test_an_event_without_a_kind_of_reason_is_refused(db: Session, factory: Factory) -> None:
    """Plain text would leave its readers to the caller's memory."""
    case = factory.case_in(CaseState.SCREENED)
    planner = factory.person(Role.PLANNER).actor
    with pytest.raises(TypeError):
        procedure.advance(db, case, CaseEvent.INVITE, planner, "an officer's motivation")  # type: ignore[arg-type]
    assert case.state is CaseState.SCREENED
