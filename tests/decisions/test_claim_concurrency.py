"""Twenty officers press "take next" at the same instant against a real app process: each
gets a different file, and nobody gets one twice. On PostgreSQL the claim skips rows other
transactions hold (FOR UPDATE SKIP LOCKED); on SQLite writers are serialised
(BEGIN IMMEDIATE). CI runs this on both."""

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Role
from service.models.cases import Case, CaseEventRow
from service.workflow import CaseState
from tests.live import seeded
from tests.test_concurrency import REQUESTS, Live, at_once

API = "/api/v1"


def _seed(server: Live, cases: int) -> tuple[list, list]:
    with seeded(server.engine) as factory:
        officers = [factory.person(Role.OFFICER, f"o{i}") for i in range(REQUESTS)]
        ready = [factory.case_in(CaseState.READY_FOR_DECISION) for _ in range(cases)]
    return officers, ready


def _claims(server: Live, case_ids: list) -> Counter:
    with Session(server.engine) as db:
        rows = db.execute(
            select(CaseEventRow.case_id, func.count())
            .where(CaseEventRow.case_id.in_(case_ids), CaseEventRow.event == "claim")
            .group_by(CaseEventRow.case_id)
        ).all()
    return Counter({case_id: count for case_id, count in rows})


def test_twenty_officers_take_next_at_once_and_never_share_a_file(server: Live):
    officers, ready = _seed(server, REQUESTS + 5)
    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/decision-queue/take-next", headers=officers[i].headers
        ),
    )
    assert [a.status for a in answers] == [200] * REQUESTS, answers
    taken = [a.body["id"] for a in answers]
    assert len(set(taken)) == REQUESTS, "two officers got the same file"
    assert {a.body["claimed_by_id"] for a in answers} == {str(o.user.id) for o in officers}
    claims = _claims(server, [c.id for c in ready])
    assert sum(claims.values()) == REQUESTS
    assert max(claims.values()) == 1


def test_more_officers_than_files_leaves_the_rest_a_clean_404(server: Live):
    officers, _ = _seed(server, 0)
    with seeded(server.engine) as factory:  # drain what earlier tests left in the queue
        left = factory.db.scalars(
            select(Case).where(Case.state == CaseState.READY_FOR_DECISION)
        ).all()
        for case in left:
            factory.driver().drive(case, CaseState.PHYSICAL_HEARING_REQUIRED)
        few = [factory.case_in(CaseState.READY_FOR_DECISION) for _ in range(5)]
    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/decision-queue/take-next", headers=officers[i].headers
        ),
    )
    statuses = Counter(a.status for a in answers)
    assert statuses == {200: 5, 404: REQUESTS - 5}, statuses
    assert {a.body["code"] for a in answers if a.status == 404} == {"queue_empty"}
    assert {a.body["id"] for a in answers if a.status == 200} == {str(c.id) for c in few}
