"""One settings object, read from the environment (prefix ``HEARING_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside dev/test below


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARING_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'hearing.db'}"
    # Empty: Huey keeps its queue in a SQLite file beside the database; set a
    # redis:// URL in production so several workers and app processes share it.
    redis_url: str = ""
    huey_sqlite_path: Path = PROJECT_ROOT / "var" / "huey.db"
    secret_key: str = DEV_SECRET
    eligibility_policy: str = "taskforce-2020"
    forms_dir: Path = PROJECT_ROOT / "forms"
    token_hours: int = 12
    kiosk_code_hours: int = 6
    # Terms agreed with the bar and the agencies (days); the whole procedure targets six weeks.
    invitation_reply_days: int = 10
    translation_days: int = 7
    corrections_days: int = 10
    target_days: int = 42
    form_time_limit_minutes: int = 240

    @field_validator("database_url")
    @classmethod
    def _psycopg3_driver(cls, url: str) -> str:
        """Accept plain postgres:// URLs; the installed driver is psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @field_validator("eligibility_policy")
    @classmethod
    def _policy_exists(cls, version: str) -> str:
        policies = PROJECT_ROOT / "service" / "eligibility" / "policies"
        known = sorted(p.stem for p in policies.glob("*.yaml"))
        if version not in known:
            raise ValueError(f"unknown eligibility policy '{version}'; known: {', '.join(known)}")
        return version

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("HEARING_SECRET_KEY must be set to a real secret in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
