"""The iCalendar attachment of a planned session (RFC 5545, via ``icalendar``).

One UID per case's written hearing: when the case is planned in another session, the
new invitation carries the same UID and a higher SEQUENCE, so the lawyer's agenda moves
the existing entry instead of adding a second one.
"""

import uuid
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress

PRODUCT = "-//IND//Schriftelijk horen//NL"


def hearing_uid(case_id: uuid.UUID, domain: str) -> str:
    return f"written-hearing-{case_id}@{domain}"


def session_invitation(
    *,
    uid: str,
    sequence: int,
    summary: str,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    description: str,
    organizer: str,
    stamp: datetime,
) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=duration_minutes))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode()
