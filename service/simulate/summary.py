"""The evaluation's table per nationality, read back from the database (not from what
the replay meant to do). ``nationality_table`` is the one function the replay prints;
it is meant to be replaced by the reports domain's query once that exists."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from service.models.cases import Case, CaseEventRow
from service.models.decisions import Decision, FinalDecision, FinalOutcome, HearingHandoff
from service.models.invitations import Invitation
from service.simulate.figures import ALL_GROUPS, group_of, percent
from service.workflow import CaseEvent, CaseState


@dataclass
class GroupRow:
    group: str
    invited: int = 0
    consented: int = 0
    held: int = 0  # written hearings: forms handed in
    on_form: int = 0
    physical: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    estimated_days: Counter[int] = field(default_factory=Counter)
    actual_days: Counter[int] = field(default_factory=Counter)

    @property
    def consent_percent(self) -> int:
        return percent(self.consented, self.invited)

    @property
    def grant_percent(self) -> int:
        return percent(self.outcomes[FinalOutcome.GRANT], self.held)

    def add(self, other: "GroupRow") -> None:
        for name in ("invited", "consented", "held", "on_form", "physical"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.outcomes.update(other.outcomes)
        self.estimated_days.update(other.estimated_days)
        self.actual_days.update(other.actual_days)


def nationality_table(db: Session) -> list[GroupRow]:
    """Per Tabel-4 group, then the total: invited, consent, written hearings held,
    decided on the form vs physical hearing (with the one/two-day estimate and actual),
    final outcomes and the grant rate."""
    rows = {group: GroupRow(group) for group in ALL_GROUPS}

    def count_cases(column_name: str, *where: object, join: object = None) -> None:
        query = select(Case.nationality, func.count(distinct(Case.id))).group_by(Case.nationality)
        if join is not None:
            query = query.join(join)  # type: ignore[arg-type]
        for nationality, n in db.execute(query.where(*where)):  # type: ignore[arg-type]
            row = rows[group_of(nationality)]
            setattr(row, column_name, getattr(row, column_name) + n)

    count_cases("invited", join=Invitation)
    count_cases("consented", CaseEventRow.event == CaseEvent.CONSENT.value, join=CaseEventRow)
    handed_in = (CaseEvent.SUBMIT.value, CaseEvent.AUTO_SUBMIT.value)
    count_cases("held", CaseEventRow.event.in_(handed_in), join=CaseEventRow)
    on_form = Decision.outcome == CaseState.DECIDED_ON_FORM.value
    count_cases("on_form", on_form, join=Decision)
    count_cases("physical", join=HearingHandoff)
    outcomes = (
        select(Case.nationality, FinalDecision.outcome, func.count())
        .join(FinalDecision)
        .group_by(Case.nationality, FinalDecision.outcome)
    )
    for nationality, outcome, n in db.execute(outcomes):
        rows[group_of(nationality)].outcomes[outcome] += n
    for column, attribute in (
        (HearingHandoff.estimated_days, "estimated_days"),
        (HearingHandoff.actual_days, "actual_days"),
    ):
        days = (
            select(Case.nationality, column, func.count())
            .join(HearingHandoff)
            .where(column.is_not(None))
            .group_by(Case.nationality, column)
        )
        for nationality, value, n in db.execute(days):
            getattr(rows[group_of(nationality)], attribute)[value] += n
    total = GroupRow("total")
    for row in rows.values():
        total.add(row)
    return [*rows.values(), total]


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
)


def render(table: list[GroupRow]) -> str:
    """The table as text, one line per group."""
    lines = ["".join(name.rjust(width) for name, width in COLUMNS)]
    for row in table:
        cells = (
            row.group,
            f"{row.invited:,}",
            f"{row.consent_percent}%",
            f"{row.held:,}",
            f"{row.on_form:,}",
            f"{row.physical:,}",
            f"{row.outcomes[FinalOutcome.GRANT]:,}",
            f"{row.outcomes[FinalOutcome.UNFOUNDED]:,}",
            f"{row.outcomes[FinalOutcome.MANIFESTLY_UNFOUNDED]:,}",
            f"{row.outcomes[FinalOutcome.INADMISSIBLE]:,}",
            f"{row.grant_percent}%",
            f"{row.estimated_days[1]}/{row.estimated_days[2]}",
            f"{row.actual_days[1]}/{row.actual_days[2]}",
        )
        lines.append("".join(c.rjust(w) for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)
