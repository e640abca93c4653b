"""The toetsingskader: versioned eligibility policies, as data, and how to apply one."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.core.versioned import load_version, versions_in
from service.eligibility.exceptions import InvalidPolicy, UnknownPolicy
from service.models.cases import Literacy, SignalKind
from service.models.eligibility import ScreeningOutcome

POLICY_DIR = Path(__file__).with_name("policies")


class LiteracyRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    exclude_low: bool = True
    must_be_known_for: frozenset[str] = frozenset()


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
    literacy: LiteracyRule = LiteracyRule()
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
    # The reason tells of an NV/1F signal (only roles that see signals may read it).
    restricted: bool = False


def screen(policy: Policy, case: CaseProfile) -> Verdict:
    """Apply the policy: exclusions first, then kansrijk or kansarm."""

    def verdict(outcome: ScreeningOutcome, reason: str) -> Verdict:
        return Verdict(outcome, reason, policy.version)

    excluded = ScreeningOutcome.EXCLUDED
    signals = sorted(s.value.upper() for s in case.signals & policy.exclusions.signals)
    if signals:
        reason = f"{'/'.join(signals)} signal: a physical hearing is required"
        return Verdict(excluded, reason, policy.version, restricted=True)
    if not set(case.languages) & policy.form_languages:
        langs = ", ".join(case.languages) or "none recorded"
        return verdict(excluded, f"no questionnaire in the applicant's language ({langs})")
    if case.literacy is Literacy.LOW and policy.literacy.exclude_low:
        return verdict(excluded, "low literacy: the form must be filled in without help")
    if case.literacy is Literacy.UNKNOWN and case.nationality in policy.literacy.must_be_known_for:
        return verdict(
            excluded,
            f"literacy must be established first for nationality {case.nationality}",
        )
    if case.nationality in policy.kansrijk_nationalities:
        return verdict(
            ScreeningOutcome.ELIGIBLE_REPLACING,
            f"kansrijk nationality {case.nationality}: the form may replace the physical hearing",
        )
    return verdict(
        ScreeningOutcome.ELIGIBLE_PREPARATORY,
        f"kansarm nationality {case.nationality}: the form prepares a physical hearing",
    )


def available_versions() -> list[str]:
    return versions_in(POLICY_DIR)


@lru_cache
def load_policy(version: str) -> Policy:
    return load_version(POLICY_DIR, version, Policy, unknown=UnknownPolicy, invalid=InvalidPolicy)
