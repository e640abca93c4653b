"""Demo data (dev only): staff, locations, sessions and a backlog spread over the procedure.

Cases are imported and screened by the real import, then moved on by the real
services, so each one is a case the procedure could produce. Idempotent: staff
are matched by username, locations by name, cases by V-number (demo V-numbers
start with ``99``). Seeded, so every run builds the same backlog.
"""

import base64
import csv
import hashlib
import hmac
import io
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.attention import service as attention
from service.attention.schemas import DismissIn, IndicatorIn, ListIn, PublishIn
from service.auth.schemas import UserIn
from service.auth.second_factor import enrol_known_secret
from service.auth.service import actor_of, create_user, hash_password
from service.cases.importing import (
    CSV_COLUMNS,
    CSV_LIST_SEPARATOR,
    existing_v_numbers,
    import_rows,
)
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.db import unit_of_work
from service.core.settings import get_settings
from service.corrections.schemas import CorrectionItemIn
from service.decisions import service as decisions
from service.decisions.schemas import OfficerProfileIn
from service.dev.driver import STORY, Driver, complete_answers, path_to
from service.eligibility.service import active_policy
from service.models import (
    Case,
    Gender,
    HearingSession,
    IndicatorList,
    Location,
    Role,
    Room,
    SignalKind,
    User,
)
from service.models.attention import AttentionPoint, IndicatorKind, PointStatus
from service.models.corrections import ItemKind
from service.models.translation import Agency
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition
from service.sessions import service as sessions
from service.sessions.grouping import language_for
from service.sessions.queries import booked_counts, open_slots
from service.sessions.schemas import InterpreterIn, LocationIn, PreferenceIn, RoomIn, SessionIn
from service.translation import service as translation
from service.workflow import CaseState, Track

DEMO_PASSWORD = "demo-password-2026"  # printed in the summary: dev-only accounts
SEED = 2020
V_PREFIX = "99"
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

# DOMAIN.md: the backlog lodged before 1 April 2020, by nationality (seed 004, Tabel 1).
# The table adds up to 15,051; with a stock correction of 297 the backlog was 15,348.
BACKLOG: dict[str, int] = {
    "SY": 3724,
    "IR": 2324,
    "TR": 1135,
    "ER": 829,
    "unknown": 637,
    "IQ": 590,
    "NG": 576,
    "AF": 470,
    "YE": 434,
    "PK": 349,
    "other": 3983,
}
BACKLOG_CASES = 15_348

# Languages per nationality with weights. Urdu has no form, so Pakistani cases are excluded.
LANGUAGES: dict[str, tuple[tuple[str, int], ...]] = {
    "SY": (("ar", 1),),
    "IR": (("fa", 1),),
    "TR": (("tr", 3), ("ku", 1)),
    "ER": (("ti", 1),),
    "unknown": (("ar", 3), ("so", 2)),
    "IQ": (("ar", 7), ("ku", 3)),
    "NG": (("en", 1),),
    "AF": (("prs", 7), ("ps", 3)),
    "YE": (("ar", 1),),
    "PK": (("ur", 1),),
}
# The "other" group: (nationality, language, weight).
OTHER: tuple[tuple[str, str, int], ...] = (
    ("SO", "so", 5),
    ("GN", "fr", 3),
    ("MA", "ar", 3),
    ("DZ", "ar", 3),
    ("GE", "ka", 3),
    ("SD", "ar", 2),
    ("LY", "ar", 2),
    ("EG", "ar", 2),
    ("CM", "fr", 2),
    ("ET", "am", 2),
    ("RU", "ru", 1),
    ("AZ", "az", 1),
    ("stateless", "ar", 2),
)
# Per 1,000 cases of a group: known / unknown / low. Eritreans: high illiteracy.
LITERACY = {"ER": (600, 300, 100), "default": (850, 100, 50)}
SIGNAL_SOURCES = ("registration interview", "screening", "security partner")
FIRST_DAY, LAST_DAY = date(2017, 6, 1), date(2020, 3, 31)


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: Role
    email: str | None = None
    organisation: str | None = None  # a lawyer's firm, a partner's organisation
    agency: str | None = None  # a translator's agency
    location: str | None = None  # a host's location
    specialism: str | None = None  # a coordinator's motive


