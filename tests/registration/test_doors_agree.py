"""The selection for the written registration interview through the API and through the
planner's page: the same move stored, the same refusal."""

import uuid

from sqlalchemy import select

from service.models import Role
from service.models.cases import Case, CaseEventRow
from tests.decisions.doors import api_refusal, page_post, page_refusal
from tests.helpers import API, sign_in
from tests.registration.test_registration_interview import register

PAGE = "/planner/registration-interview"


def _stored(db, case_id: str) -> tuple[str, str | None, str | None, list[tuple[str, str]]]:
    db.expire_all()
    case = db.get_one(Case, uuid.UUID(case_id))
    events = db.execute(
        select(CaseEventRow.event, CaseEventRow.to_state)
        .where(CaseEventRow.case_id == case.id)
        .order_by(CaseEventRow.id)
    ).all()
    return case.state, case.track, case.policy_version, [tuple(e) for e in events]


def test_selection_stores_the_same_through_either_door(client, db, factory):
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    by_api, by_page = register(client, planner, lawyer), register(client, planner, lawyer)
    answer = client.post(
        f"{API}/cases/{by_api['id']}/registration-interview", headers=planner.headers
    )
    assert answer.status_code == 200
    sign_in(client, planner.user.username)
    page = page_post(client, f"{PAGE}/{by_page['id']}", {}, PAGE)
    assert page.status_code == 303
    assert page.headers["location"] == f"{PAGE}?selected={by_page['v_number']}"
    assert _stored(db, by_api["id"]) == _stored(db, by_page["id"])
    assert _stored(db, by_page["id"])[:2] == ("consented", "registration")


def test_a_refusal_is_the_same_through_either_door(client, db, factory):
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    low = register(client, planner, lawyer, literacy="low")
    api = client.post(f"{API}/cases/{low['id']}/registration-interview", headers=planner.headers)
    status, code, _ = api_refusal(api)
    sign_in(client, planner.user.username)
    page = page_post(client, f"{PAGE}/{low['id']}", {}, PAGE)
    page_status, fields = page_refusal(page)
    assert (status, code) == (409, "not_eligible_for_registration")
    assert page_status == status
    assert fields == {"cases"}
    assert _stored(db, low["id"])[0] == "imported"
