"""Users of every role, their bearer tokens and browser sessions, and sign-in throttles."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.crypto import Encrypted
from service.models.base import Base, Timestamped, UuidPk, enum_check
from service.models.cases import CoordinatorMotive


class Role(StrEnum):
    APPLICANT = "applicant"
    LAWYER = "lawyer"
    PLANNER = "planner"
    HOST = "host"
    TRANSLATOR = "translator"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    # Unit 1F and the security partners: keep the indicator lists, review attention points.
    UNIT_1F = "unit_1f"
    ADMIN = "admin"
    # Records the questionnaires' spoken prompts in draft versions (issue 19).
    INTERPRETER = "interpreter"
    # A chain partner (COA, unit 1F, a lawyers' organisation): proposes questions for the
    # form; the account's organisation says which partner.
    PARTNER = "partner"
    # Reviews the partners' proposals and publishes versions of the form.
    FORM_OWNER = "form_owner"


class User(UuidPk, Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(enum_check("role", Role), name="role_known"),
        CheckConstraint(
            f"specialism IS NULL OR {enum_check('specialism', CoordinatorMotive)}",
            name="specialism_known",
        ),
        # A translator works for exactly one agency; nobody else belongs to one.
        CheckConstraint(
            "(role = 'translator') = (agency_id IS NOT NULL)", name="agency_iff_translator"
        ),
        CheckConstraint("role = 'host' OR location_id IS NULL", name="location_only_for_hosts"),
        CheckConstraint(
            "role = 'coordinator' OR specialism IS NULL", name="specialism_only_for_coordinators"
        ),
        CheckConstraint(
            "totp_confirmed_at IS NULL OR totp_secret IS NOT NULL",
            name="totp_confirmed_needs_secret",
        ),
        # An identity at a provider is its issuer and subject together (OIDC Core 5.7).
        UniqueConstraint("oidc_issuer", "oidc_subject"),
        CheckConstraint(
            "(oidc_issuer IS NULL) = (oidc_subject IS NULL)", name="oidc_issuer_with_subject"
        ),
    )

    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Law firm for lawyers (shown, not used for access).
    organisation: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The location a host works at: hosts see and check in only its sessions.
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    # The motive a coordinator is consulted on (lgbti or conversion).
    specialism: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Second factor (TOTP, RFC 6238): the shared secret, set at enrolment and in force
    # once confirmed by a first code. The last accepted time step refuses a replayed code.
    totp_secret: Mapped[str | None] = mapped_column(Encrypted())
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The identity at the provider this account is bound to (OpenID Connect sign-in):
    # issuer and subject, never a username, which the provider may change. Bound on the
    # account's first sign-in when that made it, else only by an administrator.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    @property
    def second_factor(self) -> bool:
        """Whether a second factor is enrolled (and confirmed by a first code)."""
        return self.totp_secret is not None and self.totp_confirmed_at is not None


class ApiToken(UuidPk, Timestamped, Base):
    """A bearer token, stored only as its keyed SHA-256 digest (HMAC)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (case_id IS NULL)", name="user_or_applicant"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Applicant tokens come from a kiosk code and only reach that one case.
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class WebSession(UuidPk, Timestamped, Base):
    """A signed-in browser: the cookie holds a secret, the table only its digest."""

    __tablename__ = "web_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    last_seen_at: Mapped[datetime]
    # The absolute end; idleness ends it sooner (settings.session_idle_minutes).
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # Set when the second factor was passed: until then the session opens only the
    # second-factor and enrolment pages (``service.auth.service.pending_user``).
    second_factor_at: Mapped[datetime | None]
    # Signed in at the identity provider: its ID token (the id_token_hint of the
    # sign-out there) and its session id ``sid`` (which a back-channel logout names).
    oidc_id_token: Mapped[str | None] = mapped_column(Encrypted())
    oidc_sid: Mapped[str | None] = mapped_column(String(255), index=True)


class RecoveryCode(UuidPk, Timestamped, Base):
    """A one-time code that stands in for a TOTP code (lost phone), kept as an argon2id hash."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None]


class PasswordResetLink(UuidPk, Timestamped, Base):
    """A one-time, short-lived link an administrator hands over to set a new password."""

    __tablename__ = "password_reset_links"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RateCounter(Base):
    """A fixed-window counter (sign-in failures) shared by every app process."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
