"""Accounts, sign-in (bearer tokens for the API, sessions for browsers), kiosk codes.

Secrets (tokens, session cookies, kiosk codes) are stored only as keyed digests.
Sign-in is throttled (``throttle``: per account and client together, a pace per
account, a budget per client), and an unknown account costs the same time as a wrong
password, so timing does not tell which accounts exist.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, Select, bindparam, select, update
from sqlalchemy.orm import Session

from service.auth import passwords, second_factor, throttle
from service.auth.digest import argon2_hasher, digest
from service.auth.exceptions import (
    BadCredentials,
    KioskCodeInvalid,
    ResetLinkInvalid,
    SecondFactorNotEnrolled,
    UnknownAgency,
    UnknownLocation,
    UnknownSession,
    UnknownUser,
    UsernameTaken,
    WeakPassword,
)
from service.auth.schemas import TokenOut, UserIn
from service.core.actor import Actor
from service.core.clock import as_utc, utcnow
from service.core.errors import InvalidInput
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.settings import get_settings
from service.models.auth import ApiToken, PasswordResetLink, Role, User, WebSession
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, KioskCode, Location, Seat
from service.models.translation import Agency
from service.workflow import AT_THE_KIOSK

_hasher = argon2_hasher()
# Verified when the account does not exist, so that costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# Kiosk codes are read aloud and typed by applicants: no look-alike characters.
KIOSK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The cookie a host puts on a kiosk when registering it on its seat (long-lived: it
# survives a restart of the kiosk's browser).
KIOSK_DEVICE_COOKIE = "kiosk-device"
KIOSK_DEVICE_DAYS = 365


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# --- accounts -----------------------------------------------------------------------------


def create_user(db: Session, data: UserIn, password_hash: str | None = None) -> User:
    """A new account; ``password_hash`` saves hashing one shared dev password again."""
    if data.role is Role.APPLICANT:
        raise InvalidInput("Applicants have no account; they sign in with a kiosk code.")
    if db.scalar(select(User.id).where(User.username == data.username)):
        raise UsernameTaken(N_("This username is taken."), field="username")
    if data.role is Role.COORDINATOR and data.specialism is None:
        raise InvalidInput(
            N_("Choose the motive this coordinator is consulted on."),
            code="specialism_missing",
            field="specialism",
        )
    if data.role is Role.PARTNER and not (data.organisation or "").strip():
        raise InvalidInput(
            N_("Enter the chain partner this account proposes for (COA, unit 1F, ...)."),
            code="organisation_missing",
            field="organisation",
        )
    user = User(
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        role=data.role,
        organisation=data.organisation,
        agency_id=_agency_id(db, data) if data.role is Role.TRANSLATOR else None,
        location_id=_location_id(db, data) if data.role is Role.HOST else None,
        specialism=data.specialism if data.role is Role.COORDINATOR else None,
        password_hash=password_hash or hash_password(_acceptable(data.password, data)),
    )
    db.add(user)
    db.flush()
    return user


def _acceptable(password: str, data: UserIn | User) -> str:
    """``password``, if it passes the rule for this person (``passwords.judge``)."""
    verdict = passwords.judge(password, _about(data))
    if not verdict.ok:
        assert verdict.problem is not None
        raise WeakPassword(verdict.problem)
    return password


def _about(person: UserIn | User) -> list[str]:
    """What an attacker knows about a person and tries first in a password."""
    known = [person.username, person.display_name, person.email or "", person.organisation or ""]
    return [value for value in known if value]


def _agency_id(db: Session, data: UserIn) -> uuid.UUID:
    agency = db.scalar(select(Agency.id).where(Agency.name == data.agency)) if data.agency else None
    if agency is None:
        raise UnknownAgency(N_("Choose the agency this translator works for."), field="agency")
    return agency


def _location_id(db: Session, data: UserIn) -> uuid.UUID:
    found = db.scalar(select(Location.id).where(Location.name == data.location))
    if found is None:
        raise UnknownLocation(N_("Choose the location this host works at."), field="location")
    return found


def get_user(db: Session, user_id: uuid.UUID) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise UnknownUser(in_english(N_("No user %(user)s."), user=user_id))
    return user


def set_active(db: Session, user: User, active: bool) -> None:
    """Deactivating signs the user out everywhere at once: tokens and browser sessions."""
    user.active = active
    if not active:
        sign_out_everywhere(db, user)
    db.flush()


def sign_out_everywhere(
    db: Session, user: User, *, keep_session: str | None = None, keep_token: str | None = None
) -> None:
    """End every browser session and revoke every token of ``user`` at once, except the
    one the user is acting through (``keep_*``: its secret) when they change a password."""
    now = utcnow()
    tokens = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token:
        tokens = tokens.where(ApiToken.token_hash != digest(keep_token))
    db.execute(tokens.values(revoked_at=now))
    browsers = update(WebSession).where(
        WebSession.user_id == user.id, WebSession.ended_at.is_(None)
    )
    if keep_session:
        browsers = browsers.where(WebSession.secret_hash != digest(keep_session))
    db.execute(browsers.values(ended_at=now))


def reset_second_factor(db: Session, user: User) -> None:
    """A lost phone: the second factor and recovery codes are forgotten and every session
    ends; the next sign-in with the password leads to a new enrolment."""
    second_factor.reset(db, user)
    sign_out_everywhere(db, user)


# --- passwords ----------------------------------------------------------------------------


def change_password(
    db: Session,
    user: User,
    current: str,
    new: str,
    client: str,
    *,
    keep_session: str | None = None,
    keep_token: str | None = None,
) -> None:
    """A new password, given the current one; every other session and token ends."""
    authenticate(db, user.username, current, client)
    _set_password(db, user, new)
    sign_out_everywhere(db, user, keep_session=keep_session, keep_token=keep_token)


def _set_password(db: Session, user: User, new: str) -> None:
    user.password_hash = hash_password(_acceptable(new, user))
    db.flush()


@dataclass(frozen=True)
class ResetLink:
    path: str  # shown once to the administrator, who hands it over; stored as a digest
    expires_at: datetime


RESET_PATH = "/reset-password/"


def issue_reset_link(db: Session, user: User, admin: Actor) -> ResetLink:
    """A one-time link to set a new password, valid for a short while; earlier links of
    this user stop working."""
    now = utcnow()
    db.execute(
        update(PasswordResetLink)
        .where(PasswordResetLink.user_id == user.id, PasswordResetLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=get_settings().reset_link_minutes)
    db.add(
        PasswordResetLink(
            user_id=user.id,
            token_hash=digest(token),
            issued_by=admin.user_id,
            expires_at=expires_at,
        )
    )
    db.flush()
    return ResetLink(RESET_PATH + token, expires_at)


def user_of_reset_link(db: Session, token: str) -> User:
    """The active user a live, unused link is for."""
    user = db.scalar(
        select(User)
        .join(PasswordResetLink, PasswordResetLink.user_id == User.id)
        .where(
            PasswordResetLink.token_hash == digest(token),
            PasswordResetLink.used_at.is_(None),
            PasswordResetLink.expires_at > utcnow(),
            User.active.is_(True),
        )
    )
    if user is None:
        raise ResetLinkInvalid("This link is unknown, used or expired. Ask for a new one.")
    return user


def use_reset_link(db: Session, token: str, new: str) -> User:
    """Set the new password and spend the link (one conditional UPDATE: used once)."""
    user = user_of_reset_link(db, token)
    _set_password(db, user, new)  # refuses a weak password before the link is spent
    spent = db.execute(
        update(PasswordResetLink)
        .where(PasswordResetLink.token_hash == digest(token), PasswordResetLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not spent.rowcount:  # type: ignore[attr-defined]
        raise ResetLinkInvalid("This link is unknown, used or expired. Ask for a new one.")
    sign_out_everywhere(db, user)
    return user


# --- signing in ---------------------------------------------------------------------------


def authenticate(db: Session, username: str, password: str, client: str) -> User:
    """The active user with this password, or a refusal. The attempt is reserved in
    the throttle's counters before the password is checked (429 when over a limit) and
    counts as a failure unless the password is right."""
    account = username.strip().lower()
    attempt = throttle.sign_in(db, account, client)
    user = db.scalar(select(User).where(User.username == account, User.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        raise BadCredentials("Unknown username or wrong password.") from None
    attempt.succeeded()
    return user


def issue_token(
    db: Session,
    *,
    user: User | None = None,
    case_id: uuid.UUID | None = None,
    hours: int | None = None,
    until: datetime | None = None,
) -> TokenOut:
    """A bearer token for ``hours`` (the setting by default), and never past ``until``."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours or get_settings().token_hours)
    if until is not None:
        expires_at = min(expires_at, until)
    db.add(
        ApiToken(
            token_hash=digest(token),
            user_id=user.id if user else None,
            case_id=case_id,
            expires_at=expires_at,
        )
    )
    db.flush()
    role = user.role if user else Role.APPLICANT
    return TokenOut(access_token=token, expires_at=expires_at, role=role)


