"""The two doors of each sessions action agree: the same input through the API and
through the page stores the same result, and an input the API refuses the page refuses
too, with the same status, the message beside the field and what was typed kept."""

from datetime import timedelta

from sqlalchemy import select

from service.core.clock import utcnow
from service.core.formatting import LOCAL_TIME
from service.models import Role
from service.models.sessions import Booking, HearingSession, Interpreter, Location, Room
from service.sessions import service as sessions
from service.sessions.schemas import RoomIn
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, sign_in
from tests.pages.test_planner_cases import HTML, planner_browser, post


def _refused_alike(api, page, status: int, code: str, field: str) -> None:
    assert_problem(api, status, code)
    assert page.status_code == status, page.text[-2000:]
    assert f'id="{field}-error"' in page.text or f'href="#{field}"' in page.text


def test_a_location_and_a_room(client, db, factory):
    planner = factory.person(Role.PLANNER)
    browser = planner_browser(factory)
    body = {"name": "IND Den Bosch", "address": "Den Bosch"}
    api = client.post(f"{API}/locations", json=body, headers=planner.headers)
    assert api.status_code == 201
    by_page = post(browser, "/planner/locations", "/planner/locations", body | {"name": "IND Ede"})
    assert by_page.status_code == 303
    stored = {
        loc.name: (loc.address, loc.kiosks)
        for loc in db.scalars(select(Location).where(Location.address == "Den Bosch"))
    }
    assert stored == {"IND Den Bosch": ("Den Bosch", 0), "IND Ede": ("Den Bosch", 0)}

    twice = client.post(f"{API}/locations", json=body, headers=planner.headers)
    again = post(browser, "/planner/locations", "/planner/locations", body)
    _refused_alike(twice, again, 409, "duplicate_location", "name")
    assert 'value="Den Bosch"' in again.text  # what was typed is kept

    location = db.scalar(select(Location).where(Location.name == "IND Ede"))
    page = f"/planner/locations/{location.id}"
    rooms = f"{API}/locations/{location.id}/rooms"
    assert client.post(rooms, json={"name": "A", "seats": 3}, headers=planner.headers).is_success
    assert post(browser, page, f"{page}/rooms", {"name": "B", "seats": "3"}).status_code == 303
    stored_rooms = db.scalars(select(Room.name).where(Room.location_id == location.id)).all()
    assert sorted(stored_rooms) == ["A", "B"]
    db.refresh(location)
    assert location.kiosks == 6
    _refused_alike(
        client.post(rooms, json={"name": "A", "seats": 0}, headers=planner.headers),
        post(browser, page, f"{page}/rooms", {"name": "C", "seats": "0"}),
        422,
        "validation_error",
        "seats",
    )


def _local(days: int, hour: str) -> tuple[str, str, str]:
    local = (utcnow() + timedelta(days=days)).astimezone(LOCAL_TIME).date().isoformat()
    return local, hour, f"{local}T{hour}:00"


