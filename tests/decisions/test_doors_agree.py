"""One action, two doors: what an officer (or planner) does on a page gives the same
stored result as the same input through the API, and a refused input the same refusal
(the page shows it with the same 4xx status, beside the same fields, the form kept)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Role
from service.models.cases import Case, Signal
from service.models.decisions import (
    Consultation,
    Decision,
    DecisionReview,
    HearingHandoff,
    SignalReferral,
)
from service.workflow import CaseState
from tests.decisions.doors import HTML, api_refusal, page_post, page_refusal
from tests.decisions.test_outcomes import HEARING, ON_FORM
from tests.helpers import API, ok, sign_in

S = CaseState


def decision_of(db: Session, case: Case) -> tuple[object, ...]:
    db.expire_all()
    found = db.scalars(select(Decision).where(Decision.case_id == case.id)).one()
    return (
        db.get_one(Case, case.id).state,
        found.outcome,
        found.kind,
        found.reason,
        found.third_party_weighing,
        found.officer_id,
    )


def handoff_of(db: Session, case: Case) -> tuple[object, ...]:
    found = db.scalars(select(HearingHandoff).where(HearingHandoff.case_id == case.id)).one()
    return found.reason_codes, found.motivation, found.estimated_days, found.actual_days


def test_deciding_on_the_form_or_ordering_a_hearing_stores_the_same(client, db, factory):
    officer = factory.person(Role.OFFICER)
    cases = {door: [factory.case_in(S.CLAIMED) for _ in range(2)] for door in ("api", "page")}
    db.commit()
    for case, body in zip(cases["api"], (ON_FORM, HEARING), strict=True):
        ok(client.post(f"{API}/cases/{case.id}/decision", headers=officer.headers, json=body), 201)
    sign_in(client, officer.user.username)
    # What was typed in the other outcome's (hidden) fields is no part of the decision.
    typed_before = ({"estimated_days": "1"}, {"kind": "grant"})
    for case, body, hidden in zip(cases["page"], (ON_FORM, HEARING), typed_before, strict=True):
        bench = f"/officer/cases/{case.id}"
        assert page_post(client, f"{bench}/decision", body | hidden, bench).status_code == 303

    for by_api, by_page in zip(cases["api"], cases["page"], strict=True):
        assert decision_of(db, by_api) == decision_of(db, by_page)
    assert handoff_of(db, cases["api"][1]) == handoff_of(db, cases["page"][1])
    assert handoff_of(db, cases["page"][1])[2] == 2


def test_a_refused_decision_is_refused_alike_and_the_page_keeps_what_was_typed(client, db, factory):
    officer = factory.person(Role.OFFICER)
    plain = factory.case_in(S.CLAIMED)
    lgbti = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"])
    db.commit()
    incomplete = {"outcome": "physical_hearing_required", "reason": "Travel route unclear."}
    api = client.post(f"{API}/cases/{plain.id}/decision", headers=officer.headers, json=incomplete)
    blocked = client.post(f"{API}/cases/{lgbti.id}/decision", headers=officer.headers, json=ON_FORM)
    assert api_refusal(api) == (422, "validation_error", {"reason_codes", "estimated_days"})
    assert api_refusal(blocked)[:2] == (409, "rule_violated")

    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{plain.id}"
    shown = page_post(client, f"{bench}/decision", incomplete, bench)
    assert page_refusal(shown) == (422, {"reason_codes", "estimated_days"})
    assert "Travel route unclear." in shown.text
    bench = f"/officer/cases/{lgbti.id}"
    shown = page_post(client, f"{bench}/decision", ON_FORM, bench)
    assert page_refusal(shown) == (409, {"outcome"})
    assert blocked.json()["detail"] in shown.text
    assert ON_FORM["third_party_weighing"].replace("'", "&#39;") in shown.text
    db.expire_all()
    assert {c.state for c in (plain, lgbti)} == {S.CLAIMED}
    assert (
        db.scalars(select(Decision).where(Decision.case_id.in_([plain.id, lgbti.id]))).all() == []
    )


def _in_review(factory, db, novice) -> Case:
    """A file a novice decided on the form: it waits for a senior (four eyes)."""
    from service.decisions import service
    from service.decisions.schemas import DecisionIn

    case = factory.case_in(S.READY_FOR_DECISION)
    service.claim(db, case, novice.actor)
    service.decide(db, case, novice.actor, DecisionIn.model_validate(ON_FORM))
    return case


def test_four_eyes_gives_the_same_verdict_and_refusal_through_either_door(client, db, factory):
    novice = factory.officer("novice", started_on=date.today())
    senior = factory.officer("senior", senior=True)
    by_api, by_page = _in_review(factory, db, novice), _in_review(factory, db, novice)
    db.commit()
    sent_back = {"verdict": "sent_back", "remarks": ""}
    refused = client.post(f"{API}/cases/{by_api.id}/review", headers=senior.headers, json=sent_back)
    assert api_refusal(refused)[:2] == (422, "remarks_required")
    verdict = {"verdict": "sent_back", "remarks": "Weigh the letter."}
    ok(client.post(f"{API}/cases/{by_api.id}/review", headers=senior.headers, json=verdict))

    sign_in(client, senior.user.username)
    bench = f"/officer/cases/{by_page.id}"
    shown = page_post(client, f"{bench}/review", sent_back, bench)
    assert page_refusal(shown) == (422, {"remarks"})
    assert page_post(client, f"{bench}/review", verdict, bench).status_code == 303

    def stored(case: Case) -> tuple[object, ...]:
        db.expire_all()
        review = db.scalars(select(DecisionReview).where(DecisionReview.case_id == case.id)).one()
        held = db.get_one(Case, case.id)
        return held.state, held.claimed_by_id, review.verdict, review.remarks, review.reviewer_id

    assert stored(by_api) == stored(by_page)
    assert stored(by_page)[:2] == (S.CLAIMED, novice.user.id)


def test_a_signal_and_a_consultation_request_through_either_door(client, db, factory):
    officer = factory.person(Role.OFFICER)
    api_cases = [factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"]) for _ in range(2)]
    page_cases = [factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"]) for _ in range(2)]
    db.commit()
    signal = {"kind": "1f", "reason": "Answer 12 names service in a unit."}
    asked = {"topic": "lgbti", "question": "How to weigh the letter?"}
    not_raised = {"topic": "conversion", "question": "Church letter?"}
    short = {"kind": "nv", "reason": "ab"}

    def api(case: Case, path: str, body: dict[str, str]):
        return client.post(f"{API}/cases/{case.id}/{path}", headers=officer.headers, json=body)

    ok(api(api_cases[0], "unit-1f-referral", signal), 201)
    ok(api(api_cases[1], "consultation-requests", asked), 201)
    refused_topic = api_refusal(api(api_cases[1], "consultation-requests", not_raised))
    refused_signal = api_refusal(api(api_cases[1], "unit-1f-referral", short))
    assert refused_topic == (422, "motive_not_raised", set())
    assert refused_signal == (422, "validation_error", {"reason"})

    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{page_cases[0].id}"
    as_signal = {"signal_kind": signal["kind"], "signal_reason": signal["reason"]}
    assert page_post(client, f"{bench}/signal", as_signal, bench).status_code == 303
    bench = f"/officer/cases/{page_cases[1].id}"
    assert page_post(client, f"{bench}/consultations", asked, bench).status_code == 303
    shown = page_post(client, f"{bench}/consultations", not_raised, bench)
    assert page_refusal(shown) == (422, {"topic"})
    assert "Church letter?" in shown.text
    shown = page_post(
        client, f"{bench}/signal", {"signal_kind": "nv", "signal_reason": "ab"}, bench
    )
    assert page_refusal(shown) == (422, {"signal_reason"})

    def signalled(case: Case) -> tuple[object, ...]:
        db.expire_all()
        found = db.scalars(select(Signal).where(Signal.case_id == case.id)).one()
        referral = db.scalars(select(SignalReferral).where(SignalReferral.case_id == case.id))
        return (
            db.get_one(Case, case.id).state,
            found.kind,
            found.reason,
            found.source,
            (referral.one().referred_by_id),
        )

    def requested(case: Case) -> list[tuple[object, ...]]:
        rows = db.scalars(select(Consultation).where(Consultation.case_id == case.id))
        return [(c.motive, c.question, c.requested_by_id, c.advice) for c in rows]

    assert signalled(api_cases[0]) == signalled(page_cases[0])
    assert signalled(page_cases[0])[0] is S.EXCLUDED
    assert requested(api_cases[1]) == requested(page_cases[1])
    assert db.get_one(Case, page_cases[1].id).state is S.CLAIMED


def test_a_team_lead_reassigns_alike_and_is_refused_alike(client, db, factory):
    lead = factory.officer("lead", team="Team Zevenaar", team_lead=True)
    novice = factory.officer("novice", team="Team Zevenaar", lgbti_experience=False)
    skilled = factory.officer("skilled", team="Team Zevenaar", lgbti_experience=True)
    by_api, by_page = (
        factory.case_in(S.READY_FOR_DECISION, coordinator_motives=["lgbti"]) for _ in range(2)
    )
    db.commit()

    def api(case: Case, officer):
        body = {"officer_id": str(officer.user.id)}
        return client.post(f"{API}/cases/{case.id}/reassign", headers=lead.headers, json=body)

    assert api_refusal(api(by_api, novice)) == (409, "officer_lacks_skills", set())
    ok(api(by_api, skilled))
    sign_in(client, lead.user.username)
    path = f"/officer/cases/{by_page.id}/reassign"
    shown = page_post(client, path, {"officer_id": str(novice.user.id)}, "/officer/team")
    assert page_refusal(shown) == (409, {f"officer-{by_page.id}"})
    assert (
        page_post(client, path, {"officer_id": str(skilled.user.id)}, "/officer/team").status_code
        == 303
    )

    db.expire_all()
    held = [
        (c.state, c.claimed_by_id)
        for c in db.scalars(select(Case).where(Case.id.in_([by_api.id, by_page.id])))
    ]
    assert held == [(S.CLAIMED, skilled.user.id)] * 2


def test_take_next_and_release_through_either_door(client, db, factory):
    officer = factory.officer("taker")
    db.commit()
    taken = client.post(f"{API}/decision-queue/take-next", headers=officer.headers)
    assert api_refusal(taken) == (404, "queue_empty", set())
    sign_in(client, officer.user.username)
    shown = page_post(client, "/officer/take-next", {}, "/officer")
    assert shown.status_code == 404

    by_api, by_page = (factory.case_in(S.READY_FOR_DECISION) for _ in range(2))
    db.commit()
    first = ok(client.post(f"{API}/decision-queue/take-next", headers=officer.headers))
    second = page_post(client, "/officer/take-next", {}, "/officer")
    assert second.status_code == 303
    assert {first["id"], second.headers["location"].rsplit("/", 1)[1]} == {
        str(by_api.id),
        str(by_page.id),
    }
    ok(client.post(f"{API}/cases/{by_api.id}/release", headers=officer.headers))
    path = f"/officer/cases/{by_page.id}/release"
    assert page_post(client, path, {}, f"/officer/cases/{by_page.id}").status_code == 303
    db.expire_all()
    assert [db.get_one(Case, c.id).state for c in (by_api, by_page)] == [S.READY_FOR_DECISION] * 2


def test_the_days_of_the_physical_hearing_through_either_door(client, db, factory):
    planner = factory.person(Role.PLANNER)
    by_api, by_page = (
        factory.case_in(S.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
        for _ in range(2)
    )
    db.commit()
    path = f"{API}/cases/{by_api.id}/handoff/actual-days"
    refused = client.put(path, headers=planner.headers, json={"days": 40})
    assert api_refusal(refused) == (422, "validation_error", {"days"})
    ok(client.put(path, headers=planner.headers, json={"days": 2}))

    sign_in(client, planner.user.username)
    page = f"/planner/cases/{by_page.id}"
    shown = page_post(client, f"{page}/handoff/actual-days", {"days": "40"}, page)
    assert page_refusal(shown) == (422, {"days"})
    assert 'value="40"' in shown.text
    assert page_post(client, f"{page}/handoff/actual-days", {"days": "2"}, page).status_code == 303
    db.expire_all()
    assert handoff_of(db, by_api)[2:] == handoff_of(db, by_page)[2:] == (None, 2)
    assert client.get(page, headers=HTML).status_code == 200


def test_a_refusal_on_the_dutch_workbench_reads_in_dutch(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    dutch = {"accept": "text/html", "accept-language": "nl"}
    asked = {"topic": "conversion", "question": "Kerkbrief?"}
    shown = page_post(client, f"{bench}/consultations", asked, bench, dutch)
    assert page_refusal(shown) == (422, {"topic"})
    assert "Dit dossier noemt het motief" in shown.text
    assert "Kerkbrief?" in shown.text
