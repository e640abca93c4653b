"""The reports' shapes: one model per table, the same for the JSON API, the pages, the
exports and the PDF. Counts only: no names, no V-numbers, no case ids."""

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from service.terms.policy import start_of_day


class Period(BaseModel):
    """Whole days in Dutch local time, both ends included."""

    start: date = Field(description="First day (local date)")
    end: date = Field(description="Last day (local date), included")

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[from, until): the UTC moments of the first day's start and the day after."""
        return start_of_day(self.start), start_of_day(self.end + timedelta(days=1))


Count = Annotated[int, Field(ge=0)]


class NationalityRow(BaseModel):
    """The evaluation's table (Tabel 4) for one nationality, or the total (``nationality``
    "total"). Each figure counts the cases whose milestone fell in the period."""

    nationality: str
    selected: Count = Field(description="Screened eligible for a written hearing")
    invited: Count = Field(description="Invitation sent to the lawyer")
    replied: Count = Field(description="Invitations answered: consent, decline or no reply")
    consented: Count
    consent_rate: float | None = Field(description="consented / replied (0..1)")
    held: Count = Field(description="Written hearings held: forms handed in")
    decided_on_form: Count
    physical_hearing: Count = Field(description="Physical hearing (nader gehoor) ordered")
    granted_on_form: Count = Field(description="Decided on the form: granted (inwilliging)")
    intended_rejection: Count = Field(
        description="Decided on the form: intended rejection (voornemen), the regular route follows"
    )
    final_outcomes: Count = Field(
        description="Final outcomes recorded: after a grant on the form, or when the regular "
        "procedure that followed (intended rejection, physical hearing) ended"
    )
    grant: Count = Field(description="Final outcome: granted (inwilliging)")
    unfounded: Count = Field(description="Final outcome: unfounded (ongegrond)")
    manifestly_unfounded: Count = Field(
        description="Final outcome: manifestly unfounded (kennelijk ongegrond)"
    )
    inadmissible: Count = Field(description="Final outcome: inadmissible (niet-ontvankelijk)")
    grant_rate: float | None = Field(description="grant / final outcomes recorded (0..1)")
    estimated_one_day: Count = Field(description="Physical hearings estimated at one day")
    estimated_two_days: Count
    actual_recorded: Count = Field(description="Physical hearings whose actual days are recorded")
    actual_one_day: Count
    actual_two_days_or_more: Count
    low_literacy: Count = Field(
        description="Applicants checked in in low-literacy mode (questions read aloud)"
    )
    spoken_answers: Count = Field(
        description="Answers given by speaking: the voice recordings kept (the retention job "
        "deletes an anonymised case's recordings, so they no longer count)"
    )
    assisted_filling: Count = Field(
        description="Applicants for whom a host or interpreter could type the answers "
        "(assisted filling, with their consent), counted when it was switched on",
    )


class StepTime(BaseModel):
    step: str
    cases: Count
    median_days: float | None
    p90_days: float | None
    within_six_weeks: float | None = Field(
        None, description="Share done within 42 days (the whole procedure only)"
    )


class Comparison(BaseModel):
    """The estimate of time saved, with what it was computed from."""

    regular_source: str = Field(description="'recorded' or 'configured baseline'")
    regular_cases: Count
    regular_throughput_days: float
    regular_handling_hours: float
    written_throughput_days: float | None
    written_handling_hours: float | None
    decided_on_form: Count
    throughput_days_saved_per_case: float | None
    handling_hours_saved_per_case: float | None
    handling_hours_saved_total: float | None


class TimeReport(BaseModel):
    steps: list[StepTime]
    handling_cases: Count = Field(description="Decided cases with recorded work intervals")
    handling_median_hours: float | None
    handling_p90_hours: float | None
    handling_mean_hours: float | None
    comparison: Comparison
    distribution: list[tuple[str, int]] = Field(description="Whole procedure in days: (bin, cases)")


class HeldStep(BaseModel):
    state: str
    cases: Count
    median_days: float | None
    longest_days: float | None


class Overdue(BaseModel):
    party: str
    step: str
    terms: Count


class Declines(BaseModel):
    reason: str = Field(
        description="The lawyer's decline reason (the invitations' decline_reason), "
        "not_recorded (declined before reasons were asked), expired, cancelled or withdrawn"
    )
    invitations: Count


class WhereReport(BaseModel):
    held: list[HeldStep] = Field(description="Open cases per stage, longest median first")
    overdue: list[Overdue]
    declines: list[Declines]


class Flow(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W49")
    inflow: Count = Field(description="Invited in the week")
    outflow: Count = Field(description="Decided in the week")


class Report(BaseModel):
    """Everything one report page, export or PDF shows, for one period."""

    period: Period
    generated_at: datetime
    nationalities: list[NationalityRow]
    funnel: list[tuple[str, int]]
    time: TimeReport
    where: WhereReport
    flow: list[Flow]
    stock: list[tuple[str, int]] = Field(description="Open cases per stage now")
