"""The toetsingskader: versioned eligibility policies, as data, and how to apply one."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.versioned import load_version, versions_in
from service.eligibility.exceptions import InvalidPolicy, UnknownPolicy
from service.models.cases import Literacy, SignalKind
from service.models.eligibility import ScreeningOutcome
from service.workflow import Reason

POLICY_DIR = Path(__file__).with_name("policies")
FormPurpose = Literal["replacing", "preparatory", "registration"]


class LiteracyRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    exclude_low: bool = True
    must_be_known_for: frozenset[str] = frozenset()
    # Low literacy is no exclusion in a language in which every spoken prompt of the
    # track's form is recorded by an interpreter (the applicant hears each question and
    # answers by speaking); a generated placeholder never counts.
    admit_low_by_voice: bool = False


class Exclusions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    signals: frozenset[SignalKind] = frozenset(SignalKind)

    @field_validator("signals")
    @classmethod
    def _protocol_signals(cls, signals: frozenset[SignalKind]) -> frozenset[SignalKind]:
        # The protocol forbids a written hearing with any NV or 1F signal; no version may
        # drop one (the workflow would then refuse the eligible screening mid-import).
        missing = sorted(s.value for s in set(SignalKind) - signals)
        if missing:
            raise ValueError(f"every NV/1F signal must exclude; missing: {', '.join(missing)}")
        return signals


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    kansrijk_nationalities: frozenset[str]
    form_languages: frozenset[str]
    # Which questionnaire each track fills in, pinned as "<form id>@<version>"; the
    # "registration" form is the written registration interview (aanmeldgehoor).
    forms: dict[FormPurpose, Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*@[1-9][0-9]*$")]] = {}
    literacy: LiteracyRule = LiteracyRule()
    # Whether a host or the session's interpreter may type the answers for an applicant
    # who consents (assisted filling); never where a version does not say so.
    assisted_filling: bool = False
    exclusions: Exclusions = Exclusions()


@dataclass(frozen=True)
class CaseProfile:
    """The facts a screening looks at, independent of storage."""

    nationality: str
    languages: tuple[str, ...]
    literacy: Literacy
    signals: frozenset[SignalKind]


@dataclass(frozen=True)
class Verdict:
    outcome: ScreeningOutcome
    reason: str
    policy_version: str

    @property
    def event_reason(self) -> Reason:
        """The reason in the case's timeline: an exclusion's reads like every other
        exclusion's to those who may not know of signals (service/fields.py)."""
        if self.outcome is ScreeningOutcome.EXCLUDED:
            return Reason.exclusion(self.reason)
        return Reason.step(self.reason)


# {form key: the languages in which all its spoken prompts are recorded}
RecordedPrompts = Mapping[str, frozenset[str]]


def spoken_languages(policy: Policy, case: CaseProfile, recorded: RecordedPrompts) -> list[str]:
    """The applicant's languages in which the policy admits low literacy: all prompts of
    the form of the case's track are recorded (never where the policy does not say so)."""
    if not policy.literacy.admit_low_by_voice:
        return []
    kansrijk = case.nationality in policy.kansrijk_nationalities
    form_key = policy.forms.get("replacing" if kansrijk else "preparatory")
    heard = recorded.get(form_key, frozenset()) if form_key else frozenset()
    return sorted(set(case.languages) & policy.form_languages & heard)


def screen(policy: Policy, case: CaseProfile, recorded: RecordedPrompts | None = None) -> Verdict:
    """Apply the policy: exclusions first, then kansrijk or kansarm. ``recorded`` says in
    which languages each form's spoken prompts are all recorded (the low-literacy rule)."""

    def verdict(outcome: ScreeningOutcome, reason: str) -> Verdict:
        return Verdict(outcome, reason, policy.version)

    excluded = ScreeningOutcome.EXCLUDED
    signals = sorted(s.value.upper() for s in case.signals & policy.exclusions.signals)
    if signals:
        why = N_("%(signals)s signal: a physical hearing is required")
        return verdict(excluded, in_english(why, signals="/".join(signals)))
    if not set(case.languages) & policy.form_languages:
        if not case.languages:
            return verdict(
                excluded, N_("no questionnaire in the applicant's language (none recorded)")
            )
        why = N_("no questionnaire in the applicant's language (%(languages)s)")
        return verdict(excluded, in_english(why, languages=", ".join(case.languages)))
    low = case.literacy is Literacy.LOW and policy.literacy.exclude_low
    if low and not spoken_languages(policy, case, recorded or {}):
        if policy.literacy.admit_low_by_voice:
            why = N_(
                "low literacy: the questions are not yet recorded by an interpreter in "
                "the applicant's language (%(languages)s)"
            )
            return verdict(excluded, in_english(why, languages=", ".join(case.languages)))
        return verdict(excluded, N_("low literacy: the form must be filled in without help"))
    if case.literacy is Literacy.UNKNOWN and case.nationality in policy.literacy.must_be_known_for:
        why = N_("literacy must be established first for nationality %(nationality)s")
        return verdict(excluded, in_english(why, nationality=case.nationality))
    if case.nationality in policy.kansrijk_nationalities:
        why = N_("kansrijk nationality %(nationality)s: the form may replace the physical hearing")
        return verdict(
            ScreeningOutcome.ELIGIBLE_REPLACING, in_english(why, nationality=case.nationality)
        )
    why = N_("kansarm nationality %(nationality)s: the form prepares a physical hearing")
    return verdict(
        ScreeningOutcome.ELIGIBLE_PREPARATORY, in_english(why, nationality=case.nationality)
    )


def available_versions() -> list[str]:
    return versions_in(POLICY_DIR)


@lru_cache
def load_policy(version: str) -> Policy:
    return load_version(POLICY_DIR, version, Policy, unknown=UnknownPolicy, invalid=InvalidPolicy)
