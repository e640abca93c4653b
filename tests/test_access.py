"""Scoping inside a role: lawyers see their own clients, translators their agency's
work, officers decide only what they claimed. Other people's things are 404 (their
existence does not leak) or, for a claim, 409."""

import uuid

from service.auth.schemas import UserIn
from service.auth.service import create_user, issue_token
from service.core.actor import Actor
from service.corrections import service as corrections
from service.corrections.schemas import Typed
from service.models import Role
from service.translation import service as translation
from service.workflow import CaseState
from tests.helpers import API, assert_problem, if_match, ok


def ids(items) -> set[str]:
    return {item["id"] for item in items}


# --- lawyers ------------------------------------------------------------------------------


def test_lawyer_lists_only_own_clients(client, db, factory):
    mine = factory.person(Role.LAWYER, "mine")
    theirs = factory.person(Role.LAWYER, "theirs")
    own = [factory.case_in(CaseState.SCREENED, lawyer=mine.user.username) for _ in range(2)]
    foreign = factory.case_in(CaseState.INVITED, lawyer=theirs.user.username)

    listed = ok(client.get(f"{API}/cases?limit=500", headers=mine.headers))
    assert ids(listed) == {str(c.id) for c in own}
    assert ids(ok(client.get(f"{API}/cases", headers=theirs.headers))) == {str(foreign.id)}
    # Staff see them all.
    everything = ids(
        ok(client.get(f"{API}/cases?limit=500", headers=factory.person(Role.PLANNER).headers))
    )
    assert {str(c.id) for c in [*own, foreign]} <= everything


def test_lawyer_cannot_read_another_lawyers_client(client, db, factory):
    mine = factory.person(Role.LAWYER, "mine")
    theirs = factory.person(Role.LAWYER, "theirs")
    foreign = factory.case_in(CaseState.WITH_LAWYER, lawyer=theirs.user.username)

    for path in [
        f"/cases/{foreign.id}",
        f"/cases/{foreign.id}/timeline",
        f"/cases/by-v-number/{foreign.v_number}",
        f"/cases/{foreign.id}/answers",
        f"/cases/{foreign.id}/translation",
        f"/cases/{foreign.id}/corrections",
    ]:
        assert_problem(client.get(API + path, headers=mine.headers), 404, "case_not_found")
    # Their own lawyer gets through.
    assert ok(client.get(f"{API}/cases/{foreign.id}", headers=theirs.headers))["id"] == str(
        foreign.id
    )


def test_lawyer_cannot_reply_to_another_lawyers_invitation(client, db, factory):
    mine = factory.person(Role.LAWYER, "mine")
    theirs = factory.person(Role.LAWYER, "theirs")
    own_case = factory.case_in(CaseState.INVITED, lawyer=mine.user.username)
    foreign_case = factory.case_in(CaseState.INVITED, lawyer=theirs.user.username)

    own = ok(client.get(f"{API}/invitations", headers=mine.headers))
    assert [i["case_id"] for i in own] == [str(own_case.id)]
    (foreign,) = ok(client.get(f"{API}/invitations", headers=theirs.headers))
    assert foreign["case_id"] == str(foreign_case.id)

    hijack = client.post(
        f"{API}/invitations/{foreign['id']}/reply",
        headers=mine.headers,
        json={"consent": False, "decline_reason": "other", "note": "not my client"},
    )
    assert_problem(hijack, 404, "invitation_not_found")

    planner = factory.person(Role.PLANNER)
    assert ok(client.get(f"{API}/cases/{foreign_case.id}", headers=planner.headers))["state"] == (
        "invited"
    )
    # The invitation is still open for the right lawyer.
    reply = client.post(
        f"{API}/invitations/{foreign['id']}/reply",
        headers=theirs.headers,
        json={"consent": True},
    )
    assert ok(reply)["status"] == "consented"


def test_lawyer_cannot_correct_or_withdraw_for_another_lawyers_client(client, db, factory):
    mine = factory.person(Role.LAWYER, "mine")
    theirs = factory.person(Role.LAWYER, "theirs")
    foreign = factory.case_in(CaseState.WITH_LAWYER, lawyer=theirs.user.username)

    corrections = {"items": [{"kind": "addition", "text": "Statement of a witness."}]}
    attempts = [
        client.post(
            f"{API}/cases/{foreign.id}/corrections", headers=mine.headers, json=corrections
        ),
        client.post(f"{API}/cases/{foreign.id}/no-corrections", headers=mine.headers),
        client.post(
            f"{API}/cases/{foreign.id}/withdraw", headers=mine.headers, json={"reason": "abc"}
        ),
    ]
    for attempt in attempts:
        assert_problem(attempt, 404, "case_not_found")

    planner = factory.person(Role.PLANNER)
    after = ok(client.get(f"{API}/cases/{foreign.id}", headers=planner.headers))
    assert after["state"] == "with_lawyer"
    timeline = ok(client.get(f"{API}/cases/{foreign.id}/timeline", headers=planner.headers))
    assert timeline[-1]["event"] == "send_to_lawyer"

    # The client's own lawyer may.
    ok(
        client.post(
            f"{API}/cases/{foreign.id}/corrections",
            headers=if_match(client, foreign.id, theirs.headers),
            json=corrections,
        ),
        201,
    )


