"""The planner's session pages: locations and rooms, planning, changing and calling off
a session, interpreters and booking one case, each through the API's own service, with
every refusal (room taken, no interpreter of the language or gender, double booking)
beside its field and nothing typed lost."""

from datetime import timedelta

from sqlalchemy import select

from service.core.clock import utcnow
from service.core.formatting import LOCAL_TIME
from service.models import Role
from service.models.sessions import Booking, HearingSession, Interpreter, Location, Room
from service.sessions import service as sessions
from service.sessions.schemas import PreferenceIn, RoomIn
from service.workflow import CaseState
from tests.helpers import csrf_of
from tests.pages.test_planner_cases import HTML, planner_browser, post


def _when(days: int = 10) -> tuple[str, str]:
    local = (utcnow() + timedelta(days=days)).astimezone(LOCAL_TIME)
    return local.date().isoformat(), "09:30"


def test_a_location_and_its_rooms_are_added_on_pages(factory, db):
    browser = planner_browser(factory)
    added = post(
        browser,
        "/planner/locations",
        "/planner/locations",
        {"name": "IND Ter Apel", "address": "Ter Apel"},
    )
    assert added.status_code == 303
    location = db.scalar(select(Location).where(Location.name == "IND Ter Apel"))
    assert location is not None
    again = post(browser, "/planner/locations", "/planner/locations", {"name": "IND Ter Apel"})
    assert again.status_code == 409  # the API's own refusal: a conflict
    assert 'href="#name"' in again.text
    assert 'id="name-error"' in again.text

    page = f"/planner/locations/{location.id}"
    room = post(browser, page, f"{page}/rooms", {"name": "Zaal 1", "seats": "12"})
    assert room.status_code == 303
    db.refresh(location)
    assert location.kiosks == 12
    bad = post(browser, page, f"{page}/rooms", {"name": "Zaal 2", "seats": "lots"})
    assert bad.status_code == 422
    assert 'id="seats-error"' in bad.text
    assert 'value="Zaal 2"' in bad.text  # nothing typed is lost
    twice = post(browser, page, f"{page}/rooms", {"name": "Zaal 1", "seats": "4"})
    assert twice.status_code == 409
    assert 'id="name-error"' in twice.text
    assert browser.get(page, headers=HTML).text.count("Zaal 1") >= 1


def _room(factory, seats: int = 12) -> tuple[Location, Room]:
    location = factory.location()
    room = sessions.create_room(factory.db, location, RoomIn(name=f"Zaal {seats}", seats=seats))
    return location, room


def test_a_session_is_planned_with_a_room_and_an_interpreter_and_a_taken_room_is_refused(
    factory, db
):
    location, room = _room(factory)
    browser = planner_browser(factory)
    day, time = _when()
    form = {
        "location_id": str(location.id),
        "room_id": str(room.id),
        "date": day,
        "time": time,
        "duration_minutes": "240",
        "seats": "10",
        "language": "ar",
        "interpreter_language": "ar",
        "interpreter_gender": "female",
        "interpreter_name": "Samira Haddad",
    }
    planned = post(browser, "/planner/sessions/new", "/planner/sessions", form)
    assert planned.status_code == 303, planned.text
    session = db.scalar(select(HearingSession).where(HearingSession.room_id == room.id))
    assert session is not None
    assert session.seats == 10
    assert session.language == "ar"
    interpreters = db.scalars(select(Interpreter).where(Interpreter.session_id == session.id))
    assert [(i.language, i.gender, i.name) for i in interpreters] == [
        ("ar", "female", "Samira Haddad")
    ]

    # The same room two hours later overlaps: refused beside the room, typing kept.
    taken = post(browser, "/planner/sessions/new", "/planner/sessions", form | {"time": "11:30"})
    assert taken.status_code == 409
    assert 'href="#room_id"' in taken.text
    assert 'id="room_id-error"' in taken.text
    assert 'value="11:30"' in taken.text
    too_big = post(
        browser,
        "/planner/sessions/new",
        "/planner/sessions",
        form | {"seats": "40", "time": "16:00"},
    )
    assert 'id="seats-error"' in too_big.text
    past = post(
        browser, "/planner/sessions/new", "/planner/sessions", form | {"date": "2020-01-01"}
    )
    assert 'id="date-error"' in past.text
    count = db.scalar(select(HearingSession.id).where(HearingSession.room_id == room.id))
    assert count == session.id  # still one session in the room


