"""Which fields of a case each role reads (``service/cases/access.py``, applied by the
presenters in ``service/cases/schemas.py``), and whose cases they read at all.

- NV/1F signals (the signal, a reason that tells of one, the timeline entry that tells of
  one) stay inside the IND: planners, officers, coordinators and admins only.
- Vulnerability notes and coordinator motives go to staff and the case's lawyer, never
  to the applicant, a host or a translator.
- A lawyer reads the real reason of an exclusion that is not about a signal (such as low
  literacy), and only a generic text for a signal.

The role tables below are typed in by hand, not derived from ``access``: a role added to
or dropped from a rule there fails a test here.
"""

import json

import pytest

from service.cases.access import (
    REDACTED_EXCLUSION,
    readable_case,
    require_own_client,
    visible_cases,
)
from service.cases.exceptions import CaseNotFound
from service.cases.queries import timeline
from service.cases.schemas import CaseDetail, CaseOut, EventOut, SignalIn
from service.cases.service import add_signal
from service.core.actor import Actor
from service.core.errors import Forbidden
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Case, Role
from service.workflow import CaseState, ReasonKind
from tests.conftest import unique_v_number
from tests.helpers import API, ok

SEES_SIGNALS = {Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN}
SEES_NOTES = {Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN, Role.LAWYER}
SEES_MOTIVES = SEES_NOTES
SEES_CASE = SEES_NOTES | {Role.APPLICANT}
ALL_ROLES = sorted(Role)

NOTES = "Survivor of torture; needs a break every hour."
SOURCE = "AIVD-7f3a"
SIGNAL_REASON = "informant report 91c2"
LOW_LITERACY = "low literacy: the form must be filled in without help"


def signalled_case(db, factory) -> Case:
    """A case with notes, motives and an NV signal, excluded by its screening."""
    case = factory.case(
        vulnerability_notes=NOTES,
        coordinator_motives=["lgbti", "conversion"],
        signals=[{"kind": "nv", "source": SOURCE, "reason": SIGNAL_REASON}],
    )
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy("taskforce-2020"))
    assert case.state == CaseState.EXCLUDED
    return case


def actor_of(role: Role, case: Case) -> Actor:
    """Someone of ``role`` who may read ``case`` (its own lawyer, its own applicant)."""
    if role is Role.LAWYER:
        return Actor(role=role, user_id=case.lawyer_id)
    if role is Role.APPLICANT:
        return Actor(role=role, case_id=case.id)
    return Actor(role=role)


# --- the presenters, role by role ---------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_planners_officers_coordinators_and_admins_see_signals(db, factory, role):
    case = signalled_case(db, factory)
    for shape in (CaseOut, CaseDetail):
        seen = shape.present(case, actor_of(role, case))
        if role in SEES_SIGNALS:
            assert [(s.kind, s.source, s.reason) for s in seen.signals] == [
                ("nv", SOURCE, SIGNAL_REASON)
            ]
            assert seen.exclusion_reason == case.exclusion_reason
            assert "NV signal" in seen.exclusion_reason
        else:
            assert seen.signals == []
            assert seen.exclusion_reason == REDACTED_EXCLUSION
            shown = seen.model_dump_json()
            assert SOURCE not in shown
            assert SIGNAL_REASON not in shown
            assert "NV" not in shown


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_staff_and_the_cases_lawyer_see_vulnerability_notes(db, factory, role):
    case = factory.case(vulnerability_notes=NOTES)
    seen = CaseDetail.present(case, actor_of(role, case))
    assert seen.vulnerability_notes == (NOTES if role in SEES_NOTES else "")
    # The list shape carries no notes for anyone.
    assert "vulnerability_notes" not in CaseOut.present(case, actor_of(role, case)).model_dump()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_staff_and_the_cases_lawyer_see_coordinator_motives(db, factory, role):
    case = factory.case(coordinator_motives=["lgbti", "conversion"])
    for shape in (CaseOut, CaseDetail):
        seen = shape.present(case, actor_of(role, case))
        expected = ["lgbti", "conversion"] if role in SEES_MOTIVES else []
        assert seen.coordinator_motives == expected


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_timeline_entry_that_tells_of_a_signal_is_read_by_signal_readers_only(db, factory, role):
    case = signalled_case(db, factory)
    actor = actor_of(role, case)
    admitted, excluded = (EventOut.present(row, actor) for row in timeline(db, case.id))
    # A step of the process reads the same for everyone who follows the case.
    step = "case registered" if role in SEES_CASE else ""
    assert (admitted.event, admitted.reason) == ("import", step)
    assert excluded.event == "screen_excluded"
    if role in SEES_SIGNALS:
        assert excluded.reason == "NV signal: a physical hearing is required"
    else:
        assert excluded.reason == REDACTED_EXCLUSION


