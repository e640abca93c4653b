"""Check-in at the location: the host verifies name, date of birth and V-number
against the booking, notes no-shows and hands out one-time kiosk codes that are bound
to the applicant, the session and the seat, expire soon, work once, and are replaced
(not added to) when the host issues a new one."""

from datetime import timedelta

from sqlalchemy import func, select

from service.auth.service import KIOSK_DEVICE_COOKIE
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models import Role
from service.models.sessions import Booking, HearingSession, KioskCode
from service.sessions import service as sessions
from service.sessions.schemas import RoomIn
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in

HTML = {"accept": "text/html"}


def check_in(client, factory, case, **typed):
    host = factory.person(Role.HOST)
    body = factory.identity(case) | typed | {"applicant_consent_confirmed": True}
    return client.post(
        f"{API}/bookings/{factory.booking(case).id}/check-in", headers=host.headers, json=body
    )


def kiosk_login(client, code, device=None):
    cookies = {KIOSK_DEVICE_COOKIE: device} if device else None
    client.cookies.clear()
    if cookies:
        client.cookies.update(cookies)
    try:
        return client.post(f"{API}/kiosk/login", json={"code": code})
    finally:
        client.cookies.clear()


# --- identity ---------------------------------------------------------------------------------


def test_a_mismatch_in_name_date_of_birth_or_v_number_is_refused(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED, applicant_name="Amal Haddad")
    wrong = {
        "applicant_name": "Amal Hadad",
        "date_of_birth": "1991-04-18",
        "v_number": "1234567890" if case.v_number != "1234567890" else "1234567891",
    }
    for field, value in wrong.items():
        problem = assert_problem(
            check_in(client, factory, case, **{field: value}), 409, "identity_mismatch"
        )
        label = {
            "applicant_name": "name",
            "date_of_birth": "date of birth",
            "v_number": "V-number",
        }[field]
        assert f"The {label} does not match" in problem["detail"]
    both = check_in(
        client, factory, case, applicant_name="Someone Else", date_of_birth="1990-01-01"
    )
    assert (
        "name and date of birth do not match"
        in assert_problem(both, 409, "identity_mismatch")["detail"]
    )
    # Nothing happened: not checked in, no code.
    db.refresh(case)
    assert case.state == CaseState.SCHEDULED
    assert db.scalar(select(func.count()).select_from(KioskCode)) == 0


def test_names_compare_without_case_accents_or_extra_spaces(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED, applicant_name="Amal Ḥaddād")
    typed = check_in(
        client, factory, case, applicant_name="  AMAL   haddad ", v_number=f"V{case.v_number}"
    )
    assert ok(typed)["kiosk_code"]


def test_the_host_page_refuses_a_mismatch_beside_the_fields_then_shows_the_code(
    client, db, factory
):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED, applicant_name="Hawa Abdi Warsame")
    booking = factory.booking(case)
    sign_in(client, host.user.username)
    seat_list = client.get(f"/host/sessions/{booking.session_id}", headers=HTML)
    assert f"/host/bookings/{booking.id}/check-in" in seat_list.text
    form = client.get(f"/host/bookings/{booking.id}/check-in", headers=HTML)
    data = {
        "csrf_token": csrf_of(form.text),
        "applicant_name": "Hawa Warsame",
        "date_of_birth": "1991-04-17",
        "v_number": case.v_number,
        "consent": "yes",
    }

    refused = client.post(f"/host/bookings/{booking.id}/check-in", data=data, headers=HTML)
    assert refused.status_code == 409  # as the API: identity_mismatch
    assert 'id="applicant_name-error"' in refused.text
    assert 'id="date_of_birth-error"' not in refused.text
    assert "De naam past niet bij deze boeking" in refused.text
    assert 'aria-invalid="true"' in refused.text
    unticked = client.post(
        f"/host/bookings/{booking.id}/check-in",
        data=data | {"applicant_name": "Hawa Abdi Warsame", "consent": ""},
        headers=HTML,
    )
    assert unticked.status_code == 409  # as the API: rule_violated
    assert 'id="consent-error"' in unticked.text

    accepted = client.post(
        f"/host/bookings/{booking.id}/check-in",
        data=data | {"applicant_name": "Hawa Abdi Warsame"},
        headers=HTML,
    )
    assert accepted.status_code == 200, accepted.text
    assert "no-store" in accepted.headers["cache-control"]  # the code is shown once
    code = accepted.text.split('app-kiosk-code" dir="ltr">')[1].split("<")[0]
    assert kiosk_login(client, code).status_code == 200
    db.refresh(case)
    assert case.state == CaseState.CHECKED_IN