def test_booking_one_case_says_why_not_beside_the_field(factory, db):
    hearing = factory.session("ar", seats=1, interpreters=(("ar", "male"),))
    browser = planner_browser(factory)
    page = f"/planner/sessions/{hearing.id}"
    wants_female = factory.case_in(CaseState.CONSENTED)
    sessions.set_preference(db, wants_female, PreferenceIn(interpreter_gender="female"))
    speaks_tigrinya = factory.case_in(CaseState.CONSENTED, languages=["ti"], nationality="ER")
    not_consented = factory.case_in(CaseState.SCREENED)
    fits = factory.case_in(CaseState.CONSENTED)
    second = factory.case_in(CaseState.CONSENTED)

    gender = post(browser, page, f"{page}/book", {"v_number": wants_female.v_number})
    assert gender.status_code == 409
    assert 'id="v_number-error"' in gender.text
    assert "Geen vrouwelijke tolk" in gender.text  # the gender asked for is named
    language = post(browser, page, f"{page}/book", {"v_number": speaks_tigrinya.v_number})
    assert 'id="v_number-error"' in language.text
    assert "ti" in language.text
    early = post(browser, page, f"{page}/book", {"v_number": not_consented.v_number})
    assert 'id="v_number-error"' in early.text
    unknown = post(browser, page, f"{page}/book", {"v_number": "0000000001"})
    assert 'id="v_number-error"' in unknown.text

    booked = post(browser, page, f"{page}/book", {"v_number": fits.v_number})
    assert booked.status_code == 303
    db.refresh(fits)
    assert fits.state is CaseState.SCHEDULED
    full = post(browser, page, f"{page}/book", {"v_number": second.v_number})
    assert full.status_code == 409
    assert 'id="v_number-error"' in full.text
    twice = post(browser, page, f"{page}/book", {"v_number": fits.v_number})
    assert twice.status_code == 409
    assert len(db.scalars(select(Booking).where(Booking.case_id == fits.id)).all()) == 1

    # An interpreter added on the page lets the Tigrinya speaker in (a seat permitting).
    added = post(
        browser,
        page,
        f"{page}/interpreters",
        {"interpreter_language": "ti", "interpreter_gender": "female", "interpreter_name": ""},
    )
    assert added.status_code == 303
    missing = post(browser, page, f"{page}/interpreters", {"interpreter_language": "ti"})
    assert missing.status_code == 422
    assert 'id="interpreter_gender-error"' in missing.text


def test_a_session_is_changed_and_a_stale_form_is_refused_with_the_typing_kept(factory, db):
    location, room = _room(factory)
    hearing = factory.session("ar", seats=5, location=location)
    booked = factory.case_in(CaseState.CONSENTED)
    sessions.book(db, hearing, booked, factory.person(Role.PLANNER).actor)
    browser = planner_browser(factory)
    edit = f"/planner/sessions/{hearing.id}/edit"
    form = browser.get(edit, headers=HTML)
    assert form.status_code == 200
    day, _ = _when(12)
    fields = {
        "room_id": str(room.id),
        "date": day,
        "time": "10:00",
        "duration_minutes": "180",
        "seats": "8",
        "language": "ar",
        "version": "1",
    }
    data = {"csrf_token": csrf_of(form.text), **fields}
    saved = browser.post(edit, data=data, headers=HTML, follow_redirects=False)
    assert saved.status_code == 303
    db.refresh(hearing)
    assert (hearing.seats, hearing.duration_minutes, hearing.room_id) == (8, 180, room.id)
    assert hearing.version == 2

    # A second planner's form still says version 1: refused, their typing kept.
    stale = browser.post(edit, data=data | {"seats": "9"}, headers=HTML)
    assert stale.status_code == 409
    assert 'href="#date"' in stale.text
    assert 'value="9"' in stale.text
    assert 'name="version" value="2"' in stale.text
    db.refresh(hearing)
    assert hearing.seats == 8
    fewer = browser.post(edit, data=data | {"version": "2", "seats": "0"}, headers=HTML)
    assert 'id="seats-error"' in fewer.text
    language = browser.post(edit, data=data | {"version": "2", "language": "fa"}, headers=HTML)
    assert 'id="language-error"' in language.text


def test_calling_off_a_session_is_confirmed_first_and_replans_its_cases(factory, db):
    hearing = factory.session("ar", seats=3)
    case = factory.case_in(CaseState.CONSENTED)
    sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor)
    browser = planner_browser(factory)
    confirm = browser.get(f"/planner/sessions/{hearing.id}/cancel", headers=HTML)
    assert confirm.status_code == 200
    assert case.v_number in confirm.text
    db.refresh(hearing)
    assert hearing.cancelled_at is None  # looking is not cancelling
    done = post(
        browser,
        f"/planner/sessions/{hearing.id}/cancel",
        f"/planner/sessions/{hearing.id}/cancel",
        {"reason": "geen tolk"},
    )
    assert done.status_code == 303
    db.refresh(hearing)
    db.refresh(case)
    assert hearing.cancelled_at is not None
    assert case.state is CaseState.CONSENTED
    booking = db.scalar(select(Booking).where(Booking.case_id == case.id))
    assert booking is not None
    assert "geen tolk" in booking.cancel_reason