FIRM_A, FIRM_B = "Dekker & Van Dijk Advocaten", "Smit Mulder Advocatuur"
AGENCY_A, AGENCY_B = "Vertaalbureau Noord", "Taalhuis Zuid"
STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", "Beheerder", Role.ADMIN),
    StaffMember("planner.jansen", "Eva Jansen (verkeerstoren)", Role.PLANNER),
    StaffMember("planner.devries", "Sem de Vries (verkeerstoren)", Role.PLANNER),
    StaffMember("interpreter.tesfay", "Tesfay Gebre (tolk Tigrinya)", Role.INTERPRETER),
    StaffMember(
        "host.bakker", "Noor Bakker (gastvrouw Zevenaar)", Role.HOST, location="IND Zevenaar"
    ),
    StaffMember(
        "host.visser", "Daan Visser (gastheer Den Bosch)", Role.HOST, location="IND Den Bosch"
    ),
    StaffMember("lawyer.dekker", "mr. A. Dekker", Role.LAWYER, "a.dekker@dvd.example", FIRM_A),
    StaffMember("lawyer.vandijk", "mr. B. van Dijk", Role.LAWYER, "b.vandijk@dvd.example", FIRM_A),
    StaffMember("lawyer.smit", "mr. C. Smit", Role.LAWYER, "c.smit@smitmulder.example", FIRM_B),
    StaffMember(
        "lawyer.mulder", "mr. D. Mulder", Role.LAWYER, "d.mulder@smitmulder.example", FIRM_B
    ),
    StaffMember("translator.noord", "Vertaler Noord", Role.TRANSLATOR, agency=AGENCY_A),
    StaffMember("translator.zuid", "Vertaler Zuid", Role.TRANSLATOR, agency=AGENCY_B),
    StaffMember("officer.degroot", "Lotte de Groot (teamleider)", Role.OFFICER),
    StaffMember("officer.meijer", "Bram Meijer (senior)", Role.OFFICER),
    StaffMember("officer.bos", "Fatima Bos", Role.OFFICER),
    StaffMember("officer.extern", "Joost Willems (extern)", Role.OFFICER),
    StaffMember(
        "coordinator.lhbti", "Kim Peters (lhbti-coördinator)", Role.COORDINATOR, specialism="lgbti"
    ),
    StaffMember(
        "coordinator.bekering",
        "Ruben Vos (bekeringscoördinator)",
        Role.COORDINATOR,
        specialism="conversion",
    ),
    StaffMember("unit1f.dijkstra", "Eva Dijkstra (Unit 1F)", Role.UNIT_1F),
    # Chain partners propose questions for the form; the form owner decides (issue 20).
    StaffMember("partner.coa", "Iris Hendriks (COA)", Role.PARTNER, organisation="COA"),
    StaffMember("partner.1f", "Tom Kok (unit 1F)", Role.PARTNER, organisation="Unit 1F"),
    StaffMember("formowner", "Sanne Dijkstra (formuliereigenaar)", Role.FORM_OWNER),
)
# How a row names its lawyer: username or e-mail, both accepted by the import.
LAWYER_REFS = tuple(
    ref for s in STAFF if s.role is Role.LAWYER for ref in (s.username, s.email) if ref
)
COORDINATOR_FOR = {"lgbti": "coordinator.lhbti", "conversion": "coordinator.bekering"}
DEMO_TEAM = "Beslisteam Zevenaar"
# Decision officers' skills and seniority: a team lead, a senior who also sits in the
# hard-cases team, an officer in her first months and an external drafter (whose
# decisions go to a senior first).
OFFICER_PROFILES: dict[str, dict[str, Any]] = {
    "officer.degroot": {"senior": True, "team_lead": True, "years": 9},
    "officer.meijer": {"senior": True, "hard_cases_team": True, "years": 12},
    "officer.bos": {"years": 0},
    "officer.extern": {"external": True, "years": 3},
}

