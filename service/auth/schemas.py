import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.models.auth import Role


class LoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "planner.demo", "password": "demo-password"}]},
    )
    username: Annotated[str, Field(min_length=1, max_length=120)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class KioskLoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "K7MQ-4XTD"}]}
    )
    code: Annotated[str, Field(min_length=4, max_length=20)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    role: str


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=3, max_length=120, pattern=r"^[a-z0-9._-]+$")]
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    role: Role = Field(description="Applicants sign in with kiosk codes, not accounts")
    organisation: Annotated[str, Field(max_length=200)] | None = None
    password: Annotated[str, Field(min_length=12, max_length=200)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    role: Role
    organisation: str | None
    active: bool


class MeOut(BaseModel):
    role: str
    user_id: uuid.UUID | None
    case_id: uuid.UUID | None
    organisation: str | None