def test_the_api_changes_a_session_with_its_version(client, factory):
    planner = factory.person(Role.PLANNER)
    hearing = factory.session("ar", seats=5)
    body = {
        "starts_at": (utcnow() + timedelta(days=20)).isoformat(),
        "seats": 6,
        "language": "ar",
        "version": 1,
    }
    first = client.patch(f"/api/v1/sessions/{hearing.id}", json=body, headers=planner.headers)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    second = client.patch(f"/api/v1/sessions/{hearing.id}", json=body, headers=planner.headers)
    assert second.status_code == 409
    assert second.json()["code"] == "concurrent_change"


def _four_rooms_at_once(factory, db) -> tuple[HearingSession, list[HearingSession]]:
    """A session, and four others at one moment in four rooms of one location (issue 15)."""
    location = factory.location()
    starts_at = utcnow() + timedelta(days=9)
    others = []
    for n, language in enumerate(("ar", "ar", "fa", "ti"), start=1):
        room = sessions.create_room(db, location, RoomIn(name=f"Zaal {n}", seats=12))
        other = HearingSession(
            location_id=location.id,
            room_id=room.id,
            starts_at=starts_at,
            seats=12 - n,
            language=language,
        )
        db.add(other)
        others.append(other)
    db.flush()
    return factory.session("ar", seats=3), others


def test_move_to_options_name_the_room_language_and_free_seats(factory, db):
    hearing, _ = _four_rooms_at_once(factory, db)
    case = factory.case_in(CaseState.CONSENTED)
    sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor)
    page = planner_browser(factory).get(f"/planner/sessions/{hearing.id}", headers=HTML).text

    select_html = page.split('name="session_id">')[1].split("</select>")[0]
    labels = [
        option.split(">", 1)[1].split("</option>")[0] for option in select_html.split("<option")[1:]
    ]
    mine = [label for label in labels if "Zaal" in label]
    assert len(mine) == 4
    assert len(set(mine)) == 4  # no two options read the same
    assert "Zaal 1 · Arabisch · vrije plaatsen: 11" in mine[0]
    assert any("Zaal 3 · Perzisch" in label for label in mine)
    assert any("Zaal 4 · Tigrinya" in label for label in mine)


def test_session_rows_show_the_room_and_the_language(factory, db):
    _, others = _four_rooms_at_once(factory, db)
    browser = planner_browser(factory)
    listing = browser.get("/planner/sessions", headers=HTML).text
    rows = listing.split("<tbody")[1].split("</tbody>")[0].split("<tr")[1:]
    row = next(r for r in rows if f"/planner/sessions/{others[2].id}" in r)
    assert "Zaal 3" in row
    assert "Perzisch" in row
    session_page = browser.get(f"/planner/sessions/{others[3].id}", headers=HTML).text
    lead = session_page.split("nl-paragraph--lead")[1].split("</p>")[0]
    assert "Zaal 4" in lead
    assert "Tigrinya" in lead


def test_cancelling_a_booking_asks_first_and_keeps_the_reason(factory, db):
    hearing = factory.session("ar", seats=3)
    case = factory.case_in(CaseState.CONSENTED)
    booking = sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor)
    browser = planner_browser(factory)
    page = browser.get(f"/planner/sessions/{hearing.id}", headers=HTML).text
    confirm_url = f"/planner/bookings/{booking.id}/cancel"
    # The session page links to a confirmation; it holds no form that cancels at once.
    assert f'href="{confirm_url}"' in page
    assert f'action="{confirm_url}"' not in page

    confirm = browser.get(confirm_url, headers=HTML)
    assert confirm.status_code == 200
    assert case.v_number in confirm.text
    assert 'name="reason"' in confirm.text
    db.refresh(booking)
    assert booking.cancelled_at is None  # looking is not cancelling

    no_reason = post(browser, confirm_url, confirm_url, {"reason": " "})
    assert no_reason.status_code == 422
    assert 'id="reason-error"' in no_reason.text
    assert "Geef aan waarom de boeking wordt geannuleerd." in no_reason.text
    db.refresh(booking)
    assert booking.cancelled_at is None

    done = post(browser, confirm_url, confirm_url, {"reason": "aanvrager is ziek"})
    assert done.status_code == 303
    db.refresh(booking)
    db.refresh(case)
    assert booking.cancel_reason == "aanvrager is ziek"
    assert case.state is CaseState.CONSENTED
    history = browser.get(f"/planner/sessions/{hearing.id}", headers=HTML).text
    assert "aanvrager is ziek" in history
