"""The low-literacy rule of spoken questionnaires (issue 19): a policy version that says so
admits a low-literacy applicant in a language only when every spoken prompt of the
track's form is recorded by an interpreter; a placeholder never counts."""

import pytest

from service.eligibility.policy import CaseProfile, load_policy, screen
from service.eligibility.service import recorded_prompts, screen_case
from service.models import Literacy, Role
from service.models.eligibility import ScreeningOutcome
from service.questionnaires.forms import load_form
from service.questionnaires.prompts import Origin, PromptRecord, prompt_items
from service.questionnaires.prompts import text_sha256 as text_hash

SPOKEN, WITHOUT = "ind-2026-spoken", "ind-2026"
EXCLUDED = ScreeningOutcome.EXCLUDED


def low(nationality: str, *languages: str) -> CaseProfile:
    return CaseProfile(nationality, languages, Literacy.LOW, frozenset())


def test_the_rule_is_part_of_the_policy_version():
    assert load_policy(SPOKEN).literacy.admit_low_by_voice
    assert not load_policy(WITHOUT).literacy.admit_low_by_voice
    assert not load_policy("taskforce-2020").literacy.admit_low_by_voice


@pytest.mark.parametrize(
    ("case", "recorded", "outcome", "reason"),
    [
        # Every prompt of the kansarm form recorded in Tigrinya: admitted.
        (
            low("ER", "ti"),
            {"preparatory-hearing@1": frozenset({"ti"})},
            ScreeningOutcome.ELIGIBLE_PREPARATORY,
            "kansarm nationality ER",
        ),
        # Recorded in Arabic, not Tigrinya: the Eritrean stays excluded.
        (
            low("ER", "ti"),
            {"preparatory-hearing@1": frozenset({"ar"})},
            EXCLUDED,
            "not yet recorded by an interpreter in the applicant's language (ti)",
        ),
        # The kansrijk form is recorded, but a kansarm case fills in the other form.
        (
            low("ER", "ti"),
            {"written-hearing@3": frozenset({"ti"})},
            EXCLUDED,
            "not yet recorded",
        ),
        (
            low("SY", "ar", "nl"),
            {"written-hearing@3": frozenset({"ar"})},
            ScreeningOutcome.ELIGIBLE_REPLACING,
            "kansrijk nationality SY",
        ),
        (low("SY", "ar"), {}, EXCLUDED, "not yet recorded"),
    ],
)
def test_low_literacy_is_admitted_only_where_every_prompt_is_recorded(
    case, recorded, outcome, reason
):
    verdict = screen(load_policy(SPOKEN), case, recorded)
    assert verdict.outcome is outcome
    assert reason in verdict.reason
    assert verdict.policy_version == SPOKEN


def test_a_version_without_the_rule_excludes_low_literacy_whatever_is_recorded():
    everything = {"preparatory-hearing@1": frozenset({"ti"}), "written-hearing@3": {"ar"}}
    verdict = screen(load_policy(WITHOUT), low("ER", "ti"), everything)
    assert verdict.outcome is EXCLUDED
    assert verdict.reason == "low literacy: the form must be filled in without help"


def test_the_shipped_placeholders_admit_nobody(db, factory):
    """The shipped forms have generated placeholders only: under the spoken rule a
    low-literacy Eritrean is still excluded, and the screening says why."""
    policy = load_policy(SPOKEN)
    assert recorded_prompts(policy) == {
        "written-hearing@3": frozenset(),
        "preparatory-hearing@1": frozenset(),
        "registration-interview@1": frozenset(),
    }
    case = factory.case(nationality="ER", languages=["ti"], literacy=Literacy.LOW)
    screening = screen_case(db, case, factory.person(Role.PLANNER).actor, policy)
    assert screening.outcome == EXCLUDED
    assert screening.policy_version == SPOKEN
    assert "not yet recorded by an interpreter" in screening.reason


def test_recorded_prompts_reads_the_origins_of_the_forms_prompts(monkeypatch):
    """Every prompt recorded in Tigrinya (origin and file) makes the form count for it."""
    from service.questionnaires import prompts

    form = load_form("preparatory-hearing", 1)
    records = {
        item.id: PromptRecord(origin=Origin.RECORDED, text_sha256=text_hash(item.text("ti")))
        for item in prompt_items(form)
    }
    monkeypatch.setattr(prompts, "load_manifest", lambda form_id, version: {"ti": records})
    monkeypatch.setattr(prompts, "prompt_file", lambda *args: "present")
    found = recorded_prompts(load_policy(SPOKEN))
    assert found["preparatory-hearing@1"] == {"ti"}
    del records[next(iter(records))]  # one prompt not recorded: no longer
    assert recorded_prompts(load_policy(SPOKEN))["preparatory-hearing@1"] == frozenset()
