"""The role x route x field matrix: every GET route about a case, called by every role
(someone related to the case, and someone who is not), shows no field the table in
``service/fields.py`` withholds from that caller; callers with no business with the
case get 403/404. The published docs/access.md matches the table.
"""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import fields
from service.core.clock import utcnow
from service.core.settings import PROJECT_ROOT
from service.corrections.schemas import CorrectionItem, ItemKind
from service.fields import When, visibility
from service.main import app
from service.models import (
    AnswerSet,
    Attachment,
    Case,
    Consultation,
    Correction,
    Role,
    Translation,
)
from service.workflow import CaseState
from tests.factories import Factory

MARKERS = {
    "ANSWER-SECRET-51": visibility("answers", "answers"),
    "DUTCH-SECRET-52": visibility("translation", "answers_nl"),
    "CORRECTION-SECRET-53": visibility("corrections", "items"),
    "ADVICE-SECRET-54": visibility("consultation", "advice"),
    "NOTE-SECRET-55": visibility("case", "vulnerability_notes"),
    "ATTACHMENT-SECRET-56": visibility("corrections", "attachments (file name, content)"),
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


def may_see(role: Role, related: bool, marker: str) -> bool:
    when = MARKERS[marker].roles.get(role)
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
        CorrectionItem(kind=ItemKind.ADDITION, text="CORRECTION-SECRET-53")
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
    ).one()
    values = {
        "case_id": case.id,
        "v_number": case.v_number,
        "translation_id": translation_id,
        "attachment_id": attachment_id,
    }
    return [
        "/api/v1"
        + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).removeprefix("/api/v1")
        for path in CASE_ROUTES
    ]


def test_no_route_shows_a_field_the_table_withholds(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = marked_case(db, factory)
    leaks: list[str] = []
    seen_by_officer: set[str] = set()
    for caller in callers(factory, case):
        for url in urls(case, db):
            response = client.get(url, headers=caller.headers)
            assert response.status_code < 500, (caller, url, response.text)
            for marker in MARKERS:
                if marker not in response.text:
                    continue
                if caller.role is Role.OFFICER:
                    seen_by_officer.add(marker)
                if not may_see(caller.role, caller.related, marker):
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
