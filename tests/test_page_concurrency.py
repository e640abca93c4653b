"""Several planners on the pages at the same instant, against a real app process on the
suite's database (CI runs it on SQLite and PostgreSQL): inviting the same case, booking
the last seat of a session, saving the same session. Exactly one succeeds; every other
planner gets a page that says why (never a 500), and the database holds one of each."""

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.formatting import LOCAL_TIME
from service.models import Role
from service.models.cases import Case
from service.models.invitations import Invitation
from service.models.sessions import Booking, HearingSession
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in
from tests.live import drop_database, engine_for, fresh_database, seeded, start_app
from tests.test_concurrency import Live

PLANNERS = 6
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("page-concurrency")
    database_url = fresh_database(tmp, "pageconc")
    try:
        with engine_for(database_url) as engine:
            app = start_app(database_url, tmp)
            try:
                yield Live(app, engine)
            finally:
                app.process.stop()
    finally:
        drop_database(database_url)


@pytest.fixture(scope="module")
def browsers(live: Live) -> Iterator[list[httpx.Client]]:
    """Six planners, each signed in in their own browser (cookies, CSRF)."""
    with seeded(live.engine) as factory:
        # Six planners, not one six times: the same planner's third sign-in would wait
        # for the next authenticator code (a code is good once), 30 s each.
        people = [factory.person(Role.PLANNER, f"p{n}") for n in range(PLANNERS)]
    clients = []
    for person in people:
        client = httpx.Client(base_url=live.app.url, timeout=60, trust_env=False)
        assert sign_in(client, person.user.username).status_code == 303
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


@pytest.fixture
def server(live: Live) -> Iterator[Live]:
    live.app.new_errors()
    yield live
    excerpt = live.app.new_errors()
    if excerpt:
        pytest.fail(f"server error during this test:\n{excerpt}", pytrace=False)


def at_once(
    browsers: list[httpx.Client],
    form_page: str,
    send: Callable[[httpx.Client, int, str], httpx.Response],
) -> list[httpx.Response]:
    """Each planner opens the form page, then all post at one instant."""
    tokens = [csrf_of(b.get(form_page, headers=HTML).text) for b in browsers]
    barrier = threading.Barrier(len(browsers), timeout=30)
    answers: list[httpx.Response | BaseException | None] = [None] * len(browsers)

    def one(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = send(browsers[i], i, tokens[i])
        except BaseException as exc:
            barrier.abort()
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    failed = [a for a in answers if not isinstance(a, httpx.Response)]
    assert not failed, f"requests failed: {failed!r}"
    return [a for a in answers if isinstance(a, httpx.Response)]


def one_success(answers: list[httpx.Response], said: tuple[str, ...]) -> None:
    statuses = sorted(a.status_code for a in answers)
    assert all(a.status_code < 500 for a in answers), statuses
    assert statuses.count(303) == 1, statuses
    for answer in answers:
        if answer.status_code != 303:
            assert answer.status_code in (409, 422), statuses
            assert "text/html" in answer.headers["content-type"]
            assert any(words in answer.text for words in said), answer.text[-3000:]


def post(client: httpx.Client, path: str, token: str, data: dict[str, str]) -> httpx.Response:
    return client.post(
        path, data={"csrf_token": token, **data}, headers=HTML, follow_redirects=False
    )


def test_planners_inviting_the_same_case_at_once(server: Live, browsers):
    with seeded(server.engine) as factory:
        case = factory.case_in(CaseState.SCREENED)
    page = f"/planner/cases/{case.id}"

    answers = at_once(
        browsers,
        page,
        lambda client, i, token: post(client, f"{page}/invitation", token, {"reply_days": ""}),
    )

    one_success(
        answers,
        ("Al uitgenodigd", "Niet in de fase", "iemand anders", "Deze stap is nu niet mogelijk"),
    )
    invitations = select(func.count()).select_from(Invitation).where(Invitation.case_id == case.id)
    assert server.count(invitations) == 1


def test_planners_booking_the_last_seat_at_once(server: Live, browsers):
    with seeded(server.engine) as factory:
        hearing = factory.session("ar", seats=1)
        cases = [factory.case_in(CaseState.CONSENTED) for _ in range(PLANNERS)]
    page = f"/planner/sessions/{hearing.id}"

    answers = at_once(
        browsers,
        page,
        lambda client, i, token: post(
            client, f"{page}/book", token, {"v_number": cases[i].v_number}
        ),
    )

    one_success(
        answers,
        (
            "Alle plaatsen in deze sessie zijn bezet",
            "De plaats is net bezet",
            "Deze stap is nu niet mogelijk",
        ),
    )
    seated = select(func.count()).select_from(Booking).where(Booking.session_id == hearing.id)
    assert server.count(seated) == 1
    with Session(server.engine) as db:
        states = [
            c.state for c in db.scalars(select(Case).where(Case.id.in_([c.id for c in cases])))
        ]
    assert sorted(states) == sorted([CaseState.SCHEDULED] + [CaseState.CONSENTED] * (PLANNERS - 1))


def test_planners_saving_the_same_session_at_once(server: Live, browsers):
    with seeded(server.engine) as factory:
        hearing = factory.session("ar", seats=10)
    edit = f"/planner/sessions/{hearing.id}/edit"
    day = (utcnow() + timedelta(days=15)).astimezone(LOCAL_TIME).date().isoformat()

    answers = at_once(
        browsers,
        edit,
        lambda client, i, token: post(
            client,
            edit,
            token,
            {
                "date": day,
                "time": "10:00",
                "duration_minutes": "240",
                "seats": str(11 + i),
                "language": "ar",
                "room_id": "",
                "version": "1",
            },
        ),
    )

    one_success(answers, ("Iemand anders heeft deze sessie gewijzigd",))
    winner = next(i for i, a in enumerate(answers) if a.status_code == 303)
    with Session(server.engine) as db:
        saved = db.get_one(HearingSession, hearing.id)
        assert saved.version == 2
        assert saved.seats == 11 + winner  # the winner's change, not a mix
    for answer in answers:
        if answer.status_code != 303:
            assert 'name="version" value="2"' in answer.text  # the next save can go through
