"""Whole procedure purely over HTTP, with the right role at every step."""

import io
from datetime import timedelta

from service.core.clock import utcnow
from service.models import Role
from tests.conftest import unique_v_number
from tests.factories import AGENCY
from tests.helpers import API, enrol, if_match, ok, totp_code


def import_one(client, planner, lawyer, nationality, language):
    v_number = unique_v_number()
    csv = (
        "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application,"
        "lawyer,literacy\n"
        f"V{v_number},Amal Haddad,1991-04-17,{nationality},{language},2019-12-02,"
        f"{lawyer.user.email},known\n"
    )
    report = ok(
        client.post(
            f"{API}/cases/import",
            headers=planner.headers,
            files={"file": ("backlog.csv", io.BytesIO(csv.encode()), "text/csv")},
        )
    )
    assert report["created"] == 1, report
    return ok(client.get(f"{API}/cases/by-v-number/{v_number}", headers=planner.headers))


def host_at(client, admin, location: str) -> dict[str, str]:
    """A host account at ``location``, made by the admin, enrolled in the browser at its
    first sign-in, then signed in over HTTP with password and code."""
    username = f"host.{unique_v_number()}"
    password = "a long host password 2026"
    user = {
        "username": username,
        "display_name": "Host",
        "role": "host",
        "location": location,
        "password": password,
    }
    ok(client.post(f"{API}/users", headers=admin.headers, json=user), 201)
    secret, _ = enrol(client, username, password)
    client.cookies.clear()
    body = {"username": username, "password": password, "code": totp_code(username, secret)}
    token = ok(client.post(f"{API}/auth/token", json=body))
    return {"Authorization": f"Bearer {token['access_token']}"}


def at_the_kiosk(client, planner, admin, case_id, language, answers) -> dict:
    """Plan the case in a session soon, check it in, answer and hand in at the kiosk;
    returns the kiosk's view of the form."""
    location = ok(
        client.post(
            f"{API}/locations",
            headers=planner.headers,
            json={"name": f"Zevenaar {unique_v_number()}", "kiosks": 10},
        ),
        201,
    )
    session = ok(
        client.post(
            f"{API}/sessions",
            headers=planner.headers,
            json={
                "location_id": location["id"],
                "seats": 8,
                "language": language,
                "interpreters": [{"language": language, "gender": "female"}],
                # Soon: check-in opens an hour before the start.
                "starts_at": (utcnow() + timedelta(minutes=30)).isoformat(),
            },
        ),
        201,
    )
    host = host_at(client, admin, location["name"])
    booking = ok(
        client.post(
            f"{API}/sessions/{session['id']}/bookings",
            headers=planner.headers,
            json={"case_id": case_id},
        ),
        201,
    )

    checked_in = ok(
        client.post(
            f"{API}/bookings/{booking['id']}/check-in",
            headers=host,
            # The host types in what the applicant's document says.
            json={
                "applicant_name": booking["applicant_name"],
                "date_of_birth": booking["date_of_birth"],
                "v_number": booking["v_number"],
                "applicant_consent_confirmed": True,
            },
        )
    )
    token = ok(client.post(f"{API}/kiosk/login", json={"code": checked_in["kiosk_code"]}))
    applicant = {"Authorization": f"Bearer {token['access_token']}"}
    view = ok(client.get(f"{API}/kiosk/form", headers=applicant))
    ok(client.post(f"{API}/kiosk/start", headers=applicant))
    ok(client.put(f"{API}/kiosk/answers", json={"answers": answers}, headers=applicant))
    ok(client.post(f"{API}/kiosk/submit", headers=applicant))
    return view


