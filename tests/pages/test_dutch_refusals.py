"""Refusals the service writes in English (the API's problem detail) read in Dutch on a
Dutch page: a workflow guard's refusal and the domain errors with values (issue 15)."""

import uuid

import pytest

from service.core.formatting import in_english, in_language
from service.models import Role
from service.workflow import (
    GUARDS,
    REFUSED_STEPS,
    CaseEvent,
    CaseFacts,
    CaseState,
    GuardFailed,
    Track,
    transition,
)
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}
UNKNOWN = uuid.UUID(int=7)

# Each converted refusal with sample values, as the service writes it.
SENTENCES = [
    ("%(booked)s seats are booked; keep at least %(least)s.", {"booked": 4, "least": 4}),
    ("%(location)s has a room named '%(name)s' already.", {"location": "Ter Apel", "name": "A"}),
    ("%(room)s has %(available)s seats, not %(seats)s.", {"room": "A", "available": 8, "seats": 9}),
    ("A case with V-number %(v_number)s already exists.", {"v_number": "1234567890"}),
    ("A location named '%(name)s' exists already.", {"name": "Ter Apel"}),
    ("An attachment may be at most %(megabytes)s MB.", {"megabytes": 10}),
    (
        "Attach a PDF, JPEG or PNG file; this one is a %(kind)s file (judged by its content).",
        {"kind": "GIF"},
    ),
    ("No agency named '%(name)s'. Agencies: %(agencies)s.", {"name": "X", "agencies": "Lingua"}),
    ("No case with V-number '%(v_number)s'.", {"v_number": "1234567890"}),
    ("No location %(location)s.", {"location": 7}),
    ("No room %(room)s at this location.", {"room": 7}),
    ("Not answers of this form: %(questions)s.", {"questions": "q1, q2"}),
    (
        "Only the %(motive)s coordinator answers a consultation on '%(topic)s'.",
        {"motive": "lgbti", "topic": "lgbti"},
    ),
    ("Only the hard-cases team answers a consultation on '%(topic)s'.", {"topic": "hard_cases"}),
    ("Seat %(seat)s does not exist; the session has %(seats)s.", {"seat": 9, "seats": 8}),
    (
        "Someone else changed these corrections since you loaded them (you had version "
        "%(had)s, it is now %(now)s). Reload, check their changes, and try again.",
        {"had": 2, "now": 3},
    ),
    (
        "The attachments of a case may be at most %(megabytes)s MB together; "
        "%(attached)s MB are attached and this file is %(size)s MB.",
        {"megabytes": 40, "attached": "39.5", "size": "1.2"},
    ),
    ("The case is %(state)s; consultations are closed.", {"state": "withdrawn"}),
    (
        "The file was refused: %(count)s problem(s). Download the job again, "
        "translate every unit and upload it unchanged otherwise.",
        {"count": 2},
    ),
    ("The form is not offered in '%(language)s'.", {"language": "ar"}),
    ("The form is not offered in the applicant's languages (%(languages)s).", {"languages": "ti"}),
    ("The job is with %(agency)s already.", {"agency": "Lingua"}),
    ("The room has no seat %(seat)s.", {"seat": 9}),
    (
        "This case holds %(count)s attachments, the most it may hold; "
        "combine documents into one PDF, or send the corrections as they are.",
        {"count": 20},
    ),
    ("This kiosk code is for seat %(seat)s. Ask the host.", {"seat": 3}),
    (
        "This translation has been delivered %(delivered)s times, the most it may be; "
        "the lawyer works from the last one delivered.",
        {"delivered": 3},
    ),
    ("lawyer: no lawyer with username or e-mail '%(reference)s'", {"reference": "mr.x"}),
    ("%(file)s: the file is not UTF-8 text", {"file": "backlog.csv"}),
    (
        "%(file)s: the JSON is nested too deeply; expected a list of flat case objects",
        {"file": "backlog.json"},
    ),
    ("%(file)s: expected a JSON list of cases or {'cases': [...]}", {"file": "backlog.json"}),
    (
        "%(file)s: missing CSV columns: %(missing)s. Expected: %(expected)s",
        {"file": "backlog.csv", "missing": "v_number", "expected": "v_number, applicant_name"},
    ),
    ("No agency %(agency)s.", {"agency": UNKNOWN}),
    ("No consultation %(consultation)s.", {"consultation": UNKNOWN}),
    ("No decision officer %(user)s.", {"user": UNKNOWN}),
    ("No import %(run)s.", {"run": UNKNOWN}),
    ("No live session or token %(session)s.", {"session": UNKNOWN}),
    ("No seat %(seat)s at your location.", {"seat": UNKNOWN}),
    ("No user %(user)s.", {"user": UNKNOWN}),
    (
        "%(agency)s has taken %(taken)s of its %(capacity)s forms this week; "
        "choose another agency.",
        {"agency": "Lingua", "taken": 20, "capacity": 20},
    ),
]