def login(db: Session, username: str, password: str, code: str, client: str) -> TokenOut:
    """A bearer token for password *and* second-factor code; never for a password alone."""
    user = authenticate(db, username, password, client)
    if not second_factor.enrolled(user):
        raise SecondFactorNotEnrolled(
            "This account has no second factor yet: sign in on the web pages once to enrol."
        )
    second_factor.check(db, user, code, client)
    return issue_token(db, user=user)


def actor_of(user: User) -> Actor:
    return _actor_from(user)


# What an actor is made of: read as plain columns, the cheapest way (every request).
ACTOR_COLUMNS = (
    User.id,
    User.role,
    User.organisation,
    User.agency_id,
    User.location_id,
    User.specialism,
)


def _actor_from(row: Any) -> Actor:
    return Actor(
        role=row.role,
        user_id=row.id,
        organisation=row.organisation,
        agency_id=row.agency_id,
        location_id=row.location_id,
        specialism=row.specialism,
    )


# Built once: every API request runs this, and building a statement costs as much as
# running it (bench/bench_http.py measures the request floor).
TOKEN_ACTOR = (
    select(ApiToken.case_id, *ACTOR_COLUMNS)
    .outerjoin(User, (User.id == ApiToken.user_id) & User.active.is_(True))
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > bindparam("now"),
    )
)


