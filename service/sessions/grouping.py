"""Who to bring to which session: the planner's proposal, as a pure function.

In 2020 the wrong groups were brought to a location. The proposal therefore only
places a case in a session that has an interpreter for one of the applicant's
languages (of the gender the applicant asked for, if any), at the location the
applicant can be brought to (if one is set), on a free seat. Whoever has waited
longest since consent is placed first, in the earliest session that fits.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """A consented case not yet booked."""

    case_id: uuid.UUID
    languages: tuple[str, ...]  # in the applicant's order of preference
    waiting_since: datetime
    location_id: uuid.UUID | None = None  # None: any location
    interpreter_gender: str | None = None  # None: no request


@dataclass(frozen=True)
class Slot:
    """A coming session with its interpreters and its free seats."""

    session_id: uuid.UUID
    location_id: uuid.UUID
    starts_at: datetime
    interpreters: frozenset[tuple[str, str]]  # (language, gender)
    free_seats: tuple[int, ...]


@dataclass(frozen=True)
class Placement:
    session_id: uuid.UUID
    case_id: uuid.UUID
    seat: int
    language: str


def language_for(candidate: Candidate, slot: Slot) -> str | None:
    """The applicant's first language that the session interprets (with the asked-for
    gender), or None when the session does not suit this applicant."""
    if candidate.location_id is not None and candidate.location_id != slot.location_id:
        return None
    wanted = candidate.interpreter_gender
    for language in candidate.languages:
        if any(
            lang == language and (wanted is None or gender == wanted)
            for lang, gender in slot.interpreters
        ):
            return language
    return None


def propose(slots: Iterable[Slot], candidates: Iterable[Candidate]) -> list[Placement]:
    """Place each candidate once, never on a taken seat, never beyond a session's seats."""
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.session_id))
    free: dict[uuid.UUID, list[int]] = {s.session_id: sorted(s.free_seats) for s in ordered}
    open_slots = [s for s in ordered if free[s.session_id]]
    placements = []
    for candidate in sorted(candidates, key=lambda c: (c.waiting_since, c.case_id)):
        for slot in open_slots:
            language = language_for(candidate, slot)
            if language is None:
                continue
            seats = free[slot.session_id]
            placements.append(Placement(slot.session_id, candidate.case_id, seats.pop(0), language))
            if not seats:  # full: nobody else is tried here
                open_slots.remove(slot)
            break
    return placements


def by_language(placements: Sequence[Placement]) -> dict[str, list[Placement]]:
    """The proposal grouped by language, as the planner reads it."""
    groups: dict[str, list[Placement]] = {}
    for placement in placements:
        groups.setdefault(placement.language, []).append(placement)
    return groups
