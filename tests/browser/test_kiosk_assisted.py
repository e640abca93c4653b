"""Assisted filling in a real browser: the host checks an Arabic-speaking applicant in
with the session's interpreter as helper (the applicant consents); the kiosk asks who is
typing, in Arabic, with the keyboard; the answer records the interpreter. axe-clean."""

import uuid

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from service.core.db import make_engine
from service.models import Case
from service.questionnaires.kiosk_texts import kiosk_gettext
from service.questionnaires.service import answer_set_of
from tests.browser.conftest import LiveServer, assert_accessible, snap
from tests.browser.test_kiosk import (
    enter_code,
    host_token,
    identity_on_document,
    seed_scheduled_case,
)


def typists_of(server: LiveServer, case_id: str) -> dict[str, dict[str, str]]:
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            found = answer_set_of(db, db.get_one(Case, uuid.UUID(case_id)))
            return dict(found.typists) if found else {}
    finally:
        engine.dispose()


def test_the_interpreter_types_for_the_applicant_and_the_answer_says_so(
    live_server: LiveServer, page: Page
) -> None:
    k_ = kiosk_gettext("ar")
    case_id, booking_id = seed_scheduled_case(
        live_server, "أمل حداد", "ar", policy="ind-2026-assisted"
    )
    checked_in = page.request.post(
        f"/api/v1/bookings/{booking_id}/check-in",
        data={
            "applicant_consent_confirmed": True,
            "assisted_filling": {"helper": "interpreter", "applicant_consent": True},
            **identity_on_document(live_server, booking_id),
        },
        headers={"Authorization": f"Bearer {host_token(page)}"},
    )
    assert checked_in.ok, checked_in.text()

    enter_code(page, checked_in.json()["kiosk_code"], "ar")
    page.locator("button[name=choice][value=yes]").click()
    page.wait_for_load_state()
    expect(page.locator("legend", has_text=k_("Who is typing?"))).to_be_visible()
    helper = page.get_by_label(k_("The interpreter types for me"))
    expect(helper).to_be_checked()
    assert_accessible(page)
    snap(page, "kiosk-assisted")

    name = page.locator("#q-full_name")
    name.focus()
    page.keyboard.type("أمل حداد")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_load_state()
    typists = typists_of(live_server, case_id)
    assert typists["full_name"]["role"] == "interpreter"