def actor_for_token(db: Session, token: str) -> Actor | None:
    """The caller behind a bearer token, in one query (token and user together)."""
    row = token_row(db, token)
    return None if row is None else actor_of_token(row)


def token_row(db: Session, token: str, statement: Select[Any] | None = None) -> Row[Any] | None:
    """The valid token's row of ``TOKEN_ACTOR``, or of a statement built on it that reads
    more with the token in the same query (the kiosk pages: the applicant's form)."""
    parameters = {"token_hash": digest(token), "now": utcnow()}
    query = TOKEN_ACTOR if statement is None else statement
    return db.connection().execute(query, parameters).first()  # Core: no ORM objects


def actor_of_token(row: Row[Any]) -> Actor | None:
    """The actor of a row of :func:`token_row` (None: the user is no longer active)."""
    if row.case_id is not None:
        return Actor(role=Role.APPLICANT, case_id=row.case_id)
    return None if row.id is None else _actor_from(row)


def revoke_token(db: Session, token: str) -> None:
    db.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# --- browser sessions ---------------------------------------------------------------------


@dataclass(frozen=True)
class StartedSession:
    secret: str  # goes into the cookie; the database keeps only its digest
    expires_at: datetime


def start_session(
    db: Session,
    user: User,
    user_agent: str,
    *,
    second_factor_passed: bool,
    oidc_id_token: str | None = None,
    oidc_sid: str | None = None,
) -> StartedSession:
    """A browser session; until the second factor is passed it is short and opens only
    the second-factor pages (``pending_user``). A sign-in at the identity provider keeps
    its ID token and session id, for signing out there (and being signed out by it)."""
    settings = get_settings()
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    if second_factor_passed:
        expires_at = now + timedelta(hours=settings.session_hours)
    else:
        expires_at = now + timedelta(minutes=settings.second_factor_minutes)
    db.add(
        WebSession(
            secret_hash=digest(secret),
            user_id=user.id,
            last_seen_at=now,
            expires_at=expires_at,
            user_agent=user_agent[:300],
            second_factor_at=now if second_factor_passed else None,
            oidc_id_token=oidc_id_token,
            oidc_sid=oidc_sid,
        )
    )
    db.flush()
    return StartedSession(secret, expires_at)


