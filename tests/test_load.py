"""A full location at once: 200 clients on one app process for a few seconds.

Half ask ``GET /me`` (the request floor), half are kiosks saving answers as applicants
type. Before the request model of ``service/core/routing.py``, about 55 requests in
flight stalled the service for 30 s at a time and then gave 500s. Nothing here is
timed: every request must be answered (no 5xx, no timeout, no connection error), and
every save the service acknowledged must be in the database.

Runs on the suite's database (SQLite by default, PostgreSQL in CI's second run).
"""

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Role
from service.models.questionnaires import AnswerSet
from service.questionnaires.forms import QuestionType
from service.questionnaires.service import policy_form
from service.workflow import CaseState
from tests.live import App, drop_database, engine_for, fresh_database, seeded, start_app

CLIENTS = 200
KIOSKS = CLIENTS // 2
SECONDS = 4
API = "/api/v1"


@dataclass
class Tally:
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # timeouts, connection errors
    acknowledged: dict[uuid.UUID, str] = field(default_factory=dict)  # last saved per case

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass
class Location:
    app: App
    planner_token: str
    kiosks: list[tuple[uuid.UUID, str]]  # (case, applicant token)
    question: str
    database_url: str


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Location]:
    tmp = tmp_path_factory.mktemp("load")
    database_url = fresh_database(tmp, "load")
    try:
        with engine_for(database_url) as engine, seeded(engine) as factory:
            planner = factory.person(Role.PLANNER).token
            kiosks = []
            for _ in range(KIOSKS):
                case = factory.case_in(CaseState.IN_PROGRESS)
                token = factory.applicant_headers(case)["Authorization"].removeprefix("Bearer ")
                kiosks.append((case.id, token))
        question = next(q.id for q in policy_form().questions if q.type is QuestionType.TEXT)
        app = start_app(database_url, tmp)
        try:
            yield Location(app, planner, kiosks, question, database_url)
        finally:
            app.process.stop()
    finally:
        drop_database(database_url)


async def floor_client(client: httpx.AsyncClient, token: str, until: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < until:
        try:
            response = await client.get(f"{API}/me", headers=headers)
        except httpx.HTTPError as exc:
            tally.failures.append(f"GET /me: {exc!r}")
            continue
        tally.count(response.status_code)


async def kiosk_client(
    client: httpx.AsyncClient,
    case_id: uuid.UUID,
    token: str,
    question: str,
    until: float,
    tally: Tally,
) -> None:
    """One applicant typing: saves one after the other, each with a new text."""
    headers = {"Authorization": f"Bearer {token}"}
    number = 0
    while time.monotonic() < until:
        number += 1
        text = f"{case_id.hex[:8]} typed {number}"
        try:
            response = await client.put(
                f"{API}/kiosk/answers", json={"answers": {question: text}}, headers=headers
            )
        except httpx.HTTPError as exc:
            tally.failures.append(f"PUT /kiosk/answers: {exc!r}")
            continue
        tally.count(response.status_code)
        if response.status_code == 200:
            tally.acknowledged[case_id] = text


async def full_location(location: Location) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(base_url=location.app.url, limits=limits, timeout=timeout) as c:
        until = time.monotonic() + SECONDS
        clients = [floor_client(c, location.planner_token, until, tally) for _ in range(KIOSKS)]
        clients += [
            kiosk_client(c, case_id, token, location.question, until, tally)
            for case_id, token in location.kiosks
        ]
        await asyncio.gather(*clients)
    return tally


def test_a_full_location_at_once_is_served_and_loses_nothing(location: Location):
    location.app.new_errors()
    tally = asyncio.run(full_location(location))

    assert not tally.failures, tally.failures[:10]
    assert set(tally.statuses) == {200}, tally.statuses  # no 5xx, no 503, nothing refused
    assert sum(tally.statuses.values()) >= CLIENTS, "every client was answered"
    assert len(tally.acknowledged) == KIOSKS, "every kiosk got at least one save through"
    with engine_for(location.database_url) as engine, Session(engine) as db:
        stored = {
            answer_set.case_id: answer_set.answers
            for answer_set in db.scalars(
                select(AnswerSet).where(AnswerSet.case_id.in_(list(tally.acknowledged)))
            )
        }
    lost = {
        case_id: (text, stored.get(case_id, {}).get(location.question))
        for case_id, text in tally.acknowledged.items()
        if stored.get(case_id, {}).get(location.question) != text
    }
    assert not lost, f"acknowledged saves missing from the database: {list(lost.items())[:5]}"
    assert location.app.new_errors() is None