# Kiosks are counted from the rooms' seats (``create_room``).
LOCATIONS = (
    LocationIn(name="IND Zevenaar", address="Zevenaar", kiosks=0),
    LocationIn(name="IND Den Bosch", address="'s-Hertogenbosch", kiosks=0),
)
ROOMS: dict[str, tuple[RoomIn, ...]] = {
    "IND Zevenaar": tuple(RoomIn(name=f"Zaal {n}", seats=12) for n in range(1, 5)),
    "IND Den Bosch": (RoomIn(name="Zaal A", seats=16), RoomIn(name="Zaal B", seats=16)),
}
SESSION_LANGUAGES = ("ar", "fa", "tr", "ti")
# Interpreters booked per language (seed 002: applicants may ask for a woman). Turkish
# has only a male interpreter, so an applicant asking for a woman waits for another day.
INTERPRETERS: dict[str, tuple[InterpreterIn, ...]] = {
    "ar": (
        InterpreterIn(language="ar", gender=Gender.FEMALE, name="Samira Haddad"),
        InterpreterIn(language="ar", gender=Gender.MALE, name="Karim Mansour"),
    ),
    "fa": (InterpreterIn(language="fa", gender=Gender.FEMALE, name="Shirin Ahmadi"),),
    "tr": (InterpreterIn(language="tr", gender=Gender.MALE, name="Mehmet Yilmaz"),),
    "ti": (InterpreterIn(language="ti", gender=Gender.FEMALE, name="Senait Tesfamariam"),),
}
# Den Bosch's session about to start mixes two languages per room, one interpreter each.
MIXED_GROUPS = (("ar", "tr"), ("fa", "ti"))
# Sized for DEMO_SIZE cases; a larger demo gets proportionally more weeks of sessions and
# agencies that take proportionally more forms a week (``scaled``).
DEMO_SIZE = 600
WEEKS = 3
AGENCY_CAPACITY = 20  # forms a week each (the service's default)


def scaled(amount: int, total: int) -> int:
    """``amount`` for a demo of DEMO_SIZE cases, grown in proportion for a larger one."""
    return max(amount, math.ceil(amount * total / DEMO_SIZE))


# --- the backlog ----------------------------------------------------------------------------


def allocate(total: int, weights: dict[str, int] = BACKLOG) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder): each share is off
    by less than one from the exact proportion, and the shares add up to ``total``."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def backlog_rows(
    total: int, seed: int = SEED, lawyers: tuple[str, ...] = LAWYER_REFS
) -> list[dict[str, Any]]:
    """Import rows (as parsed from JSON) whose nationality mix follows the real backlog."""
    rng = random.Random(seed)
    groups = [g for g, n in allocate(total).items() for _ in range(n)]
    rng.shuffle(groups)
    v_numbers = rng.sample(range(10**8), total)
    pairs = zip(groups, v_numbers, strict=True)
    return [_row(rng, group, f"{V_PREFIX}{v:08d}", lawyers) for group, v in pairs]


def _row(rng: random.Random, group: str, v_number: str, lawyers: tuple[str, ...]) -> dict[str, Any]:
    if group == "other":
        nationality, language, _ = rng.choices(OTHER, weights=[w for *_, w in OTHER])[0]
    else:
        nationality = group
        options = LANGUAGES[group]
        language = rng.choices([lang for lang, _ in options], [w for _, w in options])[0]
    row: dict[str, Any] = {
        "v_number": v_number,
        "applicant_name": _name(rng, language),
        "date_of_birth": _birthday(rng).isoformat(),
        "nationality": nationality,
        "languages": [language],
        "date_of_application": _day(rng).isoformat(),
        "literacy": rng.choices(
            ("known", "unknown", "low"), LITERACY.get(group, LITERACY["default"])
        )[0],
        "coordinator_motives": _motives(rng, group),
    }
    if rng.random() < 0.97:  # a few have no lawyer yet and cannot be invited
        row["lawyer"] = rng.choice(lawyers)
    if rng.random() < 0.01:
        row["signals"] = [
            {"kind": rng.choice(list(SignalKind)).value, "source": rng.choice(SIGNAL_SOURCES)}
        ]
    if rng.random() < 0.03:
        row["vulnerability_notes"] = "Medical: needs a break every hour."
    return row


# Names as the IND registers them (Latin script), by the applicant's language.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ar": (
        ("Amal", "Omar", "Fatima", "Yusuf", "Rania", "Khaled", "Huda", "Samir", "Layla", "Tariq"),
        ("Haddad", "Al-Masri", "Khalil", "Nasser", "Hamdan", "Saleh", "Darwish", "Aziz"),
    ),
    "fa": (
        ("Maryam", "Reza", "Shirin", "Dariush", "Leila", "Kian", "Nasrin", "Farhad"),
        ("Ahmadi", "Hosseini", "Karimi", "Rahimi", "Moradi", "Jafari", "Rostami"),
    ),
    "tr": (
        ("Elif", "Mehmet", "Zeynep", "Mustafa", "Ayşe", "Emre", "Hatice", "Burak"),
        ("Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydin", "Öztürk"),
    ),
    "ti": (
        ("Selam", "Yonas", "Helen", "Tesfay", "Senait", "Dawit", "Luwam", "Mehari"),
        ("Tesfamariam", "Gebremedhin", "Haile", "Berhane", "Kidane", "Woldu"),
    ),
}
DEFAULT_NAMES = (
    ("Amina", "Ibrahim", "Grace", "Ali", "Sara", "Musa", "Nadia", "Daniel"),
    ("Mohamed", "Diallo", "Okafor", "Hassan", "Bah", "Abdi", "Camara"),
)


