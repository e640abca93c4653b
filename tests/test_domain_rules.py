"""One test per rule of DOMAIN.md that the service enforces, end to end.

Cases are put in place with the factory (the real services); the rule itself is
exercised over HTTP, as the people of the process would meet it. After factory
set-up each test commits the savepoint (``db.commit()``) so that a refused
request, which rolls back, cannot take the set-up with it.
"""

import json
from itertools import pairwise

import pytest
from sqlalchemy import event, func, select

from service.cases.service import withdraw
from service.core.clock import utcnow
from service.decisions import service as decisions
from service.decisions.schemas import DecisionIn
from service.eligibility.service import screen_case
from service.models import Booking, Case, CaseEventRow, Decision, Invitation, Role
from service.sessions import service as sessions
from service.terms.policy import add_working_days, local_date
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.helpers import API, ok

S = CaseState

# Every open state the factory reaches along the happy path.
OPEN_STATES = [
    S.IMPORTED,
    S.SCREENED,
    S.INVITED,
    S.CONSENTED,
    S.SCHEDULED,
    S.CHECKED_IN,
    S.IN_PROGRESS,
    S.SUBMITTED,
    S.IN_TRANSLATION,
    S.WITH_LAWYER,
    S.READY_FOR_DECISION,
    S.CLAIMED,
]
SCREENING_ONLY = {"screen_eligible", "screen_excluded"}