def pending_user(db: Session, secret: str) -> User | None:
    """The active user whose password was right in this browser a moment ago and who
    has yet to pass (or enrol) the second factor."""
    return db.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.secret_hash == digest(secret),
            WebSession.second_factor_at.is_(None),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > utcnow(),
            User.active.is_(True),
        )
    )


def complete_sign_in(db: Session, secret: str, user: User, user_agent: str) -> StartedSession:
    """Swap the pending session for a full one under a new secret (so a cookie planted
    before sign-in never becomes a signed-in one)."""
    end_session(db, secret)
    return start_session(db, user, user_agent, second_factor_passed=True)


SESSION_ACTOR = (
    select(WebSession.id.label("session_id"), WebSession.last_seen_at, *ACTOR_COLUMNS)
    .join(User, User.id == WebSession.user_id)
    .where(
        WebSession.secret_hash == bindparam("secret_hash"),
        WebSession.ended_at.is_(None),
        WebSession.expires_at > bindparam("now"),
        WebSession.second_factor_at.is_not(None),
        User.active.is_(True),
    )
)


def actor_for_session(db: Session, secret: str) -> Actor | None:
    """The user of a live browser session, in one query; idle sessions end."""
    settings = get_settings()
    now = utcnow()
    parameters = {"secret_hash": digest(secret), "now": now}
    row = db.connection().execute(SESSION_ACTOR, parameters).first()
    if row is None:
        return None
    idle = now - row.last_seen_at
    if idle > timedelta(minutes=settings.session_idle_minutes):
        _touch(db, row.session_id, ended_at=now)
        return None
    if idle > timedelta(minutes=1):  # one write a minute at most, not one per page
        _touch(db, row.session_id, last_seen_at=now)
    return _actor_from(row)


def _touch(db: Session, session_id: uuid.UUID, **values: datetime) -> None:
    db.execute(update(WebSession).where(WebSession.id == session_id).values(**values))


def end_session(db: Session, secret: str) -> str | None:
    """End the browser's session; returns the identity provider's ID token it was signed
    in with, if any (the ``id_token_hint`` of the sign-out there)."""
    live = WebSession.secret_hash == digest(secret), WebSession.ended_at.is_(None)
    ending = db.scalar(select(WebSession).where(*live))
    db.execute(update(WebSession).where(*live).values(ended_at=utcnow()))
    return ending.oidc_id_token if ending else None


# --- kiosk codes --------------------------------------------------------------------------