def _name(rng: random.Random, language: str) -> str:
    given, family = NAMES.get(language, DEFAULT_NAMES)
    return f"{rng.choice(given)} {rng.choice(family)}"


def _birthday(rng: random.Random) -> date:
    """Adults of 18 to 60 at the time of their application (2017-2020)."""
    return date(1958, 1, 1) + timedelta(days=rng.randrange(42 * 365))


def _day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))


def _motives(rng: random.Random, group: str) -> list[str]:
    """LGBTI now and then; conversion mostly among Iranians (and some Afghans)."""
    motives = []
    if rng.random() < 0.015:
        motives.append("lgbti")
    if rng.random() < {"IR": 0.10, "AF": 0.02}.get(group, 0.0):
        motives.append("conversion")
    return motives


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as an import CSV: lists ';'-separated, signals as 'kind:source'."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = dict(row)
        for key in ("languages", "coordinator_motives"):
            cells[key] = CSV_LIST_SEPARATOR.join(row.get(key, []))
        cells["signals"] = CSV_LIST_SEPARATOR.join(
            f"{s['kind']}:{s['source']}" for s in row.get("signals", [])
        )
        writer.writerow(cells)
    return out.getvalue()


# --- staff and locations ----------------------------------------------------------------------


def ensure_agencies(db: Session, capacity: int = AGENCY_CAPACITY) -> None:
    """Both agencies, taking at least ``capacity`` forms a week each (raised if lower)."""
    existing = {a.name: a for a in db.scalars(select(Agency))}
    for name in (AGENCY_A, AGENCY_B):
        if name not in existing:
            translation.create_agency(db, name, capacity_per_week=capacity)
        elif existing[name].capacity_per_week < capacity:
            existing[name].capacity_per_week = capacity


def ensure_staff(db: Session) -> tuple[dict[str, User], int]:
    """The demo's staff by username; returns them and how many were new.

    Translators and hosts belong to the demo's agencies and locations, made first."""
    ensure_agencies(db)
    ensure_locations(db, utcnow())
    wanted = {s.username: s for s in STAFF}
    users = {u.username: u for u in db.scalars(select(User).where(User.username.in_(wanted)))}
    missing = [s for name, s in wanted.items() if name not in users]
    # One argon2 hash for the shared dev password: sixteen would take seconds.
    password_hash = hash_password(DEMO_PASSWORD) if missing else ""
    for member in missing:
        user = create_user(db, _user_in(member), password_hash=password_hash)
        enrol_known_secret(db, user, demo_totp_secret(member.username))
        users[member.username] = user
        if member.username in OFFICER_PROFILES:
            _officer_profile(db, user, OFFICER_PROFILES[member.username])
    return users, len(missing)


def demo_totp_secret(username: str) -> str:
    """A demo account's TOTP secret: derived from the installation's secret key, so
    ``hearing demo-code <username>`` can print the current code (dev and test only)."""
    key = get_settings().secret_key.encode()
    raw = hmac.new(key, f"demo-totp:{username}".encode(), hashlib.sha256).digest()[:20]
    return base64.b32encode(raw).decode()


def demo_code(username: str) -> tuple[str, int]:
    """The current code of a demo account and the seconds it stays valid."""
    if get_settings().env == "production":
        raise RuntimeError("demo accounts have well-known codes; refused in production")
    if username not in {member.username for member in STAFF}:
        raise LookupError(f"'{username}' is not a demo account")
    generator = pyotp.TOTP(demo_totp_secret(username))
    left = generator.interval - int(time.time()) % generator.interval
    return generator.now(), left


def _officer_profile(db: Session, user: User, profile: dict[str, Any]) -> None:
    years = profile.get("years", 0)
    started = utcnow().date() - timedelta(days=max(60, 365 * years))
    marks = {k: v for k, v in profile.items() if k != "years"}
    # Every demo officer may take every file, so the demo's driver can hand them any.
    body = OfficerProfileIn(
        team=DEMO_TEAM,
        lgbti_experience=True,
        conversion_experience=True,
        started_on=started,
        **marks,
    )
    decisions.set_profile(db, user, body)


def _user_in(member: StaffMember) -> UserIn:
    return UserIn(  # the same validation and resolution as the API's user creation
        username=member.username,
        display_name=member.display_name,
        email=member.email,
        role=member.role,
        organisation=member.organisation,
        agency=member.agency,
        location=member.location,
        specialism=member.specialism,
        password=DEMO_PASSWORD,
    )


