"""``Idempotency-Key`` on POSTs that create something: the same key and request give
the first answer and create nothing more; the same key with another request is refused.
(Twenty at once against a live app: tests/test_concurrency.py.)"""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Case, Role
from tests.conftest import unique_v_number
from tests.factories import Factory

API = "/api/v1"


def new_case(factory: Factory, v_number: str) -> dict[str, Any]:
    lawyer = factory.person(Role.LAWYER)
    return {
        "v_number": v_number,
        "applicant_name": "Samira Haddad",
        "date_of_birth": "1990-01-02",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-11-04",
        "lawyer": lawyer.user.username,
    }


def cases_with(db: Session, v_number: str) -> int:
    return db.scalar(select(func.count()).select_from(Case).where(Case.v_number == v_number)) or 0


def test_the_same_key_and_body_give_the_first_answer_and_create_one_case(
    client: TestClient, db: Session, factory: Factory
) -> None:
    planner = factory.person(Role.PLANNER)
    body = new_case(factory, unique_v_number())
    headers = {**planner.headers, "Idempotency-Key": "create-case-0001"}
    first = client.post(f"{API}/cases", json=body, headers=headers)
    again = client.post(f"{API}/cases", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert cases_with(db, body["v_number"]) == 1
    # Without the key the same request is a second, refused creation.
    plain = client.post(f"{API}/cases", json=body, headers=planner.headers)
    assert plain.status_code == 409


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, db: Session, factory: Factory
) -> None:
    planner = factory.person(Role.PLANNER)
    headers = {**planner.headers, "Idempotency-Key": "create-case-0002"}
    first = new_case(factory, unique_v_number())
    other = new_case(factory, unique_v_number())
    assert client.post(f"{API}/cases", json=first, headers=headers).status_code == 201
    refused = client.post(f"{API}/cases", json=other, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"
    assert cases_with(db, other["v_number"]) == 0


def test_keys_are_per_caller(client: TestClient, db: Session, factory: Factory) -> None:
    one, two = factory.person(Role.PLANNER, "one"), factory.person(Role.PLANNER, "two")
    key = {"Idempotency-Key": "shared-key-0003"}
    first, second = new_case(factory, unique_v_number()), new_case(factory, unique_v_number())
    assert client.post(f"{API}/cases", json=first, headers=one.headers | key).status_code == 201
    assert client.post(f"{API}/cases", json=second, headers=two.headers | key).status_code == 201


def test_a_failed_write_is_not_remembered(
    client: TestClient, db: Session, factory: Factory
) -> None:
    planner = factory.person(Role.PLANNER)
    body = new_case(factory, unique_v_number())
    headers = {**planner.headers, "Idempotency-Key": "retry-after-fix-4"}
    assert client.post(f"{API}/cases", json=body, headers=planner.headers).status_code == 201
    assert client.post(f"{API}/cases", json=body, headers=headers).status_code == 409
    body["v_number"] = unique_v_number()
    # Another body with the key: the failed attempt stored nothing, so it is not "reused".
    assert client.post(f"{API}/cases", json=body, headers=headers).status_code == 201


def test_a_malformed_key_is_refused(client: TestClient, factory: Factory) -> None:
    planner = factory.person(Role.PLANNER)
    body = new_case(factory, unique_v_number())
    headers = {**planner.headers, "Idempotency-Key": "x" * 201}
    refused = client.post(f"{API}/cases", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "bad_idempotency_key"


def test_a_keyed_multipart_upload_is_stored_once(
    client: TestClient, db: Session, factory: Factory
) -> None:
    from service.models import Attachment, Correction
    from tests.corrections.test_corrections import png, with_lawyer
    from tests.helpers import if_match

    case = with_lawyer(factory)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    headers = {**if_match(client, case.id, lawyer.headers), "Idempotency-Key": "upload-0001"}
    files = {"file": ("foto.png", png(), "image/png")}
    first = client.post(url, headers=headers, files=files)
    again = client.post(url, headers=headers, files=files)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    stored = db.scalar(
        select(func.count())
        .select_from(Attachment)
        .join(Correction, Correction.id == Attachment.correction_id)
        .where(Correction.case_id == case.id)
    )
    assert stored == 1


def test_a_keyed_form_post_of_a_page_replays_its_redirect(
    client: TestClient, db: Session, factory: Factory
) -> None:
    from service.workflow import CaseState
    from tests.helpers import csrf_of, sign_in

    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.CLAIMED)
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    token = csrf_of(client.get(bench, headers={"accept": "text/html"}).text)
    post = {
        "url": f"{bench}/release",
        "data": {"csrf_token": token},
        "headers": {"accept": "text/html", "Idempotency-Key": "release-0001"},
        "follow_redirects": False,
    }
    first = client.post(**post)
    again = client.post(**post)  # released once: a second run would be refused
    assert first.status_code == again.status_code == 303, again.text
    assert again.headers["location"] == first.headers["location"]
    db.refresh(case)
    assert case.state is CaseState.READY_FOR_DECISION
