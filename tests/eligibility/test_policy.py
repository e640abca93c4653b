"""The toetsingskader: versioned policies, every screening outcome, bulk == single."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from service.core.settings import Settings, get_settings
from service.eligibility import policy as policy_module
from service.eligibility.exceptions import InvalidPolicy, UnknownPolicy
from service.eligibility.policy import (
    CaseProfile,
    Policy,
    available_versions,
    load_policy,
    screen,
)
from service.eligibility.service import screen_case, screen_imported, screenings_of
from service.models import Case, CaseEventRow, Literacy, Role, Screening, SignalKind
from service.models.eligibility import ScreeningOutcome
from service.workflow import CaseState, WorkflowError

API = "/api/v1"
TASKFORCE, IND = "taskforce-2020", "ind-2021"
EXCLUDED = ScreeningOutcome.EXCLUDED
REPLACING = ScreeningOutcome.ELIGIBLE_REPLACING
PREPARATORY = ScreeningOutcome.ELIGIBLE_PREPARATORY
NV, F1 = SignalKind.NV, SignalKind.ARTICLE_1F


def profile(
    nationality: str = "SY",
    languages: tuple[str, ...] = ("ar",),
    literacy: Literacy = Literacy.KNOWN,
    signals: frozenset[SignalKind] = frozenset(),
) -> CaseProfile:
    return CaseProfile(nationality, languages, literacy, signals)


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the shipped policies that a test may add broken files to."""
    for shipped in policy_module.POLICY_DIR.glob("*.yaml"):
        shutil.copy(shipped, tmp_path)
    monkeypatch.setattr(policy_module, "POLICY_DIR", tmp_path)
    load_policy.cache_clear()
    yield tmp_path
    load_policy.cache_clear()