# --- translators --------------------------------------------------------------------------


def translator_of(db, factory, agency: str) -> dict[str, str]:
    factory.agency(agency)
    username = f"translator.{uuid.uuid4().hex[:8]}"
    user = create_user(
        db,
        UserIn(
            username=username,
            display_name=agency,
            role=Role.TRANSLATOR,
            agency=agency,
            password="correct horse battery staple",
        ),
    )
    return {"Authorization": f"Bearer {issue_token(db, user=user).access_token}"}


def sent_to(db, factory, agency: str):
    """A submitted case sent to ``agency`` for translation, and the translation job."""
    factory.agency(agency)
    case = factory.case_in(CaseState.SUBMITTED)
    job = translation.request(db, case, factory.person(Role.PLANNER).actor, agency)
    return case, job


def test_translator_sees_only_own_agencys_work(client, db, factory):
    ours, theirs = f"Bureau {uuid.uuid4().hex[:6]}", f"Bureau {uuid.uuid4().hex[:6]}"
    our_translator = translator_of(db, factory, ours)
    their_translator = translator_of(db, factory, theirs)
    _, our_job = sent_to(db, factory, ours)
    _, their_job = sent_to(db, factory, theirs)

    listed = ok(client.get(f"{API}/translations", headers=our_translator))
    assert [t["id"] for t in listed] == [str(our_job.id)]
    listed = ok(client.get(f"{API}/translations", headers=their_translator))
    assert [t["id"] for t in listed] == [str(their_job.id)]
    # Planners see both.
    everything = ok(client.get(f"{API}/translations", headers=factory.person(Role.PLANNER).headers))
    assert {str(our_job.id), str(their_job.id)} <= ids(everything)

    # Another agency's job does not exist for us, and cannot be delivered.
    assert_problem(
        client.get(f"{API}/translations/{their_job.id}", headers=our_translator),
        404,
        "translation_not_found",
    )
    assert_problem(
        client.put(
            f"{API}/translations/{their_job.id}", headers=our_translator, json={"answers_nl": {}}
        ),
        404,
        "translation_not_found",
    )
    job = ok(client.get(f"{API}/translations/{their_job.id}", headers=their_translator))
    assert (job["agency"], job["delivered_at"]) == (theirs, None)


def test_translator_reads_what_to_translate_and_nothing_else_of_the_case(client, db, factory):
    """Review found a translator could read a decided case's answers and the coordinator
    motives. A translator reads the job (questions and answers) while it is open or may
    still be replaced, no case file at all, and nothing once the lawyer has replied."""
    ours = f"Bureau {uuid.uuid4().hex[:6]}"
    our_translator = translator_of(db, factory, ours)
    case, job = sent_to(db, factory, ours)
    case.coordinator_motives = ["lgbti"]
    db.flush()

    work = ok(client.get(f"{API}/translations/{job.id}", headers=our_translator))
    answers = {s["question_id"]: s["answer"] for s in work["source"]}
    assert answers == factory.full_answers()
    assert all(s["question"] and s["question_nl"] for s in work["source"])
    assert "lgbti" not in str(work)
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/answers", f"/cases/{case.id}/timeline"):
        assert client.get(API + path, headers=our_translator).status_code == 403
    assert client.get(f"{API}/cases", headers=our_translator).status_code == 403

    dutch = {key: f"NL {value}" for key, value in answers.items()}
    ok(
        client.put(
            f"{API}/translations/{job.id}", headers=our_translator, json={"answers_nl": dutch}
        )
    )
    # Delivered: still there while the lawyer has the form (a corrected file may follow).
    ok(client.get(f"{API}/translations/{job.id}", headers=our_translator))
    corrections.none_to_add(db, Actor(role=Role.LAWYER, user_id=case.lawyer_id), case, Typed(None))
    assert_problem(
        client.get(f"{API}/translations/{job.id}", headers=our_translator),
        404,
        "translation_not_found",
    )
    assert ok(client.get(f"{API}/translations", headers=our_translator)) == []