# --- codes ------------------------------------------------------------------------------------


def test_a_code_is_short_lived_and_hashed(client, db, factory):
    case = factory.case_in(CaseState.SCHEDULED)
    code = ok(check_in(client, factory, case))["kiosk_code"]
    (row,) = db.scalars(select(KioskCode)).all()
    assert code.replace("-", "") not in row.code_hash
    lifetime = row.expires_at - row.issued_at
    assert lifetime == timedelta(minutes=get_settings().kiosk_code_minutes) <= timedelta(minutes=15)


def test_a_new_code_replaces_the_previous_one_and_the_applicant_resumes(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED)
    first = ok(check_in(client, factory, case))["kiosk_code"]
    booking = factory.booking(case)
    assert kiosk_login(client, first).status_code == 200

    # The kiosk crashed: the host issues a new code; an unused older one dies with it.
    second = ok(client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers))[
        "kiosk_code"
    ]
    third = ok(client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers))[
        "kiosk_code"
    ]
    assert_problem(kiosk_login(client, second), 401, "kiosk_code_invalid")
    resumed = kiosk_login(client, third)
    assert resumed.status_code == 200
    me = ok(
        client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {resumed.json()['access_token']}"}
        )
    )
    assert me["case_id"] == str(case.id)
    assert_problem(kiosk_login(client, third), 401, "kiosk_code_invalid")  # single use
    live = KioskCode.used_at.is_(None) & KioskCode.revoked_at.is_(None)
    assert db.scalar(select(func.count()).where(KioskCode.booking_id == booking.id, live)) == 0


def test_no_new_code_before_check_in(client, db, factory):
    host = factory.person(Role.HOST)
    booking = factory.booking(factory.case_in(CaseState.SCHEDULED))
    refused = client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers)
    assert_problem(refused, 409, "not_checked_in")


def test_a_code_works_only_on_the_kiosk_of_its_seat(client, db, factory):
    host = factory.person(Role.HOST)
    room = sessions.create_room(db, factory.location(), RoomIn(name="Zaal 1", seats=4))
    case = factory.case_in(CaseState.CONSENTED)
    hearing = factory.session("ar", seats=4)
    hearing.room_id = room.id
    sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor, seat=2)
    own = sessions.register_device(db, sessions.seat_at(db, room.id, 2), host.actor)
    other = sessions.register_device(db, sessions.seat_at(db, room.id, 3), host.actor)
    code = ok(check_in(client, factory, case))["kiosk_code"]

    wrong_seat = kiosk_login(client, code, device=other)
    assert "seat 2" in assert_problem(wrong_seat, 401, "kiosk_code_invalid")["detail"]
    no_device = kiosk_login(client, code)
    assert_problem(no_device, 401, "kiosk_code_invalid")
    # Refused attempts did not spend the code: the right kiosk still signs in.
    assert kiosk_login(client, code, device=own).status_code == 200


def test_mistyped_codes_lock_out_one_kiosk_not_the_whole_location(client, db, factory):
    host = factory.person(Role.HOST)
    room = sessions.create_room(db, factory.location(), RoomIn(name="Zaal 9", seats=2))
    typo_kiosk = sessions.register_device(db, sessions.seat_at(db, room.id, 1), host.actor)
    for _ in range(get_settings().kiosk_device_failures):
        assert_problem(
            kiosk_login(client, "AAAA-AAAA", device=typo_kiosk), 401, "kiosk_code_invalid"
        )

    locked = kiosk_login(client, "AAAA-AAAA", device=typo_kiosk)
    assert_problem(locked, 429, "too_many_attempts")
    # The kiosk next to it (same client address) is not locked out.
    case = factory.case_in(CaseState.SCHEDULED)
    code = ok(check_in(client, factory, case))["kiosk_code"]
    assert kiosk_login(client, code).status_code == 200


