"""The planner confirms a proposal and opens the roster; the host checks an applicant
in (a wrong name first, refused at the field) and hands out a kiosk code that opens the
kiosk. Every page passes axe; screenshots are saved."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.db import make_engine
from service.models.sessions import HearingSession, Location
from service.sessions import service as sessions
from service.sessions.schemas import RoomIn
from service.workflow import CaseState
from tests.browser.conftest import LOCATION, LiveServer, assert_accessible, sign_in, snap
from tests.factories import Factory


@contextmanager
def seeded(live_server: LiveServer) -> Iterator[Factory]:
    """A factory at the browser host's location, committed for the app to see."""
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            factory._location = db.scalar(select(Location).where(Location.name == LOCATION))
            yield factory
            db.commit()
    finally:
        engine.dispose()


def test_the_planner_confirms_a_proposal_and_opens_the_roster(
    page: Page, live_server: LiveServer
) -> None:
    with seeded(live_server) as factory:
        names = ["Layla Hussein", "Samir Khalil", "Nour Darwish"]
        cases = [factory.case_in(CaseState.CONSENTED, applicant_name=n) for n in names]
        # They waited longest, in this order: the live server's other consented cases
        # (other tests, the demo data) must not take the two seats.
        for days, case in zip((3000, 2999, 2998), cases, strict=True):
            case.consented_at = utcnow() - timedelta(days=days)
        session = factory.session(
            "ar", seats=2, starts_in=timedelta(days=9), interpreters=(("ar", "female"),)
        )

    sign_in(page, live_server.accounts["planner"])
    page.get_by_role("link", name="Sessies en wie er gebracht moet worden").click()
    expect(page.locator("h1")).to_have_text("Sessies")
    assert_accessible(page)
    snap(page, "sessions")

    page.goto(f"/planner/sessions/{session.id}")
    proposal = page.locator("form[action$='/confirm']")
    # Two seats: the two who consented first, ticked; the third waits.
    expect(proposal.get_by_role("checkbox")).to_have_count(2)
    expect(proposal).to_contain_text(names[0])
    expect(proposal).not_to_contain_text(names[2])
    assert_accessible(page)
    snap(page, "proposal")

    page.get_by_role("button", name="De aangevinkte aanvragers boeken").click()
    booked = page.get_by_role("table", name="Geboekt")
    expect(booked).to_contain_text(names[0])
    expect(booked).to_contain_text(names[1])
    assert_accessible(page)
    snap(page, "booked")

    page.get_by_role("link", name="Vervoerslijst", exact=True).click()
    expect(page.locator("h1")).to_have_text("Vervoerslijst")
    roster = page.get_by_role("table", name="Wie er gebracht moet worden")
    for case in cases[:2]:
        expect(roster).to_contain_text(case.v_number)
    expect(roster).not_to_contain_text(cases[2].v_number)
    assert_accessible(page)
    snap(page, "roster")
    pdf = page.request.get(f"/sessions/{session.id}/roster.pdf")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"


