"""The outcome and what guards it: consultations (coordinator, hard-cases team), signals
raised at the workbench, four eyes, handling time and the hand-off record."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from service.core.clock import utcnow
from service.core.settings import get_settings
from service.decisions import queries
from service.decisions import service as decisions
from service.models import CaseEventRow, Decision, Role
from service.models.decisions import DecisionReview, SignalReferral, WorkInterval
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in

S = CaseState
HTML = {"accept": "text/html"}
ON_FORM = {
    "outcome": "decided_on_form",
    "kind": "grant",
    "reason": "Account consistent and complete.",
    "third_party_weighing": "The partner's letter is detailed and consistent: given weight.",
}
HEARING = {
    "outcome": "physical_hearing_required",
    "reason": "Travel route unclear.",
    "reason_codes": ["insufficient_information", "credibility"],
    "estimated_days": 2,
}


def decide(client, case, person, body=ON_FORM):
    return client.post(f"{API}/cases/{case.id}/decision", headers=person.headers, json=body)


def events_of(db, case) -> list[CaseEventRow]:
    return list(
        db.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
        )
    )


# --- the outcome's fields --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ON_FORM, "kind": None}, "kind"),
        ({**ON_FORM, "estimated_days": 1}, "reason codes"),
        ({**HEARING, "reason_codes": []}, "reason code"),
        ({**HEARING, "estimated_days": None}, "1 or 2 days"),
        ({**HEARING, "estimated_days": 3}, "estimated_days"),
        ({**HEARING, "reason_codes": ["whim"]}, "reason_codes"),
    ],
)
def test_an_outcome_needs_its_own_fields(client, db, factory, body, field):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    refused = decide(client, case, officer, body)
    assert refused.status_code == 422, refused.text
    assert field in refused.text


def test_decision_on_the_form_records_kind_motivation_and_weighing(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    decided = ok(decide(client, case, officer, {**ON_FORM, "kind": "intended_rejection"}), 201)
    assert (decided["status"], decided["kind"]) == ("final", "intended_rejection")
    assert decided["third_party_weighing"] == ON_FORM["third_party_weighing"]
    assert case.state is S.DECIDED_ON_FORM


def test_physical_hearing_records_reasons_estimate_and_later_the_actual_days(client, db, factory):
    officer, planner = factory.person(Role.OFFICER), factory.person(Role.PLANNER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    ok(decide(client, case, officer, HEARING), 201)
    handoff = ok(client.get(f"{API}/cases/{case.id}/handoff", headers=planner.headers))
    assert handoff["reason_codes"] == ["insufficient_information", "credibility"]
    assert (handoff["estimated_days"], handoff["actual_days"]) == (2, None)
    assert handoff["handed_over_by"] == officer.user.display_name
    # The planner plans the hearing without reading the account (service/fields.py);
    # the officer's hand-off carries the written answers with every layer.
    assert handoff["layers"]["items"] == []
    by_officer = ok(client.get(f"{API}/cases/{case.id}/handoff", headers=officer.headers))
    assert by_officer["layers"]["items"], "the written answers travel with the file"
    done = ok(
        client.put(
            f"{API}/cases/{case.id}/handoff/actual-days", headers=planner.headers, json={"days": 1}
        )
    )
    assert done["actual_days"] == 1
    pdf = client.get(f"{API}/cases/{case.id}/handoff.pdf", headers=officer.headers)
    assert pdf.content.startswith(b"%PDF")
    assert_problem(
        client.get(f"{API}/cases/{factory.case_in(S.CLAIMED).id}/handoff", headers=planner.headers),
        404,
        "no_handoff",
    )


# --- consultations ----------------------------------------------------------------------------


def test_decision_waits_for_the_requested_coordinator_and_not_a_wrong_one(client, db, factory):
    officer = factory.person(Role.OFFICER)
    lgbti = factory.person(Role.COORDINATOR, "lgbti")
    conversion = factory.person(Role.COORDINATOR, "conversion")
    case = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"])
    db.commit()
    assert "lgbti" in assert_problem(decide(client, case, officer), 409, "rule_violated")["detail"]

    asked = ok(
        client.post(
            f"{API}/cases/{case.id}/consultation-requests",
            headers=officer.headers,
            json={"topic": "lgbti", "question": "How to weigh the partner's letter?"},
        ),
        201,
    )
    assert asked["advice"] is None
    assert_problem(decide(client, case, officer), 409, "rule_violated")
    waiting = ok(client.get(f"{API}/consultations/waiting", headers=lgbti.headers))
    assert asked["id"] in [w["id"] for w in waiting]
    assert asked["id"] not in [
        w["id"] for w in ok(client.get(f"{API}/consultations/waiting", headers=conversion.headers))
    ]
    # The wrong coordinator cannot answer it, so the decision stays blocked.
    assert_problem(
        client.post(
            f"{API}/consultations/{asked['id']}/answer",
            headers=conversion.headers,
            json={"advice": "not my motive"},
        ),
        403,
        "not_your_specialism",
    )
    assert_problem(decide(client, case, officer), 409, "rule_violated")

    answered = ok(
        client.post(
            f"{API}/consultations/{asked['id']}/answer",
            headers=lgbti.headers,
            json={"advice": "Open questions; the letter supports the account."},
        )
    )
    assert answered["coordinator_id"] == str(lgbti.user.id)
    assert ok(decide(client, case, officer), 201)["status"] == "final"


def test_a_request_on_a_motive_the_case_does_not_raise_is_refused(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    assert_problem(
        client.post(
            f"{API}/cases/{case.id}/consultation-requests",
            headers=officer.headers,
            json={"topic": "conversion"},
        ),
        422,
        "motive_not_raised",
    )


def test_the_hard_cases_team_blocks_until_it_answers(client, db, factory):
    officer = factory.person(Role.OFFICER)
    kdt = factory.officer("kdt", hard_cases_team=True)
    plain = factory.officer("plain")
    case = factory.case_in(S.CLAIMED)
    db.commit()
    asked = ok(
        client.post(
            f"{API}/cases/{case.id}/consultation-requests",
            headers=officer.headers,
            json={"topic": "hard_cases", "question": "Contradictions in the dates: hearing?"},
        ),
        201,
    )
    assert (
        "hard_cases"
        in assert_problem(decide(client, case, officer), 409, "rule_violated")["detail"]
    )
    assert_problem(
        client.post(
            f"{API}/consultations/{asked['id']}/answer",
            headers=plain.headers,
            json={"advice": "not in the team"},
        ),
        403,
        "not_your_specialism",
    )
    ok(
        client.post(
            f"{API}/consultations/{asked['id']}/answer",
            headers=kdt.headers,
            json={"advice": "Decide on the form; the dates are explained in answer 7."},
        )
    )
    assert ok(decide(client, case, officer), 201)["status"] == "final"


# --- a signal raised at the workbench -------------------------------------------------


def test_a_signal_raised_from_the_answers_pulls_the_case_out_to_unit_1f(client, db, factory):
    officer = factory.person(Role.OFFICER)
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    pulled = ok(
        client.post(
            f"{API}/cases/{case.id}/unit-1f-referral",
            headers=officer.headers,
            json={"kind": "1f", "reason": "Answer 12 names service in a unit named in a report."},
        ),
        201,
    )
    assert (pulled["state"], pulled["claimed_by_id"]) == ("excluded", None)
    referral = db.scalar(select(SignalReferral).where(SignalReferral.case_id == case.id))
    assert (referral.unit, referral.referred_by_id) == ("1f", officer.user.id)
    last = events_of(db, case)[-1]
    assert (last.event, last.actor_id, last.reason_kind) == (
        "exclude",
        officer.user.id,
        "exclusion",
    )
    assert "Answer 12" in last.reason
    # The lawyer learns the case left the track, not why.
    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert "Answer 12" not in str(seen)
    assert_problem(decide(client, case, officer), 409, "illegal_transition")


# --- four eyes ------------------------------------------------------------------------------------


def test_an_officer_in_the_first_months_goes_to_a_senior_who_approves(client, db, factory):
    novice = factory.officer("novice", started_on=utcnow().date() - timedelta(days=30))
    senior = factory.officer("senior", senior=True)
    case = factory.case_in(S.READY_FOR_DECISION)
    db.commit()
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=novice.headers))
    drafted = ok(decide(client, case, novice), 201)
    assert (drafted["status"], drafted["ground"]) == ("in_review", "probation")
    assert case.state is S.IN_REVIEW
    assert db.scalar(select(func.count()).where(Decision.case_id == case.id)) == 0
    # The drafter cannot decide past the review.
    assert_problem(decide(client, case, novice), 409, "no_open_review")
    assert drafted["id"] in [
        r["id"] for r in ok(client.get(f"{API}/reviews", headers=senior.headers))
    ]

    final = ok(
        client.post(
            f"{API}/cases/{case.id}/review",
            headers=senior.headers,
            json={"verdict": "approved", "remarks": "Well weighed."},
        )
    )
    assert (final["status"], final["officer_id"], final["reviewed_by_id"]) == (
        "final",
        str(novice.user.id),
        str(senior.user.id),
    )
    assert case.state is S.DECIDED_ON_FORM
    moves = [(e.event, e.actor_id) for e in events_of(db, case)[-2:]]
    assert moves == [("submit_for_review", novice.user.id), ("decide_on_form", senior.user.id)]


def test_a_senior_sends_back_with_remarks_and_the_officer_decides_again(client, db, factory):
    external = factory.officer("external", external=True)
    senior = factory.officer("senior", senior=True)
    case = factory.case_in(S.READY_FOR_DECISION)
    db.commit()
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=external.headers))
    assert ok(decide(client, case, external), 201)["ground"] == "external"
    assert_problem(
        client.post(
            f"{API}/cases/{case.id}/review",
            headers=senior.headers,
            json={"verdict": "sent_back", "remarks": ""},
        ),
        422,
        "remarks_required",
    )
    back = ok(
        client.post(
            f"{API}/cases/{case.id}/review",
            headers=senior.headers,
            json={"verdict": "sent_back", "remarks": "Weigh the sister's statement visibly."},
        )
    )
    assert (back["verdict"], back["reviewer_id"]) == ("sent_back", str(senior.user.id))
    assert (case.state, case.claimed_by_id) == (S.CLAIMED, external.user.id)
    last = events_of(db, case)[-1]
    assert (last.event, last.actor_id) == ("send_back", senior.user.id)
    assert "sister" in last.reason
    # Decided again: a new review, approved this time.
    again = ok(decide(client, case, external), 201)
    assert again["id"] != back["id"]
    ok(
        client.post(
            f"{API}/cases/{case.id}/review", headers=senior.headers, json={"verdict": "approved"}
        )
    )
    assert case.state is S.DECIDED_ON_FORM
    assert db.scalar(select(func.count()).where(DecisionReview.case_id == case.id)) == 2


def test_only_another_senior_reviews(client, db, factory):
    senior_drafter = factory.officer("drafter", senior=True, external=True)
    plain = factory.officer("plain")
    case = factory.case_in(S.READY_FOR_DECISION)
    db.commit()
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=senior_drafter.headers))
    ok(decide(client, case, senior_drafter), 201)
    verdict = {"verdict": "approved"}
    assert_problem(
        client.post(f"{API}/cases/{case.id}/review", headers=plain.headers, json=verdict),
        403,
        "not_a_senior",
    )
    assert_problem(
        client.post(f"{API}/cases/{case.id}/review", headers=senior_drafter.headers, json=verdict),
        403,
        "own_decision",
    )
    assert case.state is S.IN_REVIEW


def test_the_configured_share_of_decisions_is_sampled(db, factory, monkeypatch):
    settings = get_settings()
    officer = factory.officer("experienced", started_on=date(2010, 1, 1))
    cases = [factory.case_in(S.READY_FOR_DECISION) for _ in range(3)]
    monkeypatch.setattr(settings, "review_share", 1.0)
    assert {decisions.review_ground(db, officer.user.id, c.id) for c in cases} == {"sample"}
    monkeypatch.setattr(settings, "review_share", 0.0)
    assert {decisions.review_ground(db, officer.user.id, c.id) for c in cases} == {None}


# --- handling time ------------------------------------------------------------------------------


def test_handling_time_counts_active_work_and_not_idle_gaps(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    start = utcnow() - timedelta(hours=2)
    case.ready_at = start  # the file has waited two hours: calendar time
    for minutes, event in [(0, "open"), (1, "working"), (2, "working"), (3, "working")]:
        decisions.note_activity(
            db, case, officer.actor, event, at=start + timedelta(minutes=minutes)
        )
    # Away for 40 minutes (idle: not counted), then 2 more minutes of work and closing.
    for minutes, event in [(43, "working"), (44, "working"), (45, "close")]:
        decisions.note_activity(
            db, case, officer.actor, event, at=start + timedelta(minutes=minutes)
        )
    measured = queries.handling_time(db, case)
    assert (measured.active_minutes, measured.intervals) == (5.0, 2)
    assert measured.calendar_minutes is not None
    assert measured.calendar_minutes >= 120
    db.commit()
    # Through the API: a heartbeat starts a new stretch (the last one was closed).
    response = client.post(f"{API}/cases/{case.id}/activity", headers=officer.headers, json={})
    assert response.status_code == 204
    seen = ok(client.get(f"{API}/cases/{case.id}/handling-time", headers=officer.headers))
    assert (seen["active_minutes"], seen["intervals"]) == (5.0, 3)


def test_only_the_officer_holding_the_file_records_handling_time(client, db, factory):
    holder = factory.person(Role.OFFICER)
    other = factory.person(Role.OFFICER, "other")
    case = factory.case_in(S.CLAIMED)
    assert case.claimed_by_id == holder.user.id
    waiting = factory.case_in(S.READY_FOR_DECISION)  # in the queue: nobody holds it
    lease = case.lease_expires_at

    for target in (case, waiting):
        refused = client.post(f"{API}/cases/{target.id}/activity", headers=other.headers, json={})
        assert_problem(refused, 409, "not_your_claim")
    sign_in(client, other.user.username)
    workbench = client.get(f"/officer/cases/{case.id}", headers=HTML)
    assert workbench.status_code == 200
    page = client.post(
        f"/officer/cases/{case.id}/activity",
        data={"csrf_token": csrf_of(workbench.text), "event": "working"},
        headers=HTML,
    )
    assert page.status_code == 409
    assert queries.handling_time(db, case).intervals == 0
    assert queries.handling_time(db, waiting).intervals == 0
    db.refresh(case)
    assert case.lease_expires_at == lease

    own = client.post(f"{API}/cases/{case.id}/activity", headers=holder.headers, json={})
    assert own.status_code == 204
    assert queries.handling_time(db, case, holder.user.id).intervals == 1

    # Released: the holder's stretch is closed, and their page's late beacon is refused.
    ok(client.post(f"{API}/cases/{case.id}/release", headers=holder.headers))
    late = client.post(
        f"{API}/cases/{case.id}/activity", headers=holder.headers, json={"event": "close"}
    )
    assert_problem(late, 409, "not_your_claim")
    stretches = db.scalars(select(WorkInterval).where(WorkInterval.case_id == case.id)).all()
    assert [s.closed for s in stretches] == [True]


def test_idle_limit_is_a_setting(db, factory, monkeypatch):
    monkeypatch.setattr(get_settings(), "handling_idle_minutes", 60)
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    start = utcnow() - timedelta(hours=2)
    decisions.note_activity(db, case, officer.actor, "open", at=start)
    decisions.note_activity(db, case, officer.actor, "working", at=start + timedelta(minutes=40))
    assert queries.handling_time(db, case).active_minutes == 40.0
