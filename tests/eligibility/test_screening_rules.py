"""Screening rules that hold whatever the data around a case: a case screened in bulk on
its own, a policy file that leaves a section out, a policy that (wrongly) lets signals
through, and the screening history of a case."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases.importing import import_rows
from service.core.clock import utcnow
from service.eligibility import policy as policy_module
from service.eligibility.exceptions import FormAlreadyTaken
from service.eligibility.policy import (
    CaseProfile,
    Exclusions,
    Policy,
    load_policy,
    screen,
)
from service.eligibility.service import (
    active_policy,
    screen_case,
    screen_imported,
    screenings_of,
)
from service.models import Case, Literacy, Role, Screening, SignalKind
from service.models.eligibility import ScreeningOutcome
from service.workflow import CaseState, GuardFailed, ReasonKind
from tests.conftest import unique_v_number

TASKFORCE = "taskforce-2020"
EXCLUDED = ScreeningOutcome.EXCLUDED
NV_REASON = "NV signal: a physical hearing is required"


def row(**overrides) -> dict:
    data = {
        "v_number": unique_v_number(),
        "applicant_name": "Amal Haddad",
        "date_of_birth": "1991-04-17",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-12-02",
        "literacy": "known",
    }
    return data | overrides


def case_of(db, v_number: str) -> Case:
    return db.scalars(select(Case).where(Case.v_number == v_number)).one()


# --- bulk screening ---------------------------------------------------------------------------


def test_a_lone_nv_signalled_case_imported_on_its_own_is_excluded(db, factory):
    """Review: bulk screening looked signals up through a join that only worked when the
    signalled case was imported beside a clean one."""
    planner = factory.person(Role.PLANNER).actor
    signalled = row(signals=[{"kind": "nv", "source": "AIVD"}])
    report = import_rows(db, [signalled], planner)
    assert report.screened == {EXCLUDED: 1}
    case = case_of(db, signalled["v_number"])
    assert (case.state, case.track, case.exclusion_reason) == ("excluded", None, NV_REASON)
    (screening,) = screenings_of(db, case.id)
    assert (screening.outcome, screening.reason, screening.policy_version) == (
        EXCLUDED,
        NV_REASON,
        active_policy().version,
    )
    assert screening.screened_by_id == planner.user_id  # every screening records who did it


def test_a_lone_signalled_case_screened_in_bulk_is_excluded(db, factory):
    planner = factory.person(Role.PLANNER).actor
    case = factory.case(signals=[{"kind": "1f", "source": "Unit 1F"}])
    counts = screen_imported(db, planner, case_ids=[case.id], policy=load_policy(TASKFORCE))
    assert counts == {EXCLUDED: 1}
    db.refresh(case)
    assert (case.state, case.exclusion_reason) == (
        "excluded",
        "1F signal: a physical hearing is required",
    )


def test_bulk_screening_of_chosen_cases_leaves_the_other_imported_cases_waiting(db, factory):
    planner = factory.person(Role.PLANNER).actor
    chosen, waiting = factory.case(), factory.case()
    counts = screen_imported(db, planner, case_ids=[chosen.id], policy=load_policy(TASKFORCE))
    assert counts == {ScreeningOutcome.ELIGIBLE_REPLACING: 1}
    db.refresh(chosen)
    db.refresh(waiting)
    assert (chosen.state, waiting.state) == ("screened", "imported")
    assert screenings_of(db, waiting.id) == []
    (screening,) = screenings_of(db, chosen.id)
    assert (screening.policy_version, screening.screened_by_id) == (TASKFORCE, planner.user_id)


def test_bulk_screening_without_a_choice_screens_every_imported_case(db, factory):
    planner = factory.person(Role.PLANNER).actor
    clean, signalled = factory.case(), factory.case(signals=[{"kind": "nv", "source": "AIVD"}])
    screen_imported(db, planner, policy=load_policy(TASKFORCE))
    db.refresh(clean)
    db.refresh(signalled)
    assert (clean.state, signalled.state) == ("screened", "excluded")


# --- a policy that forgot the signals cannot put a signalled case in the written track ---------


def careless_policy() -> Policy:
    """A policy built past its validation, with no signal exclusion at all."""
    return load_policy(TASKFORCE).model_copy(
        update={"exclusions": Exclusions.model_construct(signals=frozenset())}
    )


def test_the_workflow_refuses_a_signalled_case_screened_alone_even_if_the_policy_lets_it(
    db, factory
):
    case = factory.case(signals=[{"kind": "nv", "source": "AIVD"}])
    signalled = CaseProfile("SY", ("ar",), Literacy.KNOWN, frozenset({SignalKind.NV}))
    assert screen(careless_policy(), signalled).outcome is ScreeningOutcome.ELIGIBLE_REPLACING
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        screen_case(db, case, factory.person(Role.PLANNER).actor, careless_policy())
    assert (case.state, case.track) == ("imported", None)


def test_the_workflow_refuses_a_signalled_case_screened_in_bulk_even_if_the_policy_lets_it(
    db, factory
):
    case = factory.case(signals=[{"kind": "nv", "source": "AIVD"}])
    planner = factory.person(Role.PLANNER).actor
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        screen_imported(db, planner, case_ids=[case.id], policy=careless_policy())
    db.refresh(case)
    assert (case.state, case.track) == ("imported", None)


# --- policy files that leave a section out keep the safe defaults ------------------------------

# A policy file with only what a policy must name: no `literacy:`, no `exclusions:` section.
MINIMAL = """\
version: minimal-1
title: A policy that only names nationalities and languages
kansrijk_nationalities: [SY]
form_languages: [ar]
"""


@pytest.fixture
def minimal_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Policy]:
    """MINIMAL, loaded from a policy directory of its own as the service loads its files."""
    (tmp_path / "minimal-1.yaml").write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setattr(policy_module, "POLICY_DIR", tmp_path)
    load_policy.cache_clear()
    yield load_policy("minimal-1")
    load_policy.cache_clear()


def test_a_policy_file_without_a_literacy_section_still_excludes_low_literacy(minimal_policy):
    low = CaseProfile("SY", ("ar",), Literacy.LOW, frozenset())
    verdict = screen(minimal_policy, low)
    assert (verdict.outcome, verdict.reason) == (
        EXCLUDED,
        "low literacy: the form must be filled in without help",
    )
    # Unknown literacy is no reason on its own when no nationality needs it known.
    unknown = CaseProfile("SY", ("ar",), Literacy.UNKNOWN, frozenset())
    assert screen(minimal_policy, unknown).outcome is ScreeningOutcome.ELIGIBLE_REPLACING


def test_a_policy_file_without_an_exclusions_section_still_excludes_nv_and_1f(minimal_policy):
    for kind in SignalKind:
        signalled = CaseProfile("SY", ("ar",), Literacy.KNOWN, frozenset({kind}))
        verdict = screen(minimal_policy, signalled)
        assert (verdict.outcome, verdict.event_reason.kind) == (EXCLUDED, ReasonKind.EXCLUSION)


def test_a_case_without_a_recorded_language_is_excluded_saying_so():
    verdict = screen(load_policy(TASKFORCE), CaseProfile("SY", (), Literacy.KNOWN, frozenset()))
    assert (verdict.outcome, verdict.reason) == (
        EXCLUDED,
        "no questionnaire in the applicant's language (none recorded)",
    )


# --- the screening history --------------------------------------------------------------------


def test_a_screening_records_who_screened_and_under_which_policy(db, factory):
    case = factory.case(nationality="ER", languages=["ti"])
    planner = factory.person(Role.PLANNER).actor
    screening = screen_case(db, case, planner, load_policy("ind-2021"))
    db.expire_all()
    (recorded,) = screenings_of(db, case.id)
    assert recorded.id == screening.id
    assert (recorded.screened_by_id, recorded.policy_version, recorded.outcome) == (
        planner.user_id,
        "ind-2021",
        ScreeningOutcome.ELIGIBLE_PREPARATORY,
    )
    assert recorded.reason == "kansarm nationality ER: the form prepares a physical hearing"


def test_a_case_that_took_the_form_is_told_why_it_cannot_be_screened_again(db, factory):
    from service.cases.service import withdraw

    case = factory.case_in(CaseState.SUBMITTED)
    withdraw(db, case, factory.person(Role.LAWYER).actor, "client prefers an interview")
    with pytest.raises(FormAlreadyTaken) as refused:
        screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(TASKFORCE))
    assert refused.value.detail == (
        "The applicant already filled in the form; the case continues in the regular "
        "procedure and cannot re-enter the written hearing."
    )
    assert case.state == "withdrawn"


def test_the_screening_history_is_listed_oldest_first(db, factory):
    """Whatever order the rows were written in (a bulk run stamps the time it started)."""
    case = factory.case()
    planner = factory.person(Role.PLANNER).actor
    screen_case(db, case, planner, load_policy(TASKFORCE))
    earlier = Screening(
        case_id=case.id,
        policy_version="ind-2021",
        outcome=ScreeningOutcome.ELIGIBLE_REPLACING,
        reason="screened before the import was recorded",
        screened_at=utcnow() - timedelta(days=1),
        screened_by_id=planner.user_id,
    )
    db.add(earlier)
    db.flush()
    assert [s.policy_version for s in screenings_of(db, case.id)] == ["ind-2021", TASKFORCE]