def rooms_of(location: str, copies: int = 1) -> tuple[RoomIn, ...]:
    """The location's rooms; a larger demo gets ``copies`` of each (more applicants in
    the session starting shortly, where everyone past check-in was heard)."""
    base = ROOMS[location]
    extra = (
        RoomIn(name=f"{r.name}-{n}", seats=r.seats) for n in range(2, copies + 1) for r in base
    )
    return (*base, *extra)


def ensure_locations(
    db: Session, now: datetime, weeks: int = WEEKS, room_copies: int = 1
) -> tuple[int, int]:
    """Both locations with their rooms, each with ``weeks`` of sessions when new; returns
    (locations, sessions) made."""
    existing = set(db.scalars(select(Location.name)))
    new = [data for data in LOCATIONS if data.name not in existing]
    made = 0
    for data in new:
        location = sessions.create_location(db, data)
        plan = rooms_of(data.name, room_copies)
        rooms = [sessions.create_room(db, location, room) for room in plan]
        for starts_at, room, languages in session_plan(data.name, rooms, now, weeks):
            seats = next(r.seats for r in plan if r.name == room.name)
            sessions.create_session(
                db,
                SessionIn(
                    location_id=location.id,
                    room_id=room.id,
                    starts_at=starts_at,
                    seats=seats,
                    language=languages[0],
                    interpreters=[i for lang in languages for i in INTERPRETERS[lang]],
                ),
            )
            made += 1
    return len(new), made


def session_plan(
    location: str, rooms: list[Room], now: datetime, weeks: int = WEEKS
) -> Iterator[tuple[datetime, Room, tuple[str, ...]]]:
    """A group starting shortly (the kiosk demo: one language per room at Zevenaar, two
    per room at Den Bosch), then each week one day per language in the first room."""
    soon = (now + timedelta(minutes=20)).replace(second=0, microsecond=0)
    single = len(ROOMS.get(location, rooms)) >= 4  # by the location's own rooms, not copies
    groups = [(lang,) for lang in SESSION_LANGUAGES] if single else MIXED_GROUPS
    for room, languages in zip(rooms, itertools.cycle(groups)):
        yield soon, room, languages
    today = now.astimezone(LOCAL_TZ).date()
    monday = today + timedelta(days=7 - today.weekday())
    for week in range(weeks):
        for i, language in enumerate(SESSION_LANGUAGES):
            yield _at_nine(monday + timedelta(days=7 * week + i)), rooms[0], (language,)


def _at_nine(day: date) -> datetime:
    # Converted here: a non-UTC offset would be dropped, not converted, on SQLite.
    return datetime.combine(day, clock_time(9), LOCAL_TZ).astimezone(UTC)


# --- moving cases through the procedure --------------------------------------------------------

S = CaseState


def _always(case: Case) -> bool:
    return True


def _never(case: Case) -> bool:
    return False


def _kansrijk(case: Case) -> bool:
    """Only kansrijk files wait for a decision officer; kansarm ones go to the hearing."""
    return case.track == Track.REPLACING


@dataclass(frozen=True)
class Target:
    """Leave ``per_600`` of every 600 demo cases (at least one) in ``state``."""

    state: CaseState
    per_600: int
    only: Callable[[Case], bool] = _always
    prefer: Callable[[Case], bool] = _never

    def count(self, total: int) -> int:
        return max(1, round(self.per_600 * total / 600))


# Most demanding first (track, form language, seats), so they get the candidates that fit.
SPREAD = (
    Target(S.DECIDED_ON_FORM, 4, only=_kansrijk),
    # Ordered by an officer (kansrijk), and handed over at once (kansarm).
    Target(S.PHYSICAL_HEARING_REQUIRED, 2, only=_kansrijk),
    Target(S.PHYSICAL_HEARING_REQUIRED, 2, only=lambda c: c.track == Track.PREPARATORY),
    Target(S.CLAIMED, 2, only=_kansrijk),
    Target(S.READY_FOR_DECISION, 2, only=_kansrijk, prefer=lambda c: bool(c.coordinator_motives)),
    Target(S.READY_FOR_DECISION, 6, only=_kansrijk),
    Target(S.WITH_LAWYER, 8),
    Target(S.IN_TRANSLATION, 8),
    Target(S.EXCLUDED, 1),
    Target(S.SUBMITTED, 4),
    Target(S.IN_PROGRESS, 6),
    Target(S.CHECKED_IN, 4),
    Target(S.SCHEDULED, 40),
    Target(S.WITHDRAWN, 1),
    Target(S.CONSENTED, 25),
    Target(S.DECLINED, 30),
    Target(S.INVITED, 40),
)