# --- the same rules over HTTP, as the people of the process meet them --------------------------


def test_an_applicant_never_sees_notes_motives_or_signals_of_their_own_case(client, db, factory):
    """The applicant reads their own case only in the answer to their withdrawal."""
    case = factory.case(
        vulnerability_notes=NOTES,
        coordinator_motives=["lgbti"],
        signals=[{"kind": "1f", "source": SOURCE, "reason": SIGNAL_REASON}],
    )
    applicant = factory.applicant_headers(case)
    db.commit()
    seen = ok(
        client.post(
            f"{API}/cases/{case.id}/withdraw",
            headers=applicant,
            json={"reason": "I want to tell my story in person"},
        )
    )
    assert seen["state"] == "withdrawn"
    assert (seen["vulnerability_notes"], seen["coordinator_motives"], seen["signals"]) == (
        "",
        [],
        [],
    )
    shown = json.dumps(seen)
    for secret in (NOTES, SOURCE, SIGNAL_REASON, "lgbti"):
        assert secret not in shown


def test_the_lawyer_reads_the_notes_and_motives_of_their_client(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(
        CaseState.INVITED, vulnerability_notes=NOTES, coordinator_motives=["conversion"]
    )
    db.commit()
    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert (seen["vulnerability_notes"], seen["coordinator_motives"]) == (NOTES, ["conversion"])
    (listed,) = ok(client.get(f"{API}/cases", headers=lawyer.headers))
    assert listed["coordinator_motives"] == ["conversion"]


def test_a_lawyer_reads_the_neutral_text_for_an_exclusion_that_is_not_a_signal_too(
    client, db, factory
):
    """Were a low-literacy exclusion to read differently, the neutral text would tell of
    a signal (issue 14); staff still read the real reason."""
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case(literacy="low")
    db.commit()
    screening = ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    assert (screening["outcome"], screening["reason"]) == ("excluded", LOW_LITERACY)

    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert (seen["state"], seen["exclusion_reason"]) == ("excluded", REDACTED_EXCLUSION)
    assert seen["physical_hearing_next"] is True
    last = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=lawyer.headers))[-1]
    assert (last["event"], last["reason"]) == ("screen_excluded", REDACTED_EXCLUSION)
    staff = ok(client.get(f"{API}/cases/{case.id}", headers=planner.headers))
    assert staff["exclusion_reason"] == LOW_LITERACY


def _exclude_by_screening(client, factory, planner) -> str:
    case = factory.case(signals=[{"kind": "nv", "source": SOURCE, "reason": SIGNAL_REASON}])
    factory.db.commit()
    ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
    return str(case.id)


def _exclude_on_import(client, factory, planner) -> str:
    """Imported on its own: bulk screening must find the signal without a clean neighbour."""
    lawyer = factory.person(Role.LAWYER)
    v_number = unique_v_number()
    row = {
        "v_number": v_number,
        "applicant_name": "Amal Haddad",
        "date_of_birth": "1991-04-17",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-12-02",
        "lawyer": lawyer.user.username,
        "literacy": "known",
        "signals": [{"kind": "nv", "source": SOURCE, "reason": SIGNAL_REASON}],
    }
    factory.db.commit()
    report = ok(
        client.post(
            f"{API}/cases/import",
            headers=planner.headers,
            files={"file": ("cases.json", json.dumps([row]).encode(), "application/json")},
        )
    )
    assert report["screened"] == {"excluded": 1}
    return ok(client.get(f"{API}/cases/by-v-number/{v_number}", headers=planner.headers))["id"]


def _exclude_by_a_later_signal(client, factory, planner) -> str:
    case = factory.case_in(CaseState.INVITED)
    factory.db.commit()
    signal = {"kind": "nv", "source": SOURCE, "reason": SIGNAL_REASON}
    ok(client.post(f"{API}/cases/{case.id}/signals", headers=planner.headers, json=signal), 201)
    return str(case.id)


@pytest.mark.parametrize(
    "exclude", [_exclude_by_screening, _exclude_on_import, _exclude_by_a_later_signal]
)
def test_a_lawyer_reads_only_the_generic_text_for_a_signal_exclusion(client, db, factory, exclude):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case_id = exclude(client, factory, planner)

    seen = ok(client.get(f"{API}/cases/{case_id}", headers=lawyer.headers))
    assert (seen["state"], seen["exclusion_reason"], seen["signals"]) == (
        "excluded",
        REDACTED_EXCLUSION,
        [],
    )
    lawyers_last = ok(client.get(f"{API}/cases/{case_id}/timeline", headers=lawyer.headers))[-1]
    assert lawyers_last["reason"] == REDACTED_EXCLUSION
    assert SOURCE not in json.dumps(seen) + json.dumps(lawyers_last)

    # Staff read what happened.
    staff = ok(client.get(f"{API}/cases/{case_id}", headers=planner.headers))
    assert "NV signal" in staff["exclusion_reason"]
    assert [s["source"] for s in staff["signals"]] == [SOURCE]
    staffs_last = ok(client.get(f"{API}/cases/{case_id}/timeline", headers=planner.headers))[-1]
    assert staffs_last["event"] == lawyers_last["event"]
    assert "NV signal" in staffs_last["reason"]


