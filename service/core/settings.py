"""One settings object, read from the environment (prefix ``HEARING_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.core.paths import PROJECT_ROOT as PROJECT_ROOT  # where it always was, too
from service.core.versioned import known_version

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside dev/test below
MIN_SECRET_LENGTH = 32
MIN_SECRET_SYMBOLS = 12  # "aaaa…" or "0123012301…" is long but not random


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARING_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'hearing.db'}"
    # Empty: Huey keeps its queue in a SQLite file beside the database; set a
    # redis:// URL in production so several workers and app processes share it.
    redis_url: str = ""
    huey_sqlite_path: Path = PROJECT_ROOT / "var" / "huey.db"
    secret_key: str = DEV_SECRET
    # Keys that encrypt special-category data (service/core/crypto.py): 'id:base64key'
    # pairs, comma-separated, and/or a file with one pair a line. Empty outside
    # production: a public dev key. The active key seals new values (default: the first).
    data_keys: SecretStr = SecretStr("")
    data_keys_file: Path | None = None
    data_key_active: str = ""
    # Closed cases are anonymised this many days after their last change (retention).
    retention_days: int = Field(default=365, ge=1)
    # How long a POST's answer is kept for a retry with the same Idempotency-Key.
    idempotency_hours: int = Field(default=24, ge=1)
    eligibility_policy: str = "ind-2026"
    forms_dir: Path = PROJECT_ROOT / "forms"
    # What a lawyer may read of the current form before the session, to prepare the
    # client: its topics (section titles and introductions) or its exact questions too.
    form_preview: Literal["topics", "questions"] = "topics"
    token_hours: int = 12
    kiosk_code_hours: int = 6
    # A kiosk code is typed in at the seat right after the host hands it over.
    kiosk_code_minutes: int = 15
    # Terms in working days (service/terms/policies/): new steps use this version.
    term_policy: str = "ind-2021"
    form_time_limit_minutes: int = 240
    # Attention points (service/attention): unit 1F reviews every open point on its own
    # page as well as the decision officer at the workbench. Off: the officer alone.
    attention_review_by_unit_1f: bool = True

    # E-mail, delivered from the outbox by the worker. The defaults reach the development
    # sink that `hearing serve` starts (read what was sent at /dev/mail).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    # "starttls": upgrade a plain connection (port 587); "tls": TLS from the start (465).
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=20, gt=0)
    mail_from: str = "IND Schriftelijk horen <noreply@hearing.example>"
    # Links in e-mail lead here (always to a page behind sign-in).
    portal_url: str = "http://127.0.0.1:8000"
    # Delivery: tries in all, the wait before the 2nd (doubled after each failure), and
    # how long one worker holds a message while sending (a killed worker's hold runs out).
    message_attempts: int = Field(default=6, ge=1, le=20)
    message_retry_seconds: int = Field(default=60, ge=1)
    message_claim_seconds: int = Field(default=300, ge=1)
    # The job outbox (core/jobs.py): a job not done this long after it was handed to the
    # queue (Redis was down, or lost it) is handed over again, at most this many times.
    job_requeue_seconds: int = Field(default=300, ge=1)
    job_attempts: int = Field(default=10, ge=1)
    # Where the development SMTP sink keeps what it received.
    mail_sink_dir: Path = PROJECT_ROOT / "var" / "mail"
    # Check-in opens this long before a session starts and closes when its window ends.
    check_in_opens_minutes: int = 60
    # Decisions: a claim's lease (a heartbeat renews it), the idle gap that stops the
    # handling-time clock, and four eyes (a share of all decisions, and always those of
    # officers in their first days of work and of external drafters).
    claim_lease_minutes: int = Field(default=30, ge=1)
    handling_idle_minutes: int = Field(default=5, ge=1)
    review_share: float = Field(default=0.1, ge=0, le=1)
    review_probation_days: int = Field(default=183, ge=0)
    # Reports: the regular procedure (AA) to compare the written hearing with, where the
    # service has recorded no case of its own that went that way: calendar days from the
    # invitation to the decision, and an officer's hours per case (hearing and decision).
    # Assumptions to replace with the IND's measured figures.
    report_regular_days: float = Field(default=180.0, gt=0)
    report_regular_handling_hours: float = Field(default=12.0, gt=0)

    # Request model (docs/request-model.md): every request runs its database work in ONE
    # worker thread that holds one pooled connection, so threads == pool size and no
    # number of clients can deadlock the pool. Beyond that, requests wait their turn
    # (at most ``queue_timeout_seconds``) or get a fast 503 with Retry-After.
    threads: int = Field(default=12, ge=1, le=400)
    max_waiting_requests: int = Field(default=1000, ge=0)
    queue_timeout_seconds: float = Field(default=20, gt=0)
    pool_timeout_seconds: float = Field(default=10, gt=0)
    # Idle keep-alive connections stay open this long: longer than a load balancer's idle
    # timeout (60 s on common ones), so the balancer, not the app, closes them, and a
    # client never sends a request on a connection the app is closing (a reset).
    keep_alive_seconds: int = Field(default=75, ge=1)
    # A replay over HTTP (hearing simulate taskforce --processes) tells the app processes
    # its simulated time per request (core.middleware.SimulatedNow). Never in production.
    simulated_clock: bool = False
    # Slow clients (core/server.py): a request's headers must be complete this long after
    # it began, and its body within the second limit, or the connection is closed (408).
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_timeout_seconds: float = Field(default=60, gt=0)
    # `hearing serve --workers N`: how long the supervisor waits for a worker process to
    # answer (starting up, or under load) before it kills and replaces it.
    worker_startup_seconds: int = Field(default=60, ge=5)
    # Request bodies: JSON and forms, and the case import file.
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    # A lawyer's attachment (PDF, JPEG or PNG), and all attachments of one case together:
    # they go into the dossier, which one rendering process builds.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_case: int = Field(default=20, ge=1)
    attachments_max_total_bytes: int = Field(default=30 * 1024 * 1024, ge=1)

    # Browser sessions: signed out after this much idleness, and in any case after hours.
    session_idle_minutes: int = 30
    session_hours: int = 12
    # Sign-in throttling (auth/throttle.py, docs/security.md). Windows of lockout_minutes.
    # Per account and address together: failures before this pair waits out the window.
    sign_in_failures: int = 5
    # Per address, any accounts: far above an office behind one address (a NAT).
    sign_in_address_failures: int = 200
    # Per account, from any address in sign_in_account_hours: this many failures are
    # free, then one attempt per n seconds (n = failures over, at most the maximum).
    # An address the account signed in from in the last days is exempt.
    sign_in_account_free: int = 10
    sign_in_account_hours: int = 24
    sign_in_pace_max_seconds: int = 60
    sign_in_known_address_days: int = 30
    # Kiosk codes from a client that is not a registered kiosk, per address: a
    # location's unregistered kiosks may share one; with 32^8 possible codes, guessing
    # finds nothing (the arithmetic is in docs/security.md).
    kiosk_code_failures: int = 300
    # Per registered kiosk device: one applicant at one seat; a few typos, not a search.
    kiosk_device_failures: int = 10
    # Per booking: its real code tried away from the booked seat's kiosk.
    kiosk_booking_failures: int = 5
    lockout_minutes: int = 15
    # When Redis fails, the throttle counts in the database this long before retrying.
    throttle_redis_retry_seconds: int = 30
    # After a right password, this long to give the second-factor code.
    second_factor_minutes: int = 10
    # An administrator's one-time link to set a new password lives this long.
    reset_link_minutes: int = 60

    # OpenID Connect sign-in at the organisation's identity provider: off unless an
    # issuer and client are set. Roles come from a claim, mapped value -> role, e.g.
    # HEARING_OIDC_ROLES='{"ind-planner": "planner", "advocaat": "lawyer"}'.
    oidc_issuer: str = ""
    oidc_metadata_url: str = ""  # default: <issuer>/.well-known/openid-configuration
    oidc_client_id: str = ""
    # How the service proves itself at the token endpoint: client_secret_basic,
    # client_secret_post (both with oidc_client_secret) or private_key_jwt (with
    # oidc_client_private_key, a PEM or JWK; the NL GOV profile's choice).
    oidc_client_auth_method: Literal[
        "client_secret_basic", "client_secret_post", "private_key_jwt"
    ] = "client_secret_basic"
    oidc_client_secret: str = ""
    oidc_client_private_key: str = ""
    oidc_client_private_key_file: str = ""
    oidc_scope: str = "openid profile email"
    # Where the role is, in the ID token or at UserInfo: a dotted path (Keycloak:
    # realm_access.roles); a list or one string.
    oidc_role_claim: str = "roles"
    oidc_roles: dict[str, str] = Field(default_factory=dict)
    oidc_username_claim: str = "preferred_username"
    # The provider's second factor replaces ours: its ID token must show one, by an
    # ``amr`` value (RFC 8176) from oidc_amr_values or an ``acr`` from oidc_acr_values
    # (Entra v2 has no amr; the NL GOV profile and eHerkenning/DigiD brokers use acr).
    oidc_amr_values: list[str] = Field(
        default_factory=lambda: ["mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris"]
    )
    oidc_acr_values: list[str] = Field(default_factory=list)
    oidc_require_second_factor: bool = True
    # The provider's clock may run this far ahead or behind (iat, exp, nbf).
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=300)
    # Discovery and JWKS are cached as their Cache-Control says; without it, this long.
    oidc_cache_seconds: int = Field(default=300, ge=0)

    @field_validator("database_url")
    @classmethod
    def _psycopg3_driver(cls, url: str) -> str:
        """Accept plain postgres:// URLs; the installed driver is psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @field_validator("oidc_roles")
    @classmethod
    def _known_roles(cls, roles: dict[str, str]) -> dict[str, str]:
        allowed = {
            "lawyer",
            "planner",
            "host",
            "translator",
            "officer",
            "coordinator",
            "unit_1f",
            "admin",
        }
        unknown = sorted(set(roles.values()) - allowed)
        if unknown:
            raise ValueError(f"oidc_roles maps to unknown roles: {', '.join(unknown)}")
        return roles

    @field_validator("eligibility_policy")
    @classmethod
    def _policy_exists(cls, version: str) -> str:
        policies = PROJECT_ROOT / "service" / "eligibility" / "policies"
        return known_version(policies, version, "eligibility policy")

    @field_validator("term_policy")
    @classmethod
    def _term_policy_exists(cls, version: str) -> str:
        return known_version(
            PROJECT_ROOT / "service" / "terms" / "policies", version, "term policy"
        )

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> "Settings":
        if self.env != "production":
            return self
        if self.simulated_clock:
            raise ValueError(
                "HEARING_SIMULATED_CLOCK lets a request set the time: not in production"
            )
        key = self.secret_key
        if key == DEV_SECRET or len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_SYMBOLS:
            raise ValueError(
                "HEARING_SECRET_KEY must be a real secret in production: at least "
                f"{MIN_SECRET_LENGTH} random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not self.data_keys.get_secret_value() and self.data_keys_file is None:
            raise ValueError(
                "HEARING_DATA_KEYS or HEARING_DATA_KEYS_FILE is required in production"
            )
        return self

    @property
    def dev(self) -> bool:
        return self.env == "dev"

    @property
    def secure_cookies(self) -> bool:
        """``__Host-`` cookies need HTTPS; dev and tests run on plain http://127.0.0.1."""
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