@dataclass
class Slot:
    session: HearingSession
    free: int


@dataclass
class Seats:
    """Free seats in future sessions per language, earliest first."""

    # Sessions starting before this are open for check-in now.
    check_in_open_until: datetime
    slots: dict[str, list[Slot]] = field(default_factory=dict)

    @classmethod
    def load(cls, db: Session, now: datetime) -> "Seats":
        booked = booked_counts(db)
        opens = timedelta(minutes=get_settings().check_in_opens_minutes)
        seats = cls(check_in_open_until=now + opens)
        query = (
            select(HearingSession)
            .join(Location, Location.id == HearingSession.location_id)
            .where(
                Location.name.in_([data.name for data in LOCATIONS]),
                HearingSession.starts_at > now + timedelta(minutes=5),
            )
            .order_by(HearingSession.starts_at)
        )
        for hearing in db.scalars(query):
            free = hearing.seats - booked.get(hearing.id, 0)
            if free > 0:
                slot = Slot(hearing, free)  # one count of free seats for all its languages
                spoken = {lang for lang, _ in sessions.interpreters_of(db, hearing.id)}
                for language in sorted(spoken):
                    seats.slots.setdefault(language, []).append(slot)
        return seats

    def take(self, language: str, check_in_now: bool = False) -> HearingSession | None:
        """A seat for the language; ``check_in_now``: in a session open for check-in."""
        for slot in self.slots.get(language, []):
            later = slot.session.starts_at > self.check_in_open_until
            if slot.free > 0 and not (check_in_now and later):
                slot.free -= 1
                return slot.session
        return None


@dataclass
class DemoCast:
    """The demo staff, the work of a role spread over its members, stable per case."""

    staff: dict[str, User]

    def actor(self, role: Role, case: Case) -> Actor:
        names = sorted(s.username for s in STAFF if s.role is role)
        return actor_of(self.staff[names[int(case.v_number) % len(names)]])

    def host(self, location_id: Any) -> Actor:
        return actor_of(next(u for u in self.staff.values() if u.location_id == location_id))

    def translator(self, agency_id: Any) -> Actor:
        return actor_of(next(u for u in self.staff.values() if u.agency_id == agency_id))

    def coordinator(self, motive: str) -> Actor:
        return actor_of(self.staff[COORDINATOR_FOR[motive]])

    def senior(self, drafter: Actor) -> Actor:
        """A senior other than the drafter reviews (four eyes)."""
        seniors = [n for n, p in OFFICER_PROFILES.items() if p.get("senior")]
        return actor_of(next(self.staff[n] for n in seniors if self.staff[n].id != drafter.user_id))


@dataclass
class Procedure:
    """Picks demo cases that fit each target and drives them there (``service.dev.driver``)."""

    driver: Driver
    lawyers: set[Any]
    kiosk_languages: frozenset[str]
    seats: Seats
    rng: random.Random
    booked_on: dict[Any, HearingSession] = field(default_factory=dict)

    def fits(self, case: Case, target: CaseState) -> bool:
        """Reserve what the path needs (a seat, a form language); False if unavailable."""
        path = path_to(target)
        if case.lawyer_id not in self.lawyers:
            return False
        language = case.languages[0]
        if S.CHECKED_IN in path and language not in self.kiosk_languages:
            return False
        if S.SCHEDULED in path:
            hearing = self.seats.take(language, check_in_now=S.CHECKED_IN in path)
            if hearing is None:
                return False
            self.booked_on[case.id] = hearing
        return True

    def drive(self, case: Case, target: CaseState) -> None:
        self.driver.drive(case, target)
        if target is S.IN_PROGRESS:  # the applicant has saved a first answer or two
            answers = complete_answers(self.driver.form)
            questionnaires.save(self.driver.db, case.id, dict(list(answers.items())[:2]))


def _corrections(
    rng: random.Random, form: FormDefinition
) -> Callable[[Case], list[CorrectionItemIn] | None]:
    """Half the lawyers send corrections and additions, half have none."""

    def respond(case: Case) -> list[CorrectionItemIn] | None:
        if rng.random() < 0.5:
            return None
        return [
            CorrectionItemIn(
                kind=ItemKind.TRANSLATION, answer_key=form.questions[0].id, text="Spelling."
            ),
            CorrectionItemIn(kind=ItemKind.ADDITION, text="Statement of the client's sister."),
        ]

    return respond