def test_the_lawyer_reads_the_same_timeline_as_staff_when_no_signal_is_involved(
    client, db, factory
):
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.CONSENTED)
    db.commit()
    lawyers = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=lawyer.headers))
    staffs = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=planner.headers))
    assert lawyers == staffs
    steps = [(e["event"], e["from_state"], e["to_state"], e["actor_role"]) for e in lawyers]
    assert steps == [
        ("import", None, "imported", "planner"),
        ("screen_eligible", "imported", "screened", "planner"),
        ("invite", "screened", "invited", "planner"),
        ("consent", "invited", "consented", "lawyer"),
    ]
    assert lawyers[-1]["actor_id"] == str(lawyer.user.id)
    assert lawyers[2]["actor_id"] == str(planner.user.id)
    assert lawyers[-1]["reason"] == "lawyer consented"


# --- whose cases a role reads at all --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.HOST, Role.TRANSLATOR])
def test_hosts_and_translators_read_no_case_file(db, factory, role):
    case = factory.case_in(CaseState.SCHEDULED)
    outsider = factory.person(role).actor
    assert db.scalars(visible_cases(outsider)).all() == []
    with pytest.raises(CaseNotFound):
        readable_case(db, case.id, outsider)


def test_an_applicant_reads_their_own_case_only(db, factory):
    own, other = factory.case(), factory.case()
    applicant = Actor(role=Role.APPLICANT, case_id=own.id)
    assert [c.id for c in db.scalars(visible_cases(applicant))] == [own.id]
    with pytest.raises(CaseNotFound):
        readable_case(db, other.id, applicant)


def test_only_the_clients_own_lawyer_acts_for_the_case(db, factory):
    case = factory.case()
    own = factory.person(Role.LAWYER).actor
    stranger = factory.person(Role.LAWYER, "another-firm").actor
    with pytest.raises(Forbidden) as refused:
        require_own_client(case, stranger)
    assert refused.value.detail == "Only the applicant's own lawyer may do this."
    # The client's own lawyer and staff may.
    for actor in (own, factory.person(Role.PLANNER).actor, Actor(role=Role.ADMIN)):
        require_own_client(case, actor)


def test_a_signal_on_an_open_case_is_recorded_as_an_exclusion(db, factory):
    """The exclusion's timeline entry says what kind of text it is, so the presenters
    know who may read it."""
    case = factory.case_in(CaseState.SCREENED)
    officer = factory.person(Role.OFFICER).actor
    add_signal(db, case, SignalIn(kind="1f", source="Unit 1F", reason="question 12"), officer)
    last = timeline(db, case.id)[-1]
    assert (last.event, last.reason_kind) == ("exclude", ReasonKind.EXCLUSION)
    assert all(row.reason_kind is ReasonKind.STEP for row in timeline(db, case.id)[:-1])


def test_a_lawyer_cannot_tell_an_exclusion_by_a_signal_from_any_other(client, db, factory):
    """Issue 14: were only a signal's exclusion neutral, the neutral text would tell of
    a signal. Every exclusion looks the same to those who may not know of signals, in the
    case and in its timeline."""
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)
    excluded = [
        factory.case(signals=[{"kind": "nv", "source": SOURCE, "reason": SIGNAL_REASON}]),
        factory.case(literacy="low"),
        factory.case(languages=["xh"]),  # no questionnaire in the applicant's language
    ]
    db.commit()
    views = []
    for case in excluded:
        ok(client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers))
        seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
        line = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=lawyer.headers))
        views.append(
            (
                seen["state"],
                seen["exclusion_reason"],
                seen["signals"],
                seen["physical_hearing_next"],
                seen["next_steps"],
                [(e["event"], e["reason"]) for e in line],
            )
        )
    assert views[0][:2] == ("excluded", REDACTED_EXCLUSION)
    assert views[1] == views[0]
    assert views[2] == views[0]
    # Staff read three different reasons.
    reasons = {
        ok(client.get(f"{API}/cases/{c.id}", headers=planner.headers))["exclusion_reason"]
        for c in excluded
    }
    assert len(reasons) == 3