def test_a_session_planned_changed_and_called_off(client, db, factory):
    planner = factory.person(Role.PLANNER)
    browser = planner_browser(factory)
    location = factory.location()
    room = sessions.create_room(db, location, RoomIn(name="Zaal D", seats=10))
    day, _, _ = _local(20, "09:00")
    starts = (
        (utcnow() + timedelta(days=20))
        .astimezone(LOCAL_TIME)
        .replace(hour=9, minute=0, second=0, microsecond=0)
        .isoformat()
    )
    common = {"location_id": str(location.id), "seats": 8, "language": "ar"}
    api = client.post(
        f"{API}/sessions",
        json=common
        | {
            "starts_at": starts,
            "interpreters": [{"language": "ar", "gender": "male", "name": "Omar"}],
        },
        headers=planner.headers,
    )
    assert api.status_code == 201, api.text
    form = {k: str(v) for k, v in common.items()} | {
        "date": day,
        "time": "09:00",
        "duration_minutes": "240",
        "interpreter_language": "ar",
        "interpreter_gender": "male",
        "interpreter_name": "Omar",
    }
    assert post(browser, "/planner/sessions/new", "/planner/sessions", form).status_code == 303
    planned = db.scalars(
        select(HearingSession).where(HearingSession.location_id == location.id)
    ).all()
    assert len(planned) == 2
    assert len({(s.starts_at, s.seats, s.language, s.duration_minutes) for s in planned}) == 1
    interpreters = db.scalars(
        select(Interpreter).where(Interpreter.session_id.in_([s.id for s in planned]))
    ).all()
    assert (
        sorted((i.language, i.gender, i.name) for i in interpreters) == [("ar", "male", "Omar")] * 2
    )

    # A room taken at that time: the same refusal by both doors, beside the room.
    in_room = {"room_id": str(room.id)}
    assert client.post(
        f"{API}/sessions", json=common | in_room | {"starts_at": starts}, headers=planner.headers
    ).is_success
    _refused_alike(
        client.post(
            f"{API}/sessions",
            json=common | in_room | {"starts_at": starts},
            headers=planner.headers,
        ),
        post(browser, "/planner/sessions/new", "/planner/sessions", form | in_room),
        409,
        "room_taken",
        "room_id",
    )

    # Changed by both doors alike; a stale version refused alike.
    first, second = planned
    edit = {"starts_at": starts, "seats": 5, "language": "ar", "duration_minutes": 120}
    patched = client.patch(
        f"{API}/sessions/{first.id}", json=edit | {"version": 1}, headers=planner.headers
    )
    assert patched.status_code == 200, patched.text
    page = f"/planner/sessions/{second.id}/edit"
    fields = {"date": day, "time": "09:00", "seats": "5", "language": "ar", "room_id": ""}
    fields["duration_minutes"] = "120"
    assert post(browser, page, page, fields | {"version": "1"}).status_code == 303
    db.refresh(first)
    db.refresh(second)
    assert (first.seats, first.duration_minutes, first.version) == (5, 120, 2)
    assert (second.seats, second.duration_minutes, second.version) == (5, 120, 2)
    _refused_alike(
        client.patch(
            f"{API}/sessions/{first.id}", json=edit | {"version": 1}, headers=planner.headers
        ),
        post(browser, page, page, fields | {"version": "1", "seats": "6"}),
        409,
        "concurrent_change",
        "date",
    )

    # Called off by both doors, with the reason kept on each booking.
    cancel = f"/planner/sessions/{second.id}/cancel"
    called_off = client.delete(
        f"{API}/sessions/{first.id}", params={"reason": "no room"}, headers=planner.headers
    )
    assert called_off.status_code == 200
    assert post(browser, cancel, cancel, {"reason": "no room"}).status_code == 303
    db.refresh(first)
    db.refresh(second)
    assert first.cancelled_at is not None
    assert second.cancelled_at is not None


def test_an_interpreter_and_a_planning_preference(client, db, factory):
    planner = factory.person(Role.PLANNER)
    browser = planner_browser(factory)
    one, two = factory.session("ar"), factory.session("ar")
    body = {"language": "ti", "gender": "female", "name": "Senait"}
    api = client.post(f"{API}/sessions/{one.id}/interpreters", json=body, headers=planner.headers)
    assert api.status_code == 201
    page = f"/planner/sessions/{two.id}"
    form = {"interpreter_language": "ti", "interpreter_gender": "female"}
    assert (
        post(
            browser, page, f"{page}/interpreters", form | {"interpreter_name": "Senait"}
        ).status_code
        == 303
    )
    added = db.scalars(
        select(Interpreter).where(Interpreter.language == "ti", Interpreter.name == "Senait")
    ).all()
    assert sorted(i.session_id for i in added) == sorted([one.id, two.id])
    _refused_alike(
        client.post(
            f"{API}/sessions/{one.id}/interpreters",
            json={"language": "ti", "gender": "other"},
            headers=planner.headers,
        ),
        post(browser, page, f"{page}/interpreters", form | {"interpreter_gender": "other"}),
        422,
        "validation_error",
        "interpreter_gender",
    )

    by_api, by_page = (factory.case_in(CaseState.CONSENTED) for _ in range(2))
    wish = {"location_id": str(one.location_id), "interpreter_gender": "male"}
    put = client.put(
        f"{API}/cases/{by_api.id}/planning-preference", json=wish, headers=planner.headers
    )
    assert put.status_code == 200
    case_page = f"/planner/cases/{by_page.id}"
    assert post(browser, case_page, f"{case_page}/planning-preference", wish).status_code == 303
    for case in (by_api, by_page):
        got = client.get(f"{API}/cases/{case.id}/planning-preference", headers=planner.headers)
        assert got.json()["interpreter_gender"] == "male"
        assert got.json()["location_id"] == str(one.location_id)
    _refused_alike(
        client.put(
            f"{API}/cases/{by_api.id}/planning-preference",
            json={"interpreter_gender": "other"},
            headers=planner.headers,
        ),
        post(
            browser, case_page, f"{case_page}/planning-preference", {"interpreter_gender": "other"}
        ),
        422,
        "validation_error",
        "interpreter_gender",
    )


