"""What the replay prints and what it is held against.

The table is the reports' own (``reports.queries.by_nationality`` over the replay's
period, the figures the page, the exports and ``GET /api/v1/reports/nationalities``
show), arranged as Tabel 4: its nationalities, "other" folded from the rest
(``reports.queries.combined``), the total. ``GroupRow`` is what the replay's quotas
decided per group, which the tests hold the report against."""

from collections import Counter
from dataclasses import dataclass, field

from service.reports import queries
from service.reports.schemas import NationalityRow
from service.simulate.figures import GROUPS, OTHER, percent


@dataclass
class GroupRow:
    """What the replay meant to do for one Tabel-4 group."""

    group: str
    invited: int = 0
    consented: int = 0
    held: int = 0  # written hearings: forms handed in
    on_form: int = 0
    physical: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


def tabel_4(rows: list[NationalityRow]) -> list[NationalityRow]:
    """The report's rows as Tabel 4 has them: its nationalities in its order, "other" for
    every other nationality, then the report's total."""
    found = {row.nationality: row for row in rows}
    total = found.pop(queries.TOTAL)
    others = [row for nationality, row in found.items() if nationality not in GROUPS]
    named = [found[g] for g in GROUPS if g in found]
    return [*named, queries.combined(OTHER, others), total]


COLUMNS = (
    ("nationality", 11),
    ("invited", 8),
    ("consent", 8),
    ("written", 8),
    ("on form", 8),
    ("physical", 9),
    ("granted", 8),
    ("unfounded", 10),
    ("manifestly", 11),
    ("inadmiss.", 10),
    ("grant", 6),
    ("est 1d/2d", 10),
    ("act 1d/2d", 10),
    ("low-lit.", 9),
    ("spoken", 7),
)


def render(rows: list[NationalityRow]) -> str:
    """The report's table (``tabel_4``) as text, one line per row; percentages rounded
    half up from the counts, as the evaluation's tables round."""
    lines = ["".join(name.rjust(width) for name, width in COLUMNS)]
    for row in tabel_4(rows):
        cells = (
            row.nationality,
            f"{row.invited:,}",
            f"{percent(row.consented, row.replied)}%",
            f"{row.held:,}",
            f"{row.decided_on_form:,}",
            f"{row.physical_hearing:,}",
            f"{row.grant:,}",
            f"{row.unfounded:,}",
            f"{row.manifestly_unfounded:,}",
            f"{row.inadmissible:,}",
            f"{percent(row.grant, row.final_outcomes)}%",
            f"{row.estimated_one_day}/{row.estimated_two_days}",
            f"{row.actual_one_day}/{row.actual_two_days_or_more}",
            f"{row.low_literacy:,}",
            f"{row.spoken_answers:,}",
        )
        lines.append("".join(c.rjust(w) for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)
