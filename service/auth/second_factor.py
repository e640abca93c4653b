"""The second factor: TOTP codes (RFC 6238, pyotp) and one-time recovery codes.

Every account signs in with a password *and* a code: a browser session opens the
service's pages only after the code (``WebSession.second_factor_at``), and a bearer
token is issued only for username, password and code together. A code is accepted
once: the last accepted time step is stored, so a code seen over someone's shoulder
cannot be used again in its 30 seconds. Recovery codes are random (60 bits), shown
once, stored as argon2id hashes and each works once.
"""

import hmac
import secrets

import pyotp
import segno
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.auth import throttle
from service.auth.digest import argon2_hasher
from service.auth.exceptions import BadSecondFactor
from service.core.clock import utcnow
from service.models.auth import RecoveryCode, User

ISSUER = "IND Schriftelijk horen"
RECOVERY_CODES = 10
# Look-alike characters left out: codes are copied from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# A code from the step before or after counts too: phones' clocks drift.
DRIFT_STEPS = 1
_hasher = argon2_hasher()


def totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def enrolled(user: User) -> bool:
    return user.second_factor


def secret_for_enrolment(db: Session, user: User) -> str:
    """The secret the user is enrolling with: kept across reloads of the page until
    confirmed, so the QR code scanned a minute ago still matches."""
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = None
        user.totp_last_step = None
        db.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return totp(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The ``otpauth://`` URI as an SVG QR code in a data URI (the CSP allows data: images)."""
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=5, border=4)
    return data_uri


def _accept_totp(user: User, code: str) -> bool:
    """Whether ``code`` is the user's code of a recent time step not used before."""
    if user.totp_secret is None or not (code.isdigit() and len(code) == 6):
        return False
    generator = totp(user.totp_secret)
    now_step = generator.timecode(utcnow())
    last = user.totp_last_step if user.totp_last_step is not None else -1
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step > last and hmac.compare_digest(generator.generate_otp(step), code):
            user.totp_last_step = step  # a replay of this or an older code now fails
            return True
    return False


def _spend_recovery_code(db: Session, user: User, code: str) -> bool:
    """Spend the unused recovery code that matches, with a conditional UPDATE (of two
    simultaneous uses, one wins)."""
    normalised = code.lower().replace("-", "").replace(" ", "")
    unused = db.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for code_id, code_hash in unused:
        try:
            _hasher.verify(code_hash, normalised)
        except (VerificationError, InvalidHashError):
            continue
        spent = db.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
        )
        return bool(spent.rowcount)  # type: ignore[attr-defined]
    return False


def check(db: Session, user: User, code: str, client: str) -> None:
    """Accept a TOTP or recovery code of ``user``, or refuse and count the failure
    against the account and the client (locked out like passwords: 429)."""
    attempt = throttle.second_factor(db, str(user.id), client)
    given = code.strip().replace(" ", "")
    if _accept_totp(user, given) or (len(given) > 6 and _spend_recovery_code(db, user, given)):
        attempt.succeeded()
        db.flush()
        return
    raise BadSecondFactor("The code is not right, or was used before.")


def confirm_enrolment(db: Session, user: User) -> list[str]:
    """Put the second factor in force once its first code passed ``check``; returns the
    recovery codes (the only time they are seen)."""
    user.totp_confirmed_at = utcnow()
    return new_recovery_codes(db, user)


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Fresh recovery codes; earlier ones stop working."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)
    ]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(code)) for code in codes)
    db.flush()
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def enrol_known_secret(db: Session, user: User, secret: str) -> None:
    """Enrol with a given secret, no confirmation: demo accounts and tests only."""
    user.totp_secret = secret
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = None
    db.flush()


def reset(db: Session, user: User) -> None:
    """Forget the second factor (lost phone): the next sign-in enrols anew."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.flush()


def unused_recovery_codes(db: Session, user: User) -> int:
    return len(
        db.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
