"""The planner's proposal, checked on random planning situations (hypothesis): it
never puts more people in a session than it has free seats, never a seat twice, never
a case twice, never an applicant in a session without an interpreter for one of their
languages (of the gender they asked for), never at a location they cannot be brought
to, and it leaves nobody out who would still fit somewhere."""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from service.sessions.grouping import Candidate, Placement, Slot, by_language, language_for, propose

LANGUAGES = ("ar", "fa", "ti", "tr")
GENDERS = ("female", "male")
LOCATIONS = tuple(uuid.UUID(int=i) for i in range(1, 4))
START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@st.composite
def slots(draw: st.DrawFn) -> Slot:
    seats = draw(st.integers(1, 8))
    free = draw(st.sets(st.integers(1, seats)))
    return Slot(
        session_id=uuid.UUID(int=draw(st.integers(0, 2**64))),
        location_id=draw(st.sampled_from(LOCATIONS)),
        starts_at=START + timedelta(hours=draw(st.integers(0, 200))),
        interpreters=frozenset(
            draw(st.sets(st.tuples(st.sampled_from(LANGUAGES), st.sampled_from(GENDERS))))
        ),
        free_seats=tuple(sorted(free)),
    )


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    return Candidate(
        case_id=uuid.UUID(int=draw(st.integers(0, 2**64))),
        languages=tuple(
            draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
        ),
        waiting_since=START - timedelta(days=draw(st.integers(0, 60))),
        location_id=draw(st.none() | st.sampled_from(LOCATIONS)),
        interpreter_gender=draw(st.none() | st.sampled_from(GENDERS)),
    )


situations = st.tuples(
    st.lists(slots(), max_size=6, unique_by=lambda s: s.session_id),
    st.lists(candidates(), max_size=40, unique_by=lambda c: c.case_id),
)


@given(situations)
def test_never_more_than_the_free_seats_and_never_a_seat_twice(situation):
    sessions, waiting = situation
    placements = propose(sessions, waiting)
    free = {s.session_id: set(s.free_seats) for s in sessions}
    per_session = Counter(p.session_id for p in placements)
    for session_id, count in per_session.items():
        assert count <= len(free[session_id])
    seats = [(p.session_id, p.seat) for p in placements]
    assert len(seats) == len(set(seats))
    assert all(p.seat in free[p.session_id] for p in placements)


@given(situations)
def test_every_case_at_most_once_and_only_where_an_interpreter_speaks_its_language(situation):
    sessions, waiting = situation
    placements = propose(sessions, waiting)
    by_id = {s.session_id: s for s in sessions}
    wanted = {c.case_id: c for c in waiting}
    assert len({p.case_id for p in placements}) == len(placements)
    for p in placements:
        candidate, slot = wanted[p.case_id], by_id[p.session_id]
        assert p.language in candidate.languages
        genders = {g for language, g in slot.interpreters if language == p.language}
        assert genders, "a language without an interpreter"
        if candidate.interpreter_gender:
            assert candidate.interpreter_gender in genders
        if candidate.location_id:
            assert candidate.location_id == slot.location_id


@given(situations)
def test_nobody_left_out_who_would_still_fit(situation):
    sessions, waiting = situation
    placements = propose(sessions, waiting)
    placed = {p.case_id for p in placements}
    used = Counter(p.session_id for p in placements)
    for candidate in waiting:
        if candidate.case_id in placed:
            continue
        for slot in sessions:
            if language_for(candidate, slot) is not None:
                assert used[slot.session_id] == len(slot.free_seats), "a fitting seat left free"


def test_the_longest_waiting_goes_first_and_groups_read_by_language():
    location = LOCATIONS[0]
    slot = Slot(
        uuid.uuid4(), location, START, frozenset({("ar", "female"), ("fa", "male")}), (2, 5)
    )
    early, late, farsi = (
        Candidate(uuid.uuid4(), ("ar",), START - timedelta(days=9)),
        Candidate(uuid.uuid4(), ("ar",), START - timedelta(days=1)),
        Candidate(uuid.uuid4(), ("fa", "ar"), START - timedelta(days=5), location, "female"),
    )

    placements = propose([slot], [late, farsi, early])

    # Farsi has only a male interpreter: the applicant who asked for a woman gets the
    # Arabic one (her second language); the latest Arabic speaker finds no seat left.
    assert placements == [
        Placement(slot.session_id, early.case_id, 2, "ar"),
        Placement(slot.session_id, farsi.case_id, 5, "ar"),
    ]
    assert list(by_language(placements)) == ["ar"]
    elsewhere = Candidate(uuid.uuid4(), ("ar",), START, LOCATIONS[1])
    assert language_for(elsewhere, slot) is None