def test_the_host_checks_an_applicant_in_and_hands_out_a_kiosk_code(
    page: Page, live_server: LiveServer
) -> None:
    with seeded(live_server) as factory:
        sessions.create_room(factory.db, factory.location(), RoomIn(name="Zaal Oost", seats=3))
        case = factory.case_in(CaseState.SCHEDULED, applicant_name="Mariam Yousef")
        booking = factory.booking(case)
        hearing = factory.db.get_one(HearingSession, booking.session_id)

    sign_in(page, live_server.accounts["host"])
    page.goto(f"/host/sessions/{hearing.id}")
    expect(page.locator("h1")).to_have_text("Plaatsenlijst")
    assert_accessible(page)
    snap(page, "seat-list")

    # The seat list names the seat, not what the host checks against the document.
    expect(page.locator("main")).not_to_contain_text("Mariam Yousef")
    page.get_by_role("link", name=f"Aanmelden plaats {booking.seat}").click()
    expect(page.locator("h1")).to_contain_text(f"Plaats {booking.seat} aanmelden")
    assert_accessible(page)
    page.get_by_label("Naam").fill("Maryam Yusuf")  # not what the booking says
    page.get_by_label("Geboortedatum").fill("1991-04-17")
    page.get_by_label("V-nummer").fill(case.v_number)
    consent = page.get_by_label("uit vrije wil mee te doen")  # not the low-literacy box
    consent.check()
    page.get_by_role("button", name="Aanmelden en een kioskcode geven").click()
    expect(page.locator("#applicant_name-error")).to_contain_text("De naam past niet")
    expect(page.get_by_label("Naam")).to_have_attribute("aria-invalid", "true")
    expect(consent).to_be_checked()  # what the host ticked stays
    snap(page, "mismatch")

    page.get_by_label("Naam").fill("Mariam Yousef")
    consent.check()
    page.get_by_role("button", name="Aanmelden en een kioskcode geven").click()
    expect(page.locator("h1")).to_contain_text(f"Kioskcode voor plaats {booking.seat}")
    code = page.locator(".app-kiosk-code").inner_text().strip()
    snap(page, "kiosk-code")

    # The code opens the kiosk once.
    login = httpx.post(
        f"{live_server.url}/api/v1/kiosk/login", json={"code": code}, trust_env=False
    )
    assert login.status_code == 200, login.text
    page.goto(f"/host/sessions/{hearing.id}")
    row = page.get_by_role("row").filter(has_text=booking.reference)
    expect(
        row.get_by_role("button", name=f"Nieuwe kioskcode voor plaats {booking.seat}")
    ).to_be_visible()
    assert_accessible(page)
    snap(page, "checked-in")

    # Assisted filling for the checked-in applicant: the case's policy (ind-2026) does
    # not allow it; the refusal stands beside the choice.
    row.get_by_role("link", name=f"Invullen met hulp voor plaats {booking.seat}").click()
    expect(page.locator("h1")).to_contain_text(f"Invullen met hulp voor plaats {booking.seat}")
    assert_accessible(page)
    page.get_by_label("Ik, de gastvrouw/gastheer").check()
    page.get_by_label("persoonlijk toestemming gegeven").check()
    page.get_by_role("button", name="Invullen met hulp aanzetten").click()
    expect(page.locator("#assisted-error")).to_contain_text("toetsingskader")
    assert_accessible(page)
    snap(page, "assisted-filling-refused")
    page.goto(f"/host/sessions/{hearing.id}")

    # Registering this browser as the kiosk of a seat.
    page.get_by_role("link", name="Kiosken").click()
    expect(page.locator("h1")).to_have_text("Kiosken")
    assert_accessible(page)
    snap(page, "kiosks")
    page.get_by_role(
        "button", name="Dit apparaat registreren als de kiosk van plaats 2 in Zaal Oost"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("kiosk van plaats 2 in Zaal Oost")
    assert any(c["name"] == "kiosk-device" for c in page.context.cookies())
    snap(page, "kiosk-registered")


def test_the_planner_moves_and_cancels_a_booking_only_after_saying_why(
    page: Page, live_server: LiveServer
) -> None:
    with seeded(live_server) as factory:
        case = factory.case_in(CaseState.SCHEDULED, applicant_name="Rania Saleh")
        booking = factory.booking(case)
        for name, language in (("Zaal West", "ar"), ("Zaal Zuid", "fa")):
            room = sessions.create_room(factory.db, factory.location(), RoomIn(name=name, seats=4))
            other = factory.session(language, seats=4, starts_in=timedelta(days=12))
            other.room_id = room.id
        factory.db.flush()

    sign_in(page, live_server.accounts["planner"])
    page.goto(f"/planner/sessions/{booking.session_id}")
    # Sessions at the same time read differently: by room, language and free seats.
    labels = page.locator(f"#move-{booking.id} option").all_inner_texts()
    assert any("Zaal West · Arabisch · vrije plaatsen: 4" in label for label in labels)
    assert any("Zaal Zuid · Perzisch" in label for label in labels)

    page.locator(f"a[href='/planner/bookings/{booking.id}/cancel']").click()
    expect(page.locator("h1")).to_have_text("De boeking van Rania Saleh annuleren?")
    assert_accessible(page)
    snap(page, "booking-cancel")
    page.get_by_role("button", name="Boeking annuleren").click()
    expect(page.locator("#reason-error")).to_contain_text("Geef aan waarom")
    page.get_by_label("Waarom").fill("aanvrager is ziek")
    page.get_by_role("button", name="Boeking annuleren").click()
    history = page.get_by_role("table", name="Geschiedenis")
    expect(history).to_contain_text("aanvrager is ziek")
    assert_accessible(page)