# What the demo's applicants write in the open questions: mostly nothing unit 1F looks
# for, some naming a place or an organisation on the demo's indicator list, so the
# unit's pages and the attention points' report have something to show.
STORIES = {
    "SY": "I was held for two weeks at Sednaya prison in 2013; my cousin is still there.",
    "IR": "My brother served with the Basij; they came to our house to take me as well.",
}


DEMO_INDICATORS = (
    IndicatorIn(
        kind=IndicatorKind.PLACE,
        language="ar",
        text="صيدنايا",
        text_nl="Saydnaya",
        variants=["Sednaya", "Saidnaya"],
        reason="Military prison; staff there may fall under 1F.",
    ),
    IndicatorIn(
        kind=IndicatorKind.ORGANISATION,
        language="fa",
        text="بسیج",
        text_nl="Basij",
        variants=["Basiji"],
        reason="Paramilitary force; members may fall under 1F.",
    ),
)


def _story(case: Case) -> str:
    """Half the applicants of a nationality with a story tell it; the rest do not."""
    told = int(hashlib.sha256(case.v_number.encode()).hexdigest(), 16) % 2 == 0
    return STORIES.get(case.nationality, STORY) if told else STORY


def ensure_indicator_list(db: Session, keeper: User) -> None:
    """Unit 1F's demo list, published before any answer is translated (so matched)."""
    name = "Demo: plaatsen en organisaties"
    if db.scalar(select(IndicatorList.id).where(IndicatorList.name == name)):
        return
    actor = actor_of(keeper)
    made = attention.create_list(db, actor, ListIn(name=name, keeper="Unit 1F"))
    for indicator in DEMO_INDICATORS:
        attention.add_indicator(db, actor, made, indicator)
    attention.publish(db, actor, made, PublishIn(note="Demo list"))


def review_one_point(db: Session, keeper: User) -> None:
    """Unit 1F sets one point aside, so the report shows a dismissal beside open points
    (once: a second run of the demo leaves the points as they are)."""
    if db.scalar(select(AttentionPoint.id).where(AttentionPoint.status != PointStatus.OPEN)):
        return
    found = db.scalars(
        select(AttentionPoint)
        .where(AttentionPoint.status == PointStatus.OPEN)
        .order_by(AttentionPoint.found_at, AttentionPoint.id)
        .limit(1)
    ).first()
    if found is not None:
        reason = "Named as the place where the applicant was held, not where he served."
        attention.dismiss(db, actor_of(keeper), found, DismissIn(reason=reason))


def _kiosk_languages(form: FormDefinition) -> frozenset[str]:
    return frozenset(form.languages) & active_policy().form_languages & set(SESSION_LANGUAGES)


def spread(procedure: Procedure, pool: list[Case], total: int) -> None:
    """Move pool cases to every target state, as far as candidates and seats allow.

    One case per target first, so every stage shows even when seats run short."""
    taken: set[Any] = set()
    for first_pass in (True, False):
        for target in SPREAD:
            wanted = 1 if first_pass else target.count(total) - 1
            for case in _choose(procedure, pool, taken, target, wanted):
                taken.add(case.id)
                procedure.drive(case, target.state)


def _choose(
    procedure: Procedure, pool: list[Case], taken: set[Any], target: Target, wanted: int
) -> list[Case]:
    candidates = sorted(
        (c for c in pool if c.id not in taken and target.only(c)),
        key=lambda c: not target.prefer(c),
    )
    chosen: list[Case] = []
    for case in candidates:
        if len(chosen) == wanted:
            break
        if procedure.fits(case, target.state):
            chosen.append(case)
    return chosen


def plan_examples(db: Session, pool: list[Case], planner: User) -> None:
    """What the planner's pages show: consented applicants who asked for a female
    interpreter or can only be brought to Den Bosch, and a booking moved to a later
    session (its earlier booking kept as history)."""
    actor = actor_of(planner)
    consented = [c for c in pool if c.state == CaseState.CONSENTED]
    den_bosch = db.scalar(select(Location.id).where(Location.name == LOCATIONS[1].name))
    for i, case in enumerate(consented):
        if i % 3 == 0:
            wish = PreferenceIn(interpreter_gender=Gender.FEMALE)
            sessions.set_preference(db, case, wish)
        elif i % 5 == 1:
            sessions.set_preference(db, case, PreferenceIn(location_id=den_bosch))
    slots = open_slots(db)
    for case in pool:
        booking = sessions.active_booking_for(db, case.id) if case.state == S.SCHEDULED else None
        if booking is None:
            continue
        current = db.get_one(HearingSession, booking.session_id)
        applicant = sessions.candidate_for(db, case)
        for slot in slots:
            later = slot.starts_at > current.starts_at and slot.location_id == current.location_id
            if later and slot.free_seats and language_for(applicant, slot):
                target = db.get_one(HearingSession, slot.session_id)
                reason = "applicant has a doctor's appointment"
                sessions.move_booking(db, booking, target, actor, reason=reason)
                return


