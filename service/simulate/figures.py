"""The Taskforce's figures the replay must reproduce (DOMAIN.md, Tabel 4), and the quotas
they give at a scale. Outcomes are quotas, not coin flips: at scale 1 every count in
Tabel 4 comes out exactly, whatever the seed; the seed only decides which case gets what.
"""

from dataclasses import dataclass
from datetime import date

from service.dev.demo import allocate
from service.models.decisions import FinalOutcome

# The Tabel-4 groups: these nationalities, and "other" for every other one.
GROUPS = ("ER", "IR", "YE", "SY", "TR")
OTHER = "other"
ALL_GROUPS = (*GROUPS, OTHER)


def group_of(nationality: str) -> str:
    return nationality if nationality in GROUPS else OTHER


@dataclass(frozen=True)
class GroupFigures:
    start: date  # the first invitations of the group (2020)
    consent_percent: int  # lawyers' consent, of the invitations
    written: int  # written hearings held
    granted: int  # of those, granted in the end


# Tabel 4. The grants are the counts behind the rounded rates (97/70/99/99/99/87 %) that
# add up to DOMAIN.md's 913 granted of 1,036 (88 %).
TABEL_4: dict[str, GroupFigures] = {
    "ER": GroupFigures(date(2020, 9, 15), 20, 38, 37),
    "IR": GroupFigures(date(2020, 10, 26), 35, 387, 272),
    "YE": GroupFigures(date(2020, 9, 15), 73, 91, 90),
    "SY": GroupFigures(date(2020, 3, 16), 49, 353, 351),
    "TR": GroupFigures(date(2020, 7, 27), 56, 144, 143),
    OTHER: GroupFigures(date(2020, 7, 27), 25, 23, 20),
}
# The 123 that were not granted (DOMAIN.md: 103 + 16 + 4).
NOT_GRANTED = {
    FinalOutcome.UNFOUNDED: 103,
    FinalOutcome.MANIFESTLY_UNFOUNDED: 16,
    FinalOutcome.INADMISSIBLE: 4,
}
BACKLOG_CASES = 15_348
# Of the kansrijk written hearings, the share decided on the form (the rest: nader gehoor).
ON_FORM_PERCENT = 80


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


@dataclass(frozen=True)
class Quota:
    invited: int
    consented: int  # = written hearings held: every consented case is heard
    granted: int


def quotas(scale: float) -> dict[str, Quota]:
    """Per group: how many are invited, consent (and are heard) and are granted."""
    found: dict[str, Quota] = {}
    for group, row in TABEL_4.items():
        written = scaled(row.written, scale)
        invited = round(written * 100 / row.consent_percent)
        found[group] = Quota(invited, written, round(written * row.granted / row.written))
    return found


def not_granted_split(total: int) -> dict[FinalOutcome, int]:
    """The non-grants, in DOMAIN.md's proportions (exact at scale 1)."""
    split = allocate(total, {k.value: v for k, v in NOT_GRANTED.items()})
    return {FinalOutcome(k): v for k, v in split.items()}


def percent(part: int, whole: int) -> int:
    """Rounded half up, as the evaluation's tables round."""
    return (200 * part + whole) // (2 * whole) if whole else 0