def test_a_job_sent_to_a_mistyped_agency_is_refused_and_can_be_reassigned(client, db, factory):
    """Review found a translation could go to a mistyped agency name and stay stuck."""
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SUBMITTED)
    factory.agency("Vertaalbureau Noord")
    factory.agency("Taalhuis Zuid")
    wrong = client.post(
        f"{API}/cases/{case.id}/translation",
        headers=planner.headers,
        json={"agency": "Vertaalbureau Nord"},
    )
    detail = assert_problem(wrong, 422, "unknown_agency")["detail"]
    assert "Vertaalbureau Noord" in detail  # it lists the agencies there are
    assert case.state == CaseState.SUBMITTED

    job = ok(
        client.post(
            f"{API}/cases/{case.id}/translation",
            headers=planner.headers,
            json={"agency": "Vertaalbureau Noord"},
        ),
        201,
    )
    moved = ok(
        client.post(
            f"{API}/translations/{job['id']}/reassign",
            headers=planner.headers,
            json={"agency": "Taalhuis Zuid"},
        )
    )
    assert (moved["agency"], moved["due_at"]) == ("Taalhuis Zuid", job["due_at"])
    south = translator_of(db, factory, "Taalhuis Zuid")
    assert [t["id"] for t in ok(client.get(f"{API}/translations", headers=south))] == [job["id"]]
    agencies = ok(client.get(f"{API}/agencies", headers=planner.headers))
    assert {"Vertaalbureau Noord", "Taalhuis Zuid"} <= {a["name"] for a in agencies}


# --- decision officers --------------------------------------------------------------------


def test_officer_cannot_decide_or_release_anothers_claim(client, db, factory):
    claimant = factory.person(Role.OFFICER)  # the factory claims as the default officer
    other = factory.person(Role.OFFICER, "other")
    case = factory.case_in(CaseState.CLAIMED)
    assert case.claimed_by_id == claimant.user.id

    decision = {"outcome": "decided_on_form", "kind": "grant", "reason": "complete and consistent"}
    assert_problem(
        client.post(f"{API}/cases/{case.id}/decision", headers=other.headers, json=decision),
        409,
        "not_your_claim",
    )
    assert_problem(
        client.post(f"{API}/cases/{case.id}/release", headers=other.headers),
        409,
        "not_your_claim",
    )
    # Nor can the claim be taken over.
    assert_problem(
        client.post(f"{API}/cases/{case.id}/claim", headers=other.headers),
        409,
        "illegal_transition",
    )

    still = ok(client.get(f"{API}/cases/{case.id}", headers=claimant.headers))
    assert (still["state"], still["claimed_by_id"]) == ("claimed", str(claimant.user.id))

    decided = client.post(
        f"{API}/cases/{case.id}/decision", headers=claimant.headers, json=decision
    )
    assert ok(decided, 201)["officer_id"] == str(claimant.user.id)


def test_released_case_can_be_claimed_by_another_officer(client, db, factory):
    claimant = factory.person(Role.OFFICER)
    other = factory.person(Role.OFFICER, "other")
    case = factory.case_in(CaseState.CLAIMED)

    released = ok(client.post(f"{API}/cases/{case.id}/release", headers=claimant.headers))
    assert (released["state"], released["claimed_by_id"]) == ("ready_for_decision", None)
    claimed = ok(client.post(f"{API}/cases/{case.id}/claim", headers=other.headers))
    assert claimed["claimed_by_id"] == str(other.user.id)
    assert_problem(
        client.post(f"{API}/cases/{case.id}/release", headers=claimant.headers),
        409,
        "not_your_claim",
    )


def test_a_case_leaving_the_track_calls_its_translation_off(client, db, factory):
    """A translator does not go on translating (and reading) a withdrawn or excluded case."""
    ours = f"Bureau {uuid.uuid4().hex[:6]}"
    our_translator = translator_of(db, factory, ours)
    case, job = sent_to(db, factory, ours)
    officer = factory.person(Role.OFFICER)
    signal = {"kind": "nv", "source": "security partner", "reason": "report"}
    ok(client.post(f"{API}/cases/{case.id}/signals", headers=officer.headers, json=signal), 201)

    assert ok(client.get(f"{API}/translations", headers=our_translator)) == []
    assert_problem(
        client.get(f"{API}/translations/{job.id}", headers=our_translator),
        404,
        "translation_not_found",
    )
    planner = factory.person(Role.PLANNER)
    seen = ok(client.get(f"{API}/translations/{job.id}", headers=planner.headers))
    assert seen["cancelled_at"] is not None
    moved = client.post(
        f"{API}/translations/{job.id}/reassign", headers=planner.headers, json={"agency": ours}
    )
    assert_problem(moved, 409, "translation_closed")