def problem(response, status, code):
    """An RFC 9457 problem document with the given status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


def events_of(db, case):
    return db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()


def state_of(db, case) -> str:
    db.refresh(case)
    return case.state


# --- eligibility ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "label"), [("nv", "NV"), ("1f", "1F")])
def test_nv_signal_excludes_at_screening(client, db, factory, kind, label):
    planner = factory.person(Role.PLANNER)
    case = factory.case(signals=[{"kind": kind, "source": "registration interview"}])
    db.commit()
    screening = ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    assert screening["outcome"] == "excluded"
    assert f"{label} signal" in screening["reason"]
    detail = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    assert detail["state"] == "excluded"
    assert detail["physical_hearing_next"] is True
    problem(
        client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers),
        409,
        "illegal_transition",
    )


def test_nv_signal_in_an_imported_file_excludes_at_import(client, factory):
    planner = factory.person(Role.PLANNER)
    clean, signalled = unique_v_number(), unique_v_number()
    rows = [
        {
            "v_number": v_number,
            "applicant_name": "Amal Haddad",
            "date_of_birth": "1991-04-17",
            "nationality": "SY",
            "languages": ["ar"],
            "date_of_application": "2019-12-02",
            "literacy": "known",
            "signals": signals,
        }
        for v_number, signals in [(clean, []), (signalled, [{"kind": "nv", "source": "AIVD"}])]
    ]
    report = ok(
        client.post(
            f"{API}/cases/import",
            headers=planner.headers,
            files={"file": ("cases.json", json.dumps(rows).encode(), "application/json")},
        )
    )
    assert report["screened"] == {"eligible_replacing": 1, "excluded": 1}
    case = ok(client.get(f"{API}/cases/by-v-number/{signalled}", headers=planner.headers))
    assert case["state"] == "excluded"
    assert "NV signal" in case["exclusion_reason"]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_signal_added_at_any_open_stage_excludes_at_once(client, db, factory, state):
    officer = factory.person(Role.OFFICER, "security-desk")
    case = factory.case_in(state)
    db.commit()
    before = utcnow()
    ok(
        client.post(
            f"{API}/cases/{case.id}/signals",
            headers=officer.headers,
            json={"kind": "1f", "source": "Unit 1F", "reason": "answer to question 12"},
        ),
        201,
    )
    detail = ok(client.get(f"{API}/cases/{case.id}", headers=officer.headers))
    assert detail["state"] == "excluded"
    assert detail["physical_hearing_next"] is True
    assert set(detail["next_steps"]) == SCREENING_ONLY

    last = events_of(db, case)[-1]
    assert (last.event, last.from_state, last.to_state) == ("exclude", state.value, "excluded")
    assert (last.actor_id, last.actor_role) == (officer.user.id, "officer")
    assert before <= last.at <= utcnow()
    assert "1F signal from Unit 1F" in last.reason
    assert "answer to question 12" in last.reason


def test_signal_keeps_the_case_out_when_screened_again(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(S.CONSENTED)
    db.commit()
    ok(
        client.post(
            f"{API}/cases/{case.id}/signals",
            headers=planner.headers,
            json={"kind": "nv", "source": "AIVD"},
        ),
        201,
    )
    again = ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    assert again["outcome"] == "excluded"
    assert state_of(db, case) == "excluded"


def test_signal_is_hidden_from_the_lawyer(client, db, factory):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(S.INVITED)
    db.commit()
    ok(
        client.post(
            f"{API}/cases/{case.id}/signals",
            headers=planner.headers,
            json={"kind": "nv", "source": "AIVD", "reason": "informant report"},
        ),
        201,
    )
    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert seen["state"] == "excluded"
    assert seen["signals"] == []
    assert "AIVD" not in seen["exclusion_reason"]
    assert "informant" not in str(seen)


def test_kansarm_never_decided_on_form(client, db, factory):
    """A complete kansarm file goes to the physical hearing by itself; no officer can
    decide it on the form, through the API or the page."""
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
    db.commit()
    assert case.track == "preparatory"
    body = {"outcome": "decided_on_form", "kind": "grant", "reason": "account is complete"}
    refused = client.post(f"{API}/cases/{case.id}/decision", headers=officer.headers, json=body)
    assert "already decided" in problem(refused, 409, "illegal_transition")["detail"]
    assert problem(
        client.post(f"{API}/cases/{case.id}/claim", headers=officer.headers),
        409,
        "illegal_transition",
    )
    assert db.scalar(select(func.count()).where(Decision.case_id == case.id)) == 0
    events = [
        e.event for e in db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id))
    ]
    assert events[-2:] == ["no_corrections", "hand_over_to_hearing"]
    assert "claim" not in events
    assert "route_to_decision" not in events


def test_kansarm_case_is_marked_for_a_physical_hearing_from_screening_on(client, db, factory):
    planner = factory.person(Role.PLANNER)
    kansarm = factory.case_in(S.SCREENED, nationality="IR", languages=["fa"])
    kansrijk = factory.case_in(S.SCREENED, nationality="SY", languages=["ar"])
    db.commit()
    assert ok(client.get(f"{API}/cases/{kansarm.id}", headers=planner.headers))[
        "physical_hearing_next"
    ]
    assert not ok(client.get(f"{API}/cases/{kansrijk.id}", headers=planner.headers))[
        "physical_hearing_next"
    ]


# --- decisions --------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["decided_on_form", "physical_hearing_required"])
def test_coordinator_consultation_required_before_decision(client, db, factory, outcome):
    officer = factory.person(Role.OFFICER)
    lgbti = factory.person(Role.COORDINATOR, "lgbti")
    conversion = factory.person(Role.COORDINATOR, "conversion")
    case = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti", "conversion"])
    db.commit()
    decide = {"outcome": outcome, "reason": "weighed the account and third-party statements"}
    decide |= (
        {"kind": "grant"}
        if outcome == "decided_on_form"
        else {"reason_codes": ["credibility"], "estimated_days": 2}
    )

    def attempt():
        return client.post(f"{API}/cases/{case.id}/decision", headers=officer.headers, json=decide)

    assert "lgbti" in problem(attempt(), 409, "rule_violated")["detail"]
    ok(
        client.post(
            f"{API}/cases/{case.id}/consultations",
            headers=lgbti.headers,
            json={"motive": "lgbti", "advice": "open, non-stereotyping questions were asked"},
        ),
        201,
    )
    still = problem(attempt(), 409, "rule_violated")["detail"]
    assert "conversion" in still
    assert "lgbti" not in still
    ok(
        client.post(
            f"{API}/cases/{case.id}/consultations",
            headers=conversion.headers,
            json={"motive": "conversion", "advice": "church letter weighed visibly"},
        ),
        201,
    )
    assert ok(attempt(), 201)["outcome"] == outcome


def test_only_a_coordinator_records_a_consultation(client, db, factory):
    case = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"])
    db.commit()
    for role in (Role.OFFICER, Role.PLANNER, Role.LAWYER):
        response = client.post(
            f"{API}/cases/{case.id}/consultations",
            headers=factory.person(role).headers,
            json={"motive": "lgbti", "advice": "looks fine"},
        )
        assert response.status_code in (403, 404), (role, response.text)


@pytest.mark.parametrize("motive", ["lgbti", "conversion"])
def test_a_coordinator_consults_only_on_their_own_motive(client, db, factory, motive):
    """Review found a conversion coordinator could record an LGBTI consultation."""
    other = "conversion" if motive == "lgbti" else "lgbti"
    case = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti", "conversion"])
    db.commit()
    wrong = factory.person(Role.COORDINATOR, other)
    body = {"motive": motive, "advice": "consulted outside my specialism"}
    url = f"{API}/cases/{case.id}/consultations"
    problem(client.post(url, headers=wrong.headers, json=body), 403, "not_your_specialism")
    right = factory.person(Role.COORDINATOR, motive)
    assert ok(client.post(url, headers=right.headers, json=body), 201)["motive"] == motive


@pytest.mark.parametrize(("raised", "consulted"), [([], "lgbti"), (["lgbti"], "conversion")])
def test_consultation_for_unraised_motive_is_rejected(client, db, factory, raised, consulted):
    coordinator = factory.person(Role.COORDINATOR, consulted)
    case = factory.case_in(S.CLAIMED, coordinator_motives=raised)
    db.commit()
    body = problem(
        client.post(
            f"{API}/cases/{case.id}/consultations",
            headers=coordinator.headers,
            json={"motive": consulted, "advice": "not relevant to this case"},
        ),
        422,
        "motive_not_raised",
    )
    assert consulted in body["detail"]


def test_decided_case_is_final(client, db, factory):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(S.DECIDED_ON_FORM)
    db.commit()
    for response in (
        client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers),
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=lawyer.headers,
            json={"reason": "too late now"},
        ),
    ):
        assert "already decided" in problem(response, 409, "illegal_transition")["detail"]
    # A late signal is recorded, but the decision stands.
    ok(
        client.post(
            f"{API}/cases/{case.id}/signals",
            headers=planner.headers,
            json={"kind": "nv", "source": "AIVD"},
        ),
        201,
    )
    detail = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    assert detail["state"] == "decided_on_form"
    assert detail["next_steps"] == []
    assert len(detail["signals"]) == 1


# --- leaving and re-entering the written track --------------------------------------------------


def test_excluded_or_withdrawn_case_reenters_only_by_screening(client, db, factory):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(S.SCREENED)
    db.commit()
    ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=lawyer.headers,
            json={"reason": "client is ill this month"},
        )
    )
    detail = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    assert set(detail["next_steps"]) == SCREENING_ONLY
    refused = problem(
        client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers),
        409,
        "illegal_transition",
    )
    assert "screening" in refused["detail"]
    problem(
        client.post(f"{API}/cases/{case.id}/claim", headers=factory.person(Role.OFFICER).headers),
        409,
        "illegal_transition",
    )

    ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    assert state_of(db, case) == "screened"
    ok(client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers), 201)
    assert state_of(db, case) == "invited"


def test_a_case_that_took_the_form_never_takes_it_again(client, db, factory):
    """Withdrawn after handing in: the written hearing happened; the regular procedure follows."""
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(S.SUBMITTED)
    ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=lawyer.headers,
            json={"reason": "client prefers an interview"},
        )
    )
    refused = problem(
        client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers),
        409,
        "form_already_taken",
    )
    assert "regular procedure" in refused["detail"]
    assert state_of(db, case) == "withdrawn"


@pytest.mark.parametrize("left_at", [S.INVITED, S.SCHEDULED])
def test_withdrawn_case_can_be_planned_again_after_screening(client, db, factory, left_at):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(left_at)
    db.commit()
    ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=lawyer.headers,
            json={"reason": "client is ill this month"},
        )
    )
    assert (
        db.scalar(
            select(func.count()).where(Invitation.case_id == case.id, Invitation.status == "open")
        )
        == 0
    ), "the withdrawn case's invitation is still open"
    assert sessions.active_booking_for(db, case.id) is None, "the withdrawn case keeps its seat"
    ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    ok(client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers), 201)


@pytest.mark.parametrize("state", OPEN_STATES)
def test_lawyer_withdraws_consent_at_any_time(client, db, factory, state):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(state)
    db.commit()
    detail = ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=lawyer.headers,
            json={"reason": "client no longer consents"},
        )
    )
    assert detail["state"] == "withdrawn"
    assert detail["physical_hearing_next"] is True
    last = events_of(db, case)[-1]
    assert (last.event, last.from_state, last.to_state) == ("withdraw", state.value, "withdrawn")
    assert (last.actor_id, last.actor_role) == (lawyer.user.id, "lawyer")
    assert "client no longer consents" in last.reason


def test_only_the_applicants_own_lawyer_withdraws(client, db, factory):
    case = factory.case_in(S.CONSENTED)
    db.commit()
    stranger = factory.person(Role.LAWYER, "another-firm")
    response = client.post(
        f"{API}/cases/{case.id}/withdraw", headers=stranger.headers, json={"reason": "nope"}
    )
    assert response.status_code in (403, 404)
    assert state_of(db, case) == "consented"


def test_applicant_withdraws_at_the_kiosk(client, db, factory):
    case = factory.case_in(S.IN_PROGRESS)
    applicant = factory.applicant_headers(case)
    db.commit()
    detail = ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=applicant,
            json={"reason": "I want to tell my story in person"},
        )
    )
    assert detail["state"] == "withdrawn"
    assert events_of(db, case)[-1].actor_role == "applicant"
    # Withdrawn: the kiosk sign-in has ended with the form.
    assert client.post(f"{API}/kiosk/submit", headers=applicant).status_code == 401
    assert state_of(db, case) == "withdrawn"


# --- invitation, check-in, planning -----------------------------------------------------------


def test_invitation_goes_via_lawyer(client, db, factory):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    other_lawyer = factory.person(Role.LAWYER, "another-firm")
    without = factory.case_in(S.SCREENED, lawyer=None)
    with_lawyer = factory.case_in(S.SCREENED)
    db.commit()

    body = problem(
        client.post(f"{API}/cases/{without.id}/invitation", json={}, headers=planner.headers),
        409,
        "no_lawyer",
    )
    assert "lawyer" in body["detail"]
    assert state_of(db, without) == "screened"

    invitation = ok(
        client.post(f"{API}/cases/{with_lawyer.id}/invitation", json={}, headers=planner.headers),
        201,
    )
    assert invitation["lawyer_id"] == str(lawyer.user.id)
    mine = ok(client.get(f"{API}/invitations", headers=lawyer.headers))
    assert invitation["id"] in [i["id"] for i in mine]
    theirs = ok(client.get(f"{API}/invitations", headers=other_lawyer.headers))
    assert invitation["id"] not in [i["id"] for i in theirs]
    # Only the lawyer answers, on behalf of the client.
    for outsider in (planner, other_lawyer):
        response = client.post(
            f"{API}/invitations/{invitation['id']}/reply",
            headers=outsider.headers,
            json={"consent": True},
        )
        assert response.status_code in (403, 404), response.text
    assert state_of(db, with_lawyer) == "invited"


def test_six_week_target_set_on_invitation(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(S.SCREENED)
    db.commit()
    assert case.target_date is None
    ok(client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers), 201)
    detail = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    db.refresh(case)
    assert case.invited_at is not None
    # Six weeks are thirty working days, counted from the day of the invitation.
    expected = add_working_days(local_date(case.invited_at), 30)
    assert detail["target_date"] == expected.isoformat()
    assert case.target_date == expected


def test_applicant_consent_confirmed_at_check_in(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(S.SCHEDULED)
    booking = factory.booking(case)
    db.commit()
    url = f"{API}/bookings/{booking.id}/check-in"

    refused = problem(
        client.post(
            url,
            headers=host.headers,
            json=factory.identity(case) | {"applicant_consent_confirmed": False},
        ),
        409,
        "rule_violated",
    )
    assert "consent" in refused["detail"]
    # Saying nothing is not consent either.
    assert client.post(url, headers=host.headers, json=factory.identity(case)).status_code == 422
    assert state_of(db, case) == "scheduled"
    db.refresh(booking)
    assert booking.checked_in_at is None

    checked_in = ok(
        client.post(
            url,
            headers=host.headers,
            json=factory.identity(case) | {"applicant_consent_confirmed": True},
        )
    )
    assert checked_in["kiosk_code"]
    assert state_of(db, case) == "checked_in"
    db.refresh(booking)
    assert booking.applicant_consent_confirmed is True


def test_no_seat_or_case_is_double_booked(client, db, factory):
    planner = factory.person(Role.PLANNER)
    session = factory.session(language="ar", seats=2)
    first = factory.case_in(S.CONSENTED)
    second = factory.case_in(S.CONSENTED)
    db.commit()
    url = f"{API}/sessions/{session.id}/bookings"
    ok(client.post(url, headers=planner.headers, json={"case_id": str(first.id), "seat": 1}), 201)
    problem(
        client.post(url, headers=planner.headers, json={"case_id": str(second.id), "seat": 1}),
        409,
        "seat_taken",
    )
    assert state_of(db, second) == "consented"
    other_session = factory.session(language="ar")
    db.commit()
    response = client.post(
        f"{API}/sessions/{other_session.id}/bookings",
        headers=planner.headers,
        json={"case_id": str(first.id)},
    )
    assert response.status_code == 409, response.text
    active = db.scalar(
        select(func.count()).where(Booking.case_id == first.id, Booking.cancelled_at.is_(None))
    )
    assert active == 1


def test_no_applicant_is_brought_to_a_session_in_another_language(client, db, factory):
    planner = factory.person(Role.PLANNER)
    farsi = factory.session(language="fa")
    case = factory.case_in(S.CONSENTED, languages=["ar"])
    db.commit()
    problem(
        client.post(
            f"{API}/sessions/{farsi.id}/bookings",
            headers=planner.headers,
            json={"case_id": str(case.id)},
        ),
        409,
        "wrong_language_group",
    )
    assert state_of(db, case) == "consented"


# --- the event log ------------------------------------------------------------------------------


@pytest.fixture
def state_changes():
    """Every change of Case.state made through the ORM, seen independently of the event log."""
    seen: list[tuple[str, str]] = []

    def on_set(target, value, oldvalue, initiator):
        if isinstance(oldvalue, str) and oldvalue != value:
            seen.append((str(oldvalue), str(value)))

    event.listen(Case.state, "set", on_set, active_history=True)
    yield seen
    event.remove(Case.state, "set", on_set)


def test_every_transition_writes_an_event_row(db, factory, state_changes):
    planner, officer = factory.person(Role.PLANNER).actor, factory.person(Role.OFFICER).actor
    case = factory.case_in(S.CLAIMED)
    decisions.release(db, case, officer)
    decisions.claim(db, case, officer)
    decisions.decide(
        db, case, officer, DecisionIn(outcome="decided_on_form", kind="grant", reason="complete")
    )

    detour = factory.case_in(S.SCHEDULED)
    sessions.cancel_booking(db, factory.booking(detour), planner, "room unavailable")
    withdraw(db, detour, factory.person(Role.LAWYER).actor, "client abroad")
    screen_case(db, detour, planner)

    for each in (case, detour):
        rows = events_of(db, each)
        assert rows[0].event == "import"
        assert rows[0].from_state is None
        # The log chains: each row starts where the previous one ended, and ends at the case.
        for previous, row in pairwise(rows):
            assert row.from_state == previous.to_state, row.event
        assert rows[-1].to_state == each.state
        assert all(row.actor_role for row in rows)

    logged = [(r.from_state, r.to_state) for c in (case, detour) for r in events_of(db, c)[1:]]
    assert sorted(logged) == sorted(state_changes)
    # 13 steps to `claimed` + release, claim, decide; 4 to `scheduled` + unschedule,
    # withdraw, screen.
    assert len(logged) == 13 + 3 + 4 + 3
