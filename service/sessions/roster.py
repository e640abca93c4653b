"""The roster of a session for the transport partner (COA) and the hosts: exactly who
to bring, as a CSV file and a printable PDF."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from service.core.formatting import LOCAL_TIME
from service.core.spreadsheet import csv_text
from service.core.templating import templates
from service.models.sessions import HearingSession, Location, Room
from service.sessions import queries

HEADER = ("seat", "v_number", "name", "date_of_birth", "language")


@dataclass(frozen=True)
class RosterLine:
    seat: int
    v_number: str
    name: str
    date_of_birth: date | None
    language: str


@dataclass(frozen=True)
class Roster:
    session: HearingSession
    location: Location
    room: Room | None
    lines: Sequence[RosterLine]

    @property
    def starts(self) -> datetime:
        return self.session.starts_at.astimezone(LOCAL_TIME)


def roster_of(db: Session, session: HearingSession) -> Roster:
    lines = [
        RosterLine(
            seat=booking.seat,
            v_number=case.v_number,
            name=case.applicant_name,
            date_of_birth=case.date_of_birth,
            language=booking.language or session.language,
        )
        for booking, case in queries.seat_list(db, session.id)
    ]
    location = db.get_one(Location, session.location_id)
    room = db.get(Room, session.room_id) if session.room_id else None
    return Roster(session=session, location=location, room=room, lines=lines)


def roster_csv(roster: Roster) -> str:
    """Every field quoted, no cell a spreadsheet would evaluate (``core/spreadsheet``)."""
    return csv_text(
        HEADER,
        (
            (
                line.seat,
                line.v_number,
                line.name,
                line.date_of_birth.isoformat() if line.date_of_birth else "",
                line.language,
            )
            for line in roster.lines
        ),
    )


def roster_pdf(roster: Roster, context: dict[str, object]) -> bytes:
    """The printable roster (A4), from the same template the hosts' page uses."""
    html = templates.get_template("pdf/roster.html").render({**context, "roster": roster})
    from weasyprint import HTML  # heavy (~1 s): loaded on first use, not at start-up

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def filename(roster: Roster, suffix: str) -> str:
    return f"roster-{roster.starts:%Y%m%d-%H%M}-{roster.session.id.hex[:8]}.{suffix}"