def end_kiosk_sign_ins(db: Session, *case_ids: uuid.UUID) -> None:
    """End every kiosk sign-in of the case at once: codes not yet used, the API's bearer
    tokens and the kiosk page's cookie (which holds such a token). Codes first: a
    redemption of one that holds its row commits first, and its token is then ended
    here too (PostgreSQL reads the tokens at the second statement)."""
    now = utcnow()
    db.execute(
        update(KioskCode)
        .where(
            KioskCode.booking_id.in_(select(Booking.id).where(Booking.case_id.in_(case_ids))),
            KioskCode.used_at.is_(None),
            KioskCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    db.execute(
        update(ApiToken)
        .where(ApiToken.case_id.in_(case_ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def kiosk_token_case(db: Session, token: str) -> uuid.UUID | None:
    """The case a kiosk token was issued for, live or not (it opens nothing by itself)."""
    return db.scalar(
        select(ApiToken.case_id).where(
            ApiToken.token_hash == digest(token), ApiToken.case_id.is_not(None)
        )
    )


def session_window_end(db: Session, booking: Booking) -> datetime:
    """When the booking's session ends: no kiosk code or kiosk token lasts longer."""
    starts_at, minutes = db.execute(
        select(HearingSession.starts_at, HearingSession.duration_minutes).where(
            HearingSession.id == booking.session_id
        )
    ).one()
    return as_utc(starts_at) + timedelta(minutes=minutes)


def new_kiosk_code(db: Session, booking: Booking, issued_by: uuid.UUID | None = None) -> str:
    """Issue a one-time code bound to the booking (applicant, session, seat). Any code
    issued earlier for the booking is revoked, and so is every kiosk sign-in it gave: an
    applicant whose kiosk crashed gets a new code and resumes, and neither the old code
    nor the old kiosk (its cookie, or a token taken through the API) can be used by
    anybody. The code expires soon, and at the latest when the session's window ends."""
    now = utcnow()
    end_kiosk_sign_ins(db, booking.case_id)
    raw = "".join(secrets.choice(KIOSK_ALPHABET) for _ in range(8))
    db.add(
        KioskCode(
            booking_id=booking.id,
            code_hash=digest(raw),
            issued_at=now,
            issued_by_id=issued_by,
            expires_at=min(
                now + timedelta(minutes=get_settings().kiosk_code_minutes),
                session_window_end(db, booking),
            ),
        )
    )
    db.flush()
    return f"{raw[:4]}-{raw[4:]}"


def register_kiosk_device(db: Session, seat: Seat, registered_by: uuid.UUID | None) -> str:
    """Make the browser at this seat its kiosk: returns the device secret for its cookie
    (only the digest is kept; registering again replaces the previous device)."""
    secret = secrets.token_urlsafe(32)
    seat.device_hash = digest(secret)
    seat.device_registered_at = utcnow()
    seat.device_registered_by_id = registered_by
    db.flush()
    return secret


def kiosk_seat(db: Session, device: str | None) -> Seat | None:
    """The seat whose kiosk presented this device secret, if it is a registered one."""
    if not device:
        return None
    return db.scalar(select(Seat).where(Seat.device_hash == digest(device)))


def _seat_of(db: Session, booking: Booking) -> Seat | None:
    return db.scalar(
        select(Seat)
        .join(HearingSession, HearingSession.room_id == Seat.room_id)
        .where(HearingSession.id == booking.session_id, Seat.number == booking.seat)
    )


def redeem_kiosk_code(db: Session, code: str, client: str, device: str | None = None) -> TokenOut:
    """Exchange a one-time code for a kiosk token. Exactly one of many simultaneous
    redemptions wins: the code is spent by one conditional UPDATE.

    Failures are counted per registered kiosk device (a small budget: one seat, one
    applicant), for other clients per address (a large budget: a location's kiosks may
    share one), and per booking when its real code is tried away from its seat's
    registered kiosk. The attempt is reserved before the code is looked up.
    """
    settings = get_settings()
    at_seat = kiosk_seat(db, device)
    attempt = throttle.kiosk_code(db, client, at_seat.id.hex if at_seat else None)
    refused = "This kiosk code is unknown, used or expired. Ask the host."
    raw = code.strip().upper().replace("-", "").replace(" ", "")
    now = utcnow()
    live = (
        KioskCode.code_hash == digest(raw),
        KioskCode.used_at.is_(None),
        KioskCode.revoked_at.is_(None),
        KioskCode.expires_at > now,
    )
    booking = db.scalar(select(Booking).join(KioskCode).where(*live))
    if booking is None or booking.cancelled_at is not None:
        raise KioskCodeInvalid(refused)
    if db.scalar(select(Case.state).where(Case.id == booking.case_id)) not in AT_THE_KIOSK:
        raise KioskCodeInvalid("The form has left the kiosk (handed in, withdrawn or excluded).")
    booked_seat = _seat_of(db, booking)
    kiosk_at_seat = booked_seat is not None and booked_seat.device_hash is not None
    if kiosk_at_seat and (at_seat is None or at_seat != booked_seat):
        throttle.misplaced_code(attempt, booking.id.hex)
        why = N_("This kiosk code is for seat %(seat)s. Ask the host.")
        raise KioskCodeInvalid(in_english(why, seat=booking.seat))
    spent = db.execute(
        update(KioskCode).where(*live).values(used_at=now).returning(KioskCode.id)
    ).scalar()
    if spent is None:
        raise KioskCodeInvalid(refused)
    attempt.succeeded()
    return issue_token(
        db,
        case_id=booking.case_id,
        hours=settings.kiosk_code_hours,
        until=session_window_end(db, booking),
    )


# --- sessions seen by an administrator ----------------------------------------------------


def end_session_by_id(db: Session, session_id: uuid.UUID) -> None:
    """End one browser session or revoke one token (the ids of both are UUIDs)."""
    now = utcnow()
    ended = db.execute(
        update(WebSession)
        .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount  # type: ignore[attr-defined]
    revoked = db.execute(
        update(ApiToken)
        .where(ApiToken.id == session_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not (ended or revoked):
        why = N_("No live session or token %(session)s.")
        raise UnknownSession(in_english(why, session=session_id))
