"""The roster of a session for the transport partner (COA) and the hosts: exactly who
to bring, as a CSV file and a printable PDF."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from service.core.templating import templates
from service.core.web import LOCAL_TIME
from service.models.sessions import HearingSession, Location, Room
from service.sessions import queries

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection):
# such a cell is prefixed with an apostrophe, which shows the text as typed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
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


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def roster_csv(roster: Roster) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in roster.lines:
        born = line.date_of_birth.isoformat() if line.date_of_birth else ""
        writer.writerow(
            safe_cell(v) for v in (line.seat, line.v_number, line.name, born, line.language)
        )
    return out.getvalue()


def roster_pdf(roster: Roster, context: dict[str, object]) -> bytes:
    """The printable roster (A4), from the same template the hosts' page uses."""
    html = templates.get_template("pdf/roster.html").render({**context, "roster": roster})
    from weasyprint import HTML  # heavy (~1 s): loaded on first use, not at start-up

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def filename(roster: Roster, suffix: str) -> str:
    return f"roster-{roster.starts:%Y%m%d-%H%M}-{roster.session.id.hex[:8]}.{suffix}"
