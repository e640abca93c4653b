import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.text import VALID_TEXT, Name, ShortText
from service.models.auth import Role
from service.models.cases import CoordinatorMotive

Password = Annotated[str, Field(min_length=1, max_length=200), VALID_TEXT]


class LoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        # The demo data's planner (bash .ci/dev serve prints every demo login).
        json_schema_extra={
            "examples": [
                {"username": "planner.jansen", "password": "demo-password-2026", "code": "123456"}
            ]
        },
    )
    username: Annotated[str, Field(min_length=1, max_length=120), VALID_TEXT]
    password: Password
    code: Annotated[
        str,
        Field(
            min_length=6,
            max_length=20,
            description="The six-digit code of the authenticator app, or a recovery code "
            "(the demo prints one with `hearing demo-code <username>`)",
        ),
        VALID_TEXT,
    ]


class KioskLoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "K7MQ-4XTD"}]}
    )
    code: Annotated[str, Field(min_length=4, max_length=20), VALID_TEXT]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    role: str


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=3, max_length=120, pattern=r"^[a-z0-9._-]+$")]
    display_name: Name
    email: Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    role: Role = Field(description="Applicants sign in with kiosk codes, not accounts")
    organisation: ShortText | None = Field(
        None, description="A lawyer's firm; the chain partner of a partner account"
    )
    agency: ShortText | None = Field(None, description="A translator's agency (by name)")
    location: ShortText | None = Field(None, description="A host's location (by name)")
    specialism: CoordinatorMotive | None = Field(
        None, description="The motive a coordinator is consulted on"
    )
    password: Annotated[str, Field(min_length=12, max_length=200), VALID_TEXT]


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Password
    new_password: Annotated[
        str,
        Field(min_length=1, max_length=200, description="At least 12 characters, hard to guess"),
        VALID_TEXT,
    ]


class ResetLinkOut(BaseModel):
    path: str = Field(description="Shown once: hand it to the user; it works once")
    expires_at: datetime


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: Literal["browser", "token"]
    user_id: uuid.UUID
    username: str
    started_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    user_agent: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    role: Role
    organisation: str | None
    agency_id: uuid.UUID | None
    location_id: uuid.UUID | None
    specialism: CoordinatorMotive | None
    active: bool
    second_factor: bool = Field(description="Whether a second factor (TOTP) is enrolled")
    oidc_subject: str | None = Field(
        default=None, description="The identity provider's subject this account is linked to"
    )


class OidcLinkIn(BaseModel):
    """An administrator links an account to the configured identity provider's subject."""

    subject: str = Field(min_length=1, max_length=255)


class MeOut(BaseModel):
    role: str
    user_id: uuid.UUID | None
    case_id: uuid.UUID | None
    organisation: str | None