@pytest.fixture
def use_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Switch the active policy as an operator would (environment), restored afterwards."""

    def switch(version: str) -> None:
        monkeypatch.setenv("HEARING_ELIGIBILITY_POLICY", version)
        get_settings.cache_clear()

    yield switch
    monkeypatch.undo()
    get_settings.cache_clear()


# --- the shipped versions --------------------------------------------------------------------


def test_both_shipped_policy_versions_load_and_validate():
    assert {TASKFORCE, IND} <= set(available_versions())
    for version in (TASKFORCE, IND):
        policy = load_policy(version)
        assert isinstance(policy, Policy)
        assert policy.version == version
        assert {"SY", "YE", "TR"} <= policy.kansrijk_nationalities
        # NV and 1F signals exclude under every version (protocol, DOMAIN.md).
        assert policy.exclusions.signals == {NV, F1}
        assert policy.literacy.exclude_low


def test_the_versions_differ_on_eritrea_and_stateless_applicants():
    taskforce, ind = load_policy(TASKFORCE), load_policy(IND)
    assert {"ER", "stateless"} <= taskforce.kansrijk_nationalities
    assert "ER" not in ind.kansrijk_nationalities
    assert "stateless" not in ind.kansrijk_nationalities


# --- every outcome, with its reason ----------------------------------------------------------

OUTCOMES = [
    pytest.param(profile(signals=frozenset({NV})), EXCLUDED, "NV signal", id="nv-signal"),
    pytest.param(profile(signals=frozenset({F1})), EXCLUDED, "1F signal", id="1f-signal"),
    pytest.param(profile(signals=frozenset({NV, F1})), EXCLUDED, "1F/NV signal", id="both"),
    pytest.param(
        profile(languages=("nl", "de")),
        EXCLUDED,
        "no questionnaire in the applicant's language (nl, de)",
        id="unsupported-language",
    ),
    pytest.param(profile(literacy=Literacy.LOW), EXCLUDED, "low literacy", id="low-literacy"),
    pytest.param(
        profile("ER", ("ti",), Literacy.UNKNOWN),
        EXCLUDED,
        "literacy must be established first for nationality ER",
        id="eritrean-literacy-unknown",
    ),
    pytest.param(
        profile("SY", ("ar",), Literacy.UNKNOWN),
        REPLACING,
        "kansrijk nationality SY",
        id="syrian-literacy-unknown-is-fine",
    ),
    pytest.param(profile("SY"), REPLACING, "kansrijk nationality SY", id="kansrijk"),
    pytest.param(profile("YE"), REPLACING, "kansrijk nationality YE", id="kansrijk-yemen"),
    pytest.param(profile("TR", ("tr",)), REPLACING, "kansrijk nationality TR", id="kansrijk-tr"),
    pytest.param(profile("IR", ("fa",)), PREPARATORY, "kansarm nationality IR", id="kansarm"),
    pytest.param(
        profile("IR", ("nl", "fa")), PREPARATORY, "kansarm nationality IR", id="any-language-fits"
    ),
    # Exclusions come first: a signal wins over every other reason.
    pytest.param(
        profile("ER", ("nl",), Literacy.LOW, frozenset({NV})),
        EXCLUDED,
        "NV signal",
        id="signal-first",
    ),
]


@pytest.mark.parametrize("version", [TASKFORCE, IND])
@pytest.mark.parametrize(("case", "outcome", "reason"), OUTCOMES)
def test_every_outcome_with_its_reason(version, case, outcome, reason):
    verdict = screen(load_policy(version), case)
    assert verdict.outcome is outcome
    assert reason in verdict.reason
    assert verdict.policy_version == version
    if outcome is EXCLUDED and "signal" in reason:
        assert "physical hearing" in verdict.reason


@pytest.mark.parametrize(
    ("version", "outcome", "reason"),
    [
        (TASKFORCE, REPLACING, "kansrijk nationality ER"),
        (IND, PREPARATORY, "kansarm nationality ER"),
    ],
)
def test_eritrea_is_kansrijk_for_the_taskforce_and_kansarm_for_the_ind(version, outcome, reason):
    verdict = screen(load_policy(version), profile("ER", ("ti",), Literacy.KNOWN))
    assert (verdict.outcome, verdict.policy_version) == (outcome, version)
    assert reason in verdict.reason


@pytest.mark.parametrize(("version", "outcome"), [(TASKFORCE, REPLACING), (IND, PREPARATORY)])
def test_stateless_is_kansrijk_in_the_taskforce_policy(version, outcome):
    verdict = screen(load_policy(version), profile("stateless", ("ar",)))
    assert verdict.outcome is outcome


profiles = st.builds(
    CaseProfile,
    nationality=st.sampled_from(["SY", "YE", "TR", "ER", "IR", "AF", "NG", "stateless", "unknown"]),
    languages=st.lists(
        st.sampled_from(["ar", "fa", "ti", "tr", "en", "nl", "de", "ur"]),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
    literacy=st.sampled_from(list(Literacy)),
    signals=st.frozensets(st.sampled_from(list(SignalKind))),
)


@settings(max_examples=300)
@given(case=profiles, version=st.sampled_from([TASKFORCE, IND]))
def test_no_profile_with_a_signal_low_literacy_or_foreign_language_is_eligible(case, version):
    policy = load_policy(version)
    verdict = screen(policy, case)
    eligible = verdict.outcome is not EXCLUDED
    assert verdict.policy_version == version
    if case.signals or case.literacy is Literacy.LOW:
        assert not eligible
    if not set(case.languages) & policy.form_languages:
        assert not eligible
    if eligible:
        kansrijk = case.nationality in policy.kansrijk_nationalities
        assert verdict.outcome is (REPLACING if kansrijk else PREPARATORY)


# --- versions that do not exist or do not validate -------------------------------------------


def test_unknown_policy_version_is_an_error():
    with pytest.raises(UnknownPolicy) as error:
        load_policy("taskforce-1999")
    assert error.value.code == "unknown_policy"
    assert TASKFORCE in error.value.detail  # the message lists what is known


def test_policy_version_cannot_reach_outside_the_policy_directory():
    with pytest.raises(UnknownPolicy):
        load_policy("../policies/taskforce-2020")


VALID = (
    "version: {version}\ntitle: Test\nkansrijk_nationalities: [SY]\nform_languages: [ar]\n"
    "exclusions:\n  signals: [nv, 1f]\n"
)
BROKEN = {
    "missing-title": "version: {version}\nkansrijk_nationalities: [SY]\nform_languages: [ar]\n",
    "unknown-key": VALID + "kansrijk: [IR]\n",
    "unknown-signal": VALID.replace("[nv, 1f]", "[nv, 1f, aivd]"),
    "not-yaml": "version: {version}\ntitle: [unclosed\n",
    "empty": "",
    "wrong-version": VALID.replace("{version}", "another-version"),
    "bad-version-text": VALID.replace("version: {version}", "version: 'Has Spaces'"),
    # The protocol forbids a written hearing with an NV or a 1F signal, whatever the policy.
    "does-not-exclude-1f": VALID.replace("[nv, 1f]", "[nv]"),
    "does-not-exclude-signals": VALID.replace("[nv, 1f]", "[]"),
}


def test_a_valid_policy_file_in_the_directory_loads(policy_dir):
    (policy_dir / "test-1.yaml").write_text(VALID.format(version="test-1"))
    assert "test-1" in available_versions()
    assert load_policy("test-1").kansrijk_nationalities == {"SY"}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_invalid_policy_file_is_refused(policy_dir, name):
    version = f"broken-{name}"
    (policy_dir / f"{version}.yaml").write_text(BROKEN[name].replace("{version}", version))
    with pytest.raises(InvalidPolicy) as error:
        load_policy(version)
    assert error.value.code == "invalid_policy"
    assert f"{version}.yaml" in error.value.detail
    # The shipped versions are unaffected.
    assert load_policy(TASKFORCE).version == TASKFORCE


# --- screening cases in the database ---------------------------------------------------------


def test_screening_records_the_policy_version(db, factory):
    case = factory.case(nationality="SY", languages=["ar"])
    screening = screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(IND))
    assert screening.policy_version == IND
    assert case.policy_version == IND
    assert db.get(Screening, screening.id).policy_version == IND


def _observable(db, case: Case) -> dict[str, object]:
    """Everything a screening leaves behind on a case, minus ids and clock times."""
    db.refresh(case)
    screening = db.scalars(select(Screening).where(Screening.case_id == case.id)).one()
    event = db.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.case_id == case.id)
        .order_by(CaseEventRow.id.desc())
        .limit(1)
    ).one()
    return {
        "state": case.state,
        "track": case.track,
        "policy_version": case.policy_version,
        "exclusion_reason": case.exclusion_reason,
        "screened_at is set": case.screened_at is not None,
        "version": case.version,
        "screening": (screening.outcome, screening.reason, screening.policy_version),
        "screened_by": screening.screened_by_id,
        "event": (event.event, event.from_state, event.to_state, event.reason),
        "actor": (event.actor_id, event.actor_role),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=profiles, version=st.sampled_from([TASKFORCE, IND]))
def test_bulk_and_single_screening_agree_with_the_policy(db, factory, case, version):
    """Two identical cases, one screened alone, one in bulk: same verdict, same traces."""
    policy = load_policy(version)
    planner = factory.person(Role.PLANNER).actor
    factory.person(Role.LAWYER)  # outside the savepoint: the factory keeps its people
    expected = screen(policy, case)
    with db.begin_nested() as savepoint:
        twins = [
            factory.case(
                nationality=case.nationality,
                languages=list(case.languages),
                literacy=case.literacy,
                signals=[{"kind": kind, "source": "registration"} for kind in case.signals],
            )
            for _ in range(2)
        ]
        single, bulk = twins
        screen_case(db, single, planner, policy)
        counts = screen_imported(db, planner, case_ids=[bulk.id], policy=policy)
        assert counts == {expected.outcome: 1}
        alone, together = _observable(db, single), _observable(db, bulk)
        savepoint.rollback()
    assert alone == together
    assert alone["screening"] == (expected.outcome, expected.reason, version)
    assert alone["state"] == (CaseState.EXCLUDED if expected.outcome is EXCLUDED else "screened")


def test_refused_screening_leaves_the_case_untouched(db, factory):
    """Screening is not allowed mid-procedure; a refused one must not rewrite track or version."""
    case = factory.case_in(CaseState.CLAIMED, nationality="stateless", languages=["ar"])
    assert (case.track, case.policy_version) == ("replacing", TASKFORCE)
    with pytest.raises(WorkflowError, match="claimed"):
        screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(IND))
    assert (case.track, case.policy_version, case.state) == ("replacing", TASKFORCE, "claimed")
    db.flush()
    db.refresh(case)
    assert (case.track, case.policy_version, case.state) == ("replacing", TASKFORCE, "claimed")
    assert len(screenings_of(db, case.id)) == 1


def test_bulk_screening_leaves_cases_outside_imported_alone(db, factory):
    planner = factory.person(Role.PLANNER).actor
    waiting = factory.case(nationality="SY")
    invited = factory.case_in(CaseState.INVITED, nationality="SY")
    counts = screen_imported(db, planner, case_ids=[waiting.id, invited.id])
    assert counts == {REPLACING: 1}
    db.refresh(invited)
    assert invited.state == CaseState.INVITED
    assert len(screenings_of(db, invited.id)) == 1


def test_switching_the_active_policy_changes_an_eritrean_case(client, db, factory, use_policy):
    planner = factory.person(Role.PLANNER)
    case = factory.case(nationality="ER", languages=["ti"], literacy="known")
    db.commit()  # keep the factory's rows if a request rolls back

    use_policy(TASKFORCE)
    first = client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == REPLACING
    assert first.json()["policy_version"] == TASKFORCE

    use_policy(IND)
    again = client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers)
    assert again.status_code == 200, again.text
    assert again.json()["outcome"] == PREPARATORY
    assert again.json()["policy_version"] == IND

    detail = client.get(f"{API}/cases/{case.id}", headers=planner.headers).json()
    assert (detail["track"], detail["policy_version"]) == ("preparatory", IND)
    history = client.get(f"{API}/cases/{case.id}/screenings", headers=planner.headers).json()
    assert [(s["policy_version"], s["outcome"]) for s in history] == [
        (TASKFORCE, REPLACING),
        (IND, PREPARATORY),
    ]


def test_an_unknown_active_policy_stops_the_service_from_starting():
    """A misconfigured policy is an operator error caught at start, not a 404 per request."""
    with pytest.raises(ValidationError, match="unknown eligibility policy 'no-such-policy'"):
        Settings(eligibility_policy="no-such-policy")
    assert Settings(eligibility_policy="ind-2021").eligibility_policy == "ind-2021"


# --- the API ---------------------------------------------------------------------------------


def test_planner_screens_a_case_over_http(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case(nationality="IR", languages=["fa"])
    db.commit()
    response = client.post(f"{API}/cases/{case.id}/screening", headers=planner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["case_id"] == str(case.id)
    assert body["outcome"] == PREPARATORY
    assert "kansarm nationality IR" in body["reason"]
    assert body["policy_version"] == get_settings().eligibility_policy
    detail = client.get(f"{API}/cases/{case.id}", headers=planner.headers).json()
    assert (detail["state"], detail["track"]) == ("screened", "preparatory")


@pytest.mark.parametrize("role", [Role.LAWYER, Role.OFFICER, Role.HOST, Role.TRANSLATOR])
def test_only_planners_screen(client, db, factory, role):
    case = factory.case()
    db.commit()
    response = client.post(f"{API}/cases/{case.id}/screening", headers=factory.person(role).headers)
    assert response.status_code in (403, 404)
    db.refresh(case)
    assert case.state == CaseState.IMPORTED


def test_policies_endpoint_lists_every_version_and_the_active_one(client, factory, use_policy):
    use_policy(IND)
    response = client.get(
        f"{API}/eligibility/policies", headers=factory.person(Role.PLANNER).headers
    )
    assert response.status_code == 200, response.text
    policies = {p["version"]: p for p in response.json()}
    assert {TASKFORCE, IND} <= set(policies)
    assert [v for v, p in policies.items() if p["active"]] == [IND]
    assert "ER" in policies[TASKFORCE]["kansrijk_nationalities"]
    assert "ER" not in policies[IND]["kansrijk_nationalities"]
    assert policies[IND]["literacy_must_be_known_for"] == ["ER"]
    assert policies[IND]["excluding_signals"] == ["1f", "nv"]


def test_policies_endpoint_is_staff_only(client, factory):
    response = client.get(
        f"{API}/eligibility/policies", headers=factory.person(Role.LAWYER).headers
    )
    assert response.status_code == 403