def drive_to_decision(client, factory, nationality, language):
    """Import → invitation → consent → session → kiosk → translation → corrections → claim."""
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    translator = factory.person(Role.TRANSLATOR)
    officer = factory.person(Role.OFFICER)
    admin = factory.person(Role.ADMIN)

    case = import_one(client, planner, lawyer, nationality, language)
    assert case["state"] == "screened"
    case_id = case["id"]

    ok(client.post(f"{API}/cases/{case_id}/invitation", json={}, headers=planner.headers), 201)
    invitations = ok(client.get(f"{API}/invitations?status=open", headers=lawyer.headers))
    invitation = next(i for i in invitations if i["case_id"] == case_id)
    ok(
        client.post(
            f"{API}/invitations/{invitation['id']}/reply",
            json={"consent": True, "note": "client agrees"},
            headers=lawyer.headers,
        )
    )

    answers = factory.full_answers()
    view = at_the_kiosk(client, planner, admin, case_id, language, answers)
    assert view["form"]["language"] == language

    ok(
        client.post(
            f"{API}/cases/{case_id}/translation",
            headers=planner.headers,
            json={"agency": AGENCY},
        ),
        201,
    )
    work = ok(client.get(f"{API}/translations", headers=translator.headers))
    job = next(t for t in work if t["case_id"] == case_id)
    source = ok(client.get(f"{API}/translations/{job['id']}", headers=translator.headers))
    assert {s["question_id"]: s["answer"] for s in source["source"]} == answers
    ok(
        client.put(
            f"{API}/translations/{job['id']}",
            headers=translator.headers,
            json={"answers_nl": {k: f"NL {v}" for k, v in answers.items()}},
        )
    )

    first_question = next(iter(answers))
    ok(
        client.post(
            f"{API}/cases/{case_id}/corrections",
            headers=if_match(client, case_id, lawyer.headers),
            json={
                "items": [
                    {
                        "kind": "translation",
                        "answer_key": first_question,
                        "text": "Spelling of the name.",
                    },
                    {"kind": "addition", "text": "Letter from the client's sister."},
                ]
            },
        ),
        201,
    )

    if nationality == "IR":  # kansarm: straight to the planning of the physical hearing
        return case_id, officer, planner, answers
    queue = ok(client.get(f"{API}/decision-queue", headers=officer.headers))
    assert case_id in [c["id"] for c in queue]
    ok(client.post(f"{API}/cases/{case_id}/claim", headers=officer.headers))
    return case_id, officer, planner, answers


def test_kansrijk_case_is_decided_on_the_form(client, factory):
    case_id, officer, planner, answers = drive_to_decision(client, factory, "SY", "ar")
    decision = ok(
        client.post(
            f"{API}/cases/{case_id}/decision",
            headers=officer.headers,
            json={"outcome": "decided_on_form", "kind": "grant", "reason": "complete"},
        ),
        201,
    )
    assert decision["outcome"] == "decided_on_form"

    case = ok(client.get(f"{API}/cases/{case_id}", headers=planner.headers))
    assert case["state"] == "decided_on_form"
    events = ok(client.get(f"{API}/cases/{case_id}/timeline", headers=planner.headers))
    assert [e["to_state"] for e in events] == [
        "imported",
        "screened",
        "invited",
        "consented",
        "scheduled",
        "checked_in",
        "in_progress",
        "submitted",
        "in_translation",
        "translated",
        "with_lawyer",
        "corrections_received",
        "ready_for_decision",
        "claimed",
        "decided_on_form",
    ]
    roles = {e["event"]: e["actor_role"] for e in events}
    assert roles["consent"] == "lawyer"
    assert roles["check_in"] == "host"
    assert roles["submit"] == "applicant"
    assert roles["deliver_translation"] == "translator"
    assert roles["decide_on_form"] == "officer"
    measured = ok(client.get(f"{API}/cases/{case_id}/measurements", headers=planner.headers))
    assert [s["state"] for s in measured["stages"]] == [e["to_state"] for e in events]
    assert measured["within_target"] is True
    assert 0 <= measured["throughput_days"] < 1
    assert measured["decision_handling_minutes"] is not None
    # Corrections sit beside the original answers, never over them.
    original = ok(client.get(f"{API}/cases/{case_id}/answers", headers=officer.headers))
    assert original["answers"] == answers
    corrections = ok(client.get(f"{API}/cases/{case_id}/corrections", headers=officer.headers))
    assert len(corrections["items"]) == 2