# --- the entry point ---------------------------------------------------------------------------


def load_demo_data(cases: int = 600, session: Session | None = None) -> dict[str, Any]:
    """Fill the database; with ``session`` only flush (the caller owns the transaction)."""
    if get_settings().env == "production":
        raise RuntimeError("demo data has well-known passwords; refused in production")
    started = time.perf_counter()
    with _transaction(session) as db:
        summary = _load(db, cases)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


@contextmanager
def _transaction(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
        session.flush()
        return
    with unit_of_work() as db:
        yield db


def _load(db: Session, total: int) -> dict[str, Any]:
    now = utcnow()
    # Seats and translations in proportion to the cases asked for (the spread is too).
    ensure_agencies(db, capacity=scaled(AGENCY_CAPACITY, total))
    locations_made, sessions_made = ensure_locations(
        db, now, weeks=scaled(WEEKS, total), room_copies=scaled(1, total)
    )
    staff, users_made = ensure_staff(db)
    rows = backlog_rows(total)
    wanted = [r["v_number"] for r in rows]
    before = existing_v_numbers(db, wanted)
    planner = staff["planner.jansen"]
    ensure_indicator_list(db, staff["unit1f.dijkstra"])
    report = import_rows(db, rows, Actor(role=planner.role, user_id=planner.id))
    demo_cases = _cases(db, wanted)
    # Only this run's cases move on: a second run leaves earlier ones where they are.
    pool = [c for c in demo_cases if c.v_number not in before and c.state == CaseState.SCREENED]
    form = questionnaires.policy_form()
    rng = random.Random(SEED)
    seats = Seats.load(db, now)
    booked_on: dict[Any, HearingSession] = {}
    driver = Driver(
        db,
        DemoCast(staff),
        form,
        seat=lambda case: booked_on[case.id],
        agency=lambda case: (AGENCY_A, AGENCY_B)[int(case.v_number) % 2],
        corrections=_corrections(rng, form),
        story=_story,
    )
    lawyers = {u.id for u in staff.values() if u.role == Role.LAWYER}
    procedure = Procedure(driver, lawyers, _kiosk_languages(form), seats, rng, booked_on)
    random.Random(SEED).shuffle(pool)
    spread(procedure, pool, total)
    plan_examples(db, pool, planner)
    review_one_point(db, staff["unit1f.dijkstra"])
    return {
        "dev_only_password": DEMO_PASSWORD,
        "second_factor": "the code for any login below: hearing demo-code <username>",
        "logins": [_login(member) for member in STAFF],
        "created": {
            "users": users_made,
            "locations": locations_made,
            "sessions": sessions_made,
            "cases": report.created,
        },
        "import": {
            "rows": report.rows,
            "skipped_existing": report.skipped_existing,
            "failed": report.failed,
            "screened": dict(report.screened),
        },
        "states": dict(sorted(Counter(c.state for c in demo_cases).items())),
        "kiosk_codes": _still_at_kiosk(demo_cases, driver.kiosk_codes),
        "form": f"{form.id} v{form.version}",
    }


def _login(member: StaffMember) -> dict[str, str | None]:
    return {
        "username": member.username,
        "role": member.role,
        "organisation": member.organisation,
        "agency": member.agency,
        "location": member.location,
        "email": member.email,
    }


def _still_at_kiosk(demo_cases: list[Case], codes: dict[str, str]) -> dict[str, str]:
    """This run's kiosk codes (valid a few hours) of applicants checked in, form not started."""
    waiting = {c.v_number for c in demo_cases if c.state == CaseState.CHECKED_IN}
    return {v_number: code for v_number, code in codes.items() if v_number in waiting}


def _cases(db: Session, v_numbers: list[str]) -> list[Case]:
    found: list[Case] = []
    for start in range(0, len(v_numbers), 900):  # under SQLite's bound-parameter limit
        chunk = v_numbers[start : start + 900]
        found.extend(db.scalars(select(Case).where(Case.v_number.in_(chunk))))
    return sorted(found, key=lambda c: c.v_number)