def test_a_seat_booked_moved_and_cancelled(client, db, factory):
    planner = factory.person(Role.PLANNER)
    browser = planner_browser(factory)
    hearing, later = factory.session("ar", seats=3), factory.session("ar", seats=3)
    page = f"/planner/sessions/{hearing.id}"
    by_api, by_page = (factory.case_in(CaseState.CONSENTED) for _ in range(2))
    bookings = f"{API}/sessions/{hearing.id}/bookings"
    assert client.post(
        bookings, json={"case_id": str(by_api.id)}, headers=planner.headers
    ).is_success
    assert post(browser, page, f"{page}/book", {"v_number": by_page.v_number}).status_code == 303
    seated = {
        b.case_id: (b.session_id, b.language)
        for b in db.scalars(select(Booking).where(Booking.session_id == hearing.id))
    }
    assert seated == {by_api.id: (hearing.id, "ar"), by_page.id: (hearing.id, "ar")}

    # A Tigrinya speaker fits no Arabic session: refused alike, beside the V-number.
    tigrinya = factory.case_in(CaseState.CONSENTED, languages=["ti"], nationality="ER")
    _refused_alike(
        client.post(bookings, json={"case_id": str(tigrinya.id)}, headers=planner.headers),
        post(browser, page, f"{page}/book", {"v_number": tigrinya.v_number}),
        409,
        "wrong_language_group",
        "v_number",
    )

    # Moved alike: the old row closed with the reason, a new one in the later session.
    api_booking, page_booking = (factory.booking(c) for c in (by_api, by_page))
    move = {"session_id": str(later.id), "reason": "interpreter ill"}
    moved = client.post(f"{API}/bookings/{api_booking.id}/move", json=move, headers=planner.headers)
    assert moved.status_code == 200
    assert post(browser, page, f"/planner/bookings/{page_booking.id}/move", move).status_code == 303
    for old in (api_booking, page_booking):
        db.refresh(old)
        assert old.cancel_reason == "moved: interpreter ill"
    for case in (by_api, by_page):
        assert factory.booking(case).session_id == later.id

    # Cancelled alike, once the reason is given.
    api_booking, page_booking = (factory.booking(c) for c in (by_api, by_page))
    confirm = f"/planner/bookings/{page_booking.id}/cancel"
    _refused_alike(
        client.delete(f"{API}/bookings/{api_booking.id}", headers=planner.headers),
        post(browser, confirm, confirm, {"reason": "  "}),
        422,
        "validation_error",
        "reason",
    )
    assert client.delete(
        f"{API}/bookings/{api_booking.id}", params={"reason": "ill"}, headers=planner.headers
    ).is_success
    assert post(browser, confirm, confirm, {"reason": "ill"}).status_code == 303
    for old, case in ((api_booking, by_api), (page_booking, by_page)):
        db.refresh(old)
        db.refresh(case)
        assert (old.cancel_reason, case.state) == ("ill", CaseState.CONSENTED)


def test_check_in_at_the_desk(client, db, factory):
    host = factory.person(Role.HOST)
    by_api, by_page = (factory.case_in(CaseState.SCHEDULED) for _ in range(2))
    sign_in(client, host.user.username)
    booking = factory.booking(by_page)
    desk = f"/host/bookings/{booking.id}/check-in"
    token = csrf_of(client.get(desk, headers=HTML).text)

    def at_desk(typed: dict[str, str]):
        return client.post(desk, data={"csrf_token": token, **typed}, headers=HTML)

    def by_token(typed: dict[str, object]):
        url = f"{API}/bookings/{factory.booking(by_api).id}/check-in"
        return client.post(url, json=typed, headers=host.headers)

    wrong = {"applicant_name": "Someone Else"}
    _refused_alike(
        by_token(factory.identity(by_api) | wrong | {"applicant_consent_confirmed": True}),
        at_desk(factory.identity(by_page) | wrong | {"consent": "yes"}),
        409,
        "identity_mismatch",
        "applicant_name",
    )
    unticked = at_desk(factory.identity(by_page))
    _refused_alike(
        by_token(factory.identity(by_api) | {"applicant_consent_confirmed": False}),
        unticked,
        409,
        "rule_violated",
        "consent",
    )
    assert f'value="{by_page.v_number}"' in unticked.text  # what was typed is kept

    assert by_token(factory.identity(by_api) | {"applicant_consent_confirmed": True}).is_success
    assert at_desk(factory.identity(by_page) | {"consent": "yes"}).status_code == 200
    for case in (by_api, by_page):
        db.refresh(case)
        checked_in = factory.booking(case)
        assert case.state is CaseState.CHECKED_IN
        assert checked_in.applicant_consent_confirmed is True