def test_kansarm_case_ends_in_a_physical_hearing(client, factory):
    """A complete kansarm file never waits for an officer: it goes to the planning of the
    nader gehoor with its written answers, translation and corrections (the hand-off)."""
    case_id, officer, planner, answers = drive_to_decision(client, factory, "IR", "fa")
    case = ok(client.get(f"{API}/cases/{case_id}", headers=planner.headers))
    assert case["state"] == "physical_hearing_required"
    assert case["track"] == "preparatory"
    queue = ok(client.get(f"{API}/decision-queue", headers=officer.headers))
    assert case_id not in [c["id"] for c in queue]
    refused = client.post(
        f"{API}/cases/{case_id}/decision",
        headers=officer.headers,
        json={"outcome": "decided_on_form", "kind": "grant", "reason": "try"},
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")

    planned = ok(client.get(f"{API}/cases/{case_id}/handoff", headers=planner.headers))
    assert planned["reason_codes"] == ["kansarm_policy"]
    assert planned["estimated_days"] is None
    # The planner plans without the account (service/fields.py); the officer reads it all.
    assert planned["layers"]["items"] == []
    handoff = ok(client.get(f"{API}/cases/{case_id}/handoff", headers=officer.headers))
    items = {i["question_id"]: i for i in handoff["layers"]["items"]}
    assert {q: i["original"] for q, i in items.items()}.keys() == answers.keys()
    first = next(iter(answers))
    assert items[first]["translation"].startswith("NL ")
    [correction] = items[first]["corrections"]
    assert (correction["kind"], correction["about"]) == ("correction", "translation")
    assert correction["text"] == "Spelling of the name."
    assert correction["author"]  # every layer is attributed
    assert handoff["layers"]["general_additions"][0]["kind"] == "addition"
    pdf = client.get(f"{API}/cases/{case_id}/handoff.pdf", headers=planner.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_nv_signal_mid_procedure_pulls_the_case_out(client, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(factory_state("in_progress"))
    applicant = factory.applicant_headers(case)

    signal = ok(
        client.post(
            f"{API}/cases/{case.id}/signals",
            headers=planner.headers,
            json={"kind": "nv", "source": "AIVD", "reason": "security partner report"},
        ),
        201,
    )
    assert signal["kind"] == "nv"

    detail = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    assert detail["state"] == "excluded"
    assert "physical hearing" in detail["exclusion_reason"]
    assert detail["physical_hearing_next"] is True
    assert detail["next_steps"] == ["screen_eligible", "screen_excluded"]
    events = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=planner.headers))
    assert events[-1]["event"] == "exclude"
    assert events[-1]["actor_id"] == str(planner.user.id)
    assert "AIVD" in events[-1]["reason"]

    # The applicant can no longer hand in (the kiosk sign-in ended with the form);
    # re-screening keeps the case out.
    blocked = client.post(f"{API}/kiosk/submit", headers=applicant)
    assert blocked.status_code == 401
    screening = ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    assert screening["outcome"] == "excluded"
    assert "NV" in screening["reason"]


def factory_state(name):
    from service.workflow import CaseState

    return CaseState(name)


def test_measurements_split_throughput_into_stages(db, factory):
    """Stage durations come from the event log; the decision's handling time from claim."""
    from datetime import timedelta

    from service.audit.queries import measure
    from service.cases.queries import timeline
    from service.workflow import CaseState

    case = factory.case_in(CaseState.DECIDED_ON_FORM)
    events = list(timeline(db, case.id))
    start = events[0].at
    for hour, event in enumerate(events):
        event.at = start + timedelta(hours=hour)
    measured = measure(events)
    assert all(s.hours == 1.0 for s in measured.stages[:-1])
    invited = next(i for i, e in enumerate(events) if e.event == "invite")
    assert measured.throughput_days == round((len(events) - 1 - invited) / 24, 2)
    assert measured.decision_handling_minutes == 60.0


def test_handling_time_counts_from_the_last_claim(client, factory):
    """Released and claimed again: the decision's handling time starts at the new claim."""
    from service.workflow import CaseState

    officer_a, officer_b = factory.person(Role.OFFICER, "a"), factory.person(Role.OFFICER, "b")
    case = factory.case_in(CaseState.READY_FOR_DECISION)
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=officer_a.headers))
    ok(client.post(f"{API}/cases/{case.id}/release", headers=officer_a.headers))
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=officer_b.headers))
    decision = ok(
        client.post(
            f"{API}/cases/{case.id}/decision",
            headers=officer_b.headers,
            json={"outcome": "decided_on_form", "kind": "grant", "reason": "complete"},
        ),
        201,
    )
    events = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=officer_b.headers))
    last_claim = [e for e in events if e["event"] == "claim"][-1]
    assert decision["claimed_at"] == last_claim["at"]
    assert decision["officer_id"] == str(officer_b.user.id)
