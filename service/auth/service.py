"""Passwords (argon2), opaque bearer tokens stored as digests, kiosk codes."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.exceptions import BadCredentials, KioskCodeInvalid, UsernameTaken
from service.auth.schemas import TokenOut, UserIn
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.errors import InvalidInput
from service.core.settings import get_settings
from service.models.auth import ApiToken, Role, User
from service.models.sessions import Booking, KioskCode

# Tests create many users: cheap hashing there, the library's safe defaults elsewhere.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if get_settings().env == "test"
    else PasswordHasher()
)
# Kiosk codes are read aloud and typed by applicants: no look-alike characters.
KIOSK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def digest(secret: str) -> str:
    """Keyed digest: a leaked table of short kiosk codes cannot be brute-forced offline."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(db: Session, data: UserIn) -> User:
    if data.role is Role.APPLICANT:
        raise InvalidInput("Applicants have no account; they sign in with a kiosk code.")
    if db.scalar(select(User.id).where(User.username == data.username)):
        raise UsernameTaken(f"Username '{data.username}' is taken.")
    user = User(
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        role=data.role,
        organisation=data.organisation,
        password_hash=hash_password(data.password),
    )
    db.add(user)
    db.flush()
    return user


def issue_token(
    db: Session,
    *,
    user: User | None = None,
    case_id: uuid.UUID | None = None,
    hours: int | None = None,
) -> TokenOut:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours or get_settings().token_hours)
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


def login(db: Session, username: str, password: str) -> TokenOut:
    user = db.scalar(select(User).where(User.username == username, User.active.is_(True)))
    try:
        if user is None:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise BadCredentials("Unknown username or wrong password.") from None
    return issue_token(db, user=user)


def actor_for_token(db: Session, token: str) -> Actor | None:
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if row.case_id is not None:
        return Actor(role=Role.APPLICANT, case_id=row.case_id)
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Actor(role=user.role, user_id=user.id, organisation=user.organisation)


def new_kiosk_code(db: Session, booking: Booking) -> str:
    """Issue a one-time code for the checked-in applicant; earlier codes stop working."""
    now = utcnow()
    for old in db.scalars(
        select(KioskCode).where(KioskCode.booking_id == booking.id, KioskCode.used_at.is_(None))
    ):
        old.used_at = now
    raw = "".join(secrets.choice(KIOSK_ALPHABET) for _ in range(8))
    db.add(
        KioskCode(
            booking_id=booking.id,
            code_hash=digest(raw),
            issued_at=now,
            expires_at=now + timedelta(hours=get_settings().kiosk_code_hours),
        )
    )
    db.flush()
    return f"{raw[:4]}-{raw[4:]}"


def redeem_kiosk_code(db: Session, code: str) -> TokenOut:
    raw = code.strip().upper().replace("-", "").replace(" ", "")
    row = db.scalar(select(KioskCode).where(KioskCode.code_hash == digest(raw)))
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise KioskCodeInvalid("This kiosk code is unknown, used or expired. Ask the host.")
    booking = db.get(Booking, row.booking_id)
    if booking is None or booking.cancelled_at is not None:
        raise KioskCodeInvalid("This kiosk code belongs to a cancelled booking. Ask the host.")
    row.used_at = now
    return issue_token(db, case_id=booking.case_id, hours=get_settings().kiosk_code_hours)
