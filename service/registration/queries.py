"""Reads of the written registration interview: who may be selected, the prepared files,
and the figures (how many, how long) the reports link to."""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models.cases import Case, CaseEventRow
from service.models.registration import RegistrationFile
from service.workflow import CaseEvent, CaseState, Track

# Newly registered: imported, not screened for the hearing yet.
SELECTABLE = CaseState.IMPORTED
PAGE_SIZE = 100


def selectable(db: Session, limit: int = PAGE_SIZE) -> list[Case]:
    """Newly registered applicants a planner may select, oldest application first."""
    return list(
        db.scalars(
            select(Case)
            .where(Case.state == SELECTABLE, Case.anonymised_at.is_(None))
            .order_by(Case.date_of_application, Case.v_number)
            .limit(limit)
        )
    )


def prepared_files(
    db: Session, limit: int = PAGE_SIZE, offset: int = 0
) -> list[tuple[RegistrationFile, Case]]:
    """The prepared files, newest first, with their case."""
    rows = db.execute(
        select(RegistrationFile, Case)
        .join(Case, Case.id == RegistrationFile.case_id)
        .order_by(RegistrationFile.prepared_at.desc(), RegistrationFile.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class Figures:
    """How many cases took the written registration interview and how long it took."""

    selected: int  # ever selected (the event), whatever became of the case
    underway: int  # selected, not prepared yet and still on the registration track
    prepared: int  # prepared files
    mean_days_to_prepared: float | None  # selection to prepared file
    median_days_to_prepared: float | None
    mean_days_translation: float | None  # handed in to prepared file (the agency's part)


def _days(spans: list[float]) -> tuple[float | None, float | None]:
    if not spans:
        return None, None
    return round(sum(spans) / len(spans), 1), round(median(spans), 1)


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def figures(db: Session) -> Figures:
    selected = db.scalar(
        select(func.count(func.distinct(CaseEventRow.case_id))).where(
            CaseEventRow.event == CaseEvent.SELECT_FOR_REGISTRATION.value
        )
    )
    underway = db.scalar(
        select(func.count(Case.id)).where(
            Case.track == Track.REGISTRATION.value,
            Case.state.not_in([CaseState.REGISTRATION_PREPARED]),
        )
    )
    times = db.execute(
        select(
            RegistrationFile.selected_at,
            RegistrationFile.submitted_at,
            RegistrationFile.prepared_at,
        )
    ).all()
    whole = [s for row in times if (s := _span(row.selected_at, row.prepared_at)) is not None]
    translating = [
        s for row in times if (s := _span(row.submitted_at, row.prepared_at)) is not None
    ]
    mean, middle = _days(whole)
    return Figures(
        selected=selected or 0,
        underway=underway or 0,
        prepared=len(times),
        mean_days_to_prepared=mean,
        median_days_to_prepared=middle,
        mean_days_translation=_days(translating)[0],
    )