@pytest.mark.parametrize(("msgid", "values"), SENTENCES, ids=[s[0][:40] for s in SENTENCES])
def test_each_refusal_reads_back_in_dutch_with_its_values(msgid, values):
    english = in_english(msgid, **values)
    dutch = in_language(english, "nl")
    assert dutch != english
    for value in values.values():
        if str(value) not in ("ar", "ti"):  # a language code reads as its Dutch name
            assert str(value) in dutch


def test_every_guarded_step_has_a_refusal_of_its_own():
    assert REFUSED_STEPS.keys() == GUARDS.keys()


def test_a_guard_refusal_reads_in_dutch_and_stays_english_for_the_api():
    facts = CaseFacts(track=Track.REPLACING, has_active_signal=True)
    with pytest.raises(GuardFailed) as refused:
        transition(CaseState.SCREENED, CaseEvent.INVITE, facts)
    english = str(refused.value)
    assert (
        english == "Cannot invite: the case has an NV or 1F signal; it must get a physical hearing."
    )
    assert in_language(english, "nl") == (
        "Uitnodigen kan niet: de zaak heeft een NV- of 1F-signaal; er moet een fysiek gehoor komen."
    )
    waiting = CaseFacts(track=Track.REPLACING, coordinator_motives=frozenset({"lgbti"}))
    with pytest.raises(GuardFailed) as refused:
        transition(CaseState.CLAIMED, CaseEvent.DECIDE_ON_FORM, waiting)
    assert in_language(str(refused.value), "nl") == (
        "Beslissen op het formulier kan niet: vóór de beslissing moet een consultatie van de "
        "coördinator zijn vastgelegd (motief: lgbti)."
    )


def test_a_decision_waiting_for_a_consultation_is_refused_in_dutch_on_the_page(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.CLAIMED, coordinator_motives=["lgbti"])
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    data = {
        "csrf_token": csrf_of(client.get(bench, headers=HTML).text),
        "outcome": "decided_on_form",
        "kind": "grant",
        "reason": "Het relaas is volledig en consistent.",
    }
    refused = client.post(f"{bench}/decision", data=data, headers=HTML)
    assert refused.status_code == 409
    assert "Beslissen op het formulier kan niet: vóór de beslissing" in refused.text
    assert "coordinator consultation" not in refused.text
    # The API's problem detail stays English.
    api = client.post(
        f"{API}/cases/{case.id}/decision",
        headers=officer.headers,
        json={"outcome": "decided_on_form", "kind": "grant", "reason": "complete"},
    )
    assert api.json()["detail"].startswith("Cannot decide on form: a coordinator consultation")


def test_an_error_page_shows_a_missing_import_in_dutch(client, factory):
    sign_in(client, factory.person(Role.PLANNER).user.username)
    missing = client.get(f"/planner/imports/{UNKNOWN}", headers=HTML)
    assert missing.status_code == 404
    assert f"Geen import {UNKNOWN}." in missing.text
    assert f"No import {UNKNOWN}." not in missing.text