def test_registering_a_kiosk_on_the_page_sets_a_lasting_device_cookie(client, db, factory):
    host = factory.person(Role.HOST)
    room = sessions.create_room(db, factory.location(), RoomIn(name="Zaal 3", seats=2))
    seat = sessions.seat_at(db, room.id, 2)
    sign_in(client, host.user.username)
    page = client.get("/host/kiosks", headers=HTML)
    assert "Zaal 3" in page.text

    registered = client.post(
        f"/host/seats/{seat.id}/device", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )

    assert registered.status_code == 200
    cookie = registered.headers["set-cookie"]
    assert cookie.startswith(f"{KIOSK_DEVICE_COOKIE}=")
    assert "Max-Age=31536000" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    db.refresh(seat)
    assert seat.device_hash
    assert seat.device_registered_by_id == host.user.id


def test_hosts_register_kiosks_only_at_their_own_location(client, db, factory):
    host = factory.person(Role.HOST)
    other = factory.location().__class__(name="IND Elders", address="Elders")
    db.add(other)
    db.flush()
    seat = sessions.seat_at(db, sessions.create_room(db, other, RoomIn(name="Zaal", seats=1)).id, 1)
    sign_in(client, host.user.username)
    page = client.get("/host/kiosks", headers=HTML)
    assert "IND Elders" not in page.text
    refused = client.post(
        f"/host/seats/{seat.id}/device", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert refused.status_code == 404


# --- no-shows ---------------------------------------------------------------------------------


def test_a_no_show_closes_the_seat_and_the_case_is_planned_again(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)
    assert_problem(
        client.post(f"{API}/bookings/{booking.id}/no-show", headers=host.headers),
        409,
        "too_early_for_no_show",
    )
    db.get_one(HearingSession, booking.session_id).starts_at = utcnow() - timedelta(minutes=20)
    db.flush()

    noted = ok(client.post(f"{API}/bookings/{booking.id}/no-show", headers=host.headers))

    assert noted["no_show_at"] is not None
    assert noted["cancel_reason"] == "no-show"
    db.refresh(case)
    assert case.state == CaseState.CONSENTED
    assert db.get_one(Booking, booking.id).cancelled_by_id == host.user.id
    # A closed booking cannot be checked in any more.
    again = client.post(
        f"{API}/bookings/{booking.id}/check-in",
        headers=host.headers,
        json=factory.identity(case) | {"applicant_consent_confirmed": True},
    )
    assert_problem(again, 409, "booking_closed")


def test_the_host_notes_a_no_show_on_the_seat_list_once_the_session_has_started(
    client, db, factory
):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED, applicant_name="Omar Aziz")
    booking = factory.booking(case)
    sign_in(client, host.user.username)
    before = client.get(f"/host/sessions/{booking.session_id}", headers=HTML)
    assert f"/host/bookings/{booking.id}/no-show" not in before.text
    db.get_one(HearingSession, booking.session_id).starts_at = utcnow() - timedelta(minutes=5)
    db.flush()
    page = client.get(f"/host/sessions/{booking.session_id}", headers=HTML)
    assert f"/host/bookings/{booking.id}/no-show" in page.text

    noted = client.post(
        f"/host/bookings/{booking.id}/no-show",
        data={"csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )

    assert noted.status_code == 303
    db.refresh(booking)
    assert booking.no_show_at is not None
    assert "Omar Aziz" not in client.get(f"/host/sessions/{booking.session_id}", headers=HTML).text


def test_the_host_page_reads_a_v_number_typed_in_arabic_indic_digits(client, db, factory):
    """Issue 14.5: the document's V-number typed on an Arabic keyboard is the same number."""
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)
    sign_in(client, host.user.username)
    form = client.get(f"/host/bookings/{booking.id}/check-in", headers=HTML)
    arabic = "".join(chr(0x0660 + int(d)) for d in case.v_number)  # Arabic-Indic digits
    data = factory.identity(case) | {
        "csrf_token": csrf_of(form.text),
        "v_number": arabic,
        "consent": "yes",
    }

    accepted = client.post(f"/host/bookings/{booking.id}/check-in", data=data, headers=HTML)

    assert accepted.status_code == 200, accepted.text
    db.refresh(case)
    assert case.state == CaseState.CHECKED_IN
