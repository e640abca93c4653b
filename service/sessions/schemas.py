import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.cases.schemas import normalise_language, normalise_v_number
from service.core.text import VALID_TEXT, Moment
from service.models.cases import Case
from service.models.sessions import Booking, Gender, Helper


class LocationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "IND Zevenaar", "address": "Zevenaar", "kiosks": 20}]
        },
    )
    name: Annotated[str, Field(min_length=2, max_length=200), VALID_TEXT]
    address: Annotated[str, Field(max_length=300), VALID_TEXT] = ""
    kiosks: Annotated[int, Field(ge=0, le=500)] = 0


class LocationOut(LocationIn):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID


class RoomIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Zaal 1", "seats": 12}]}
    )
    name: Annotated[str, Field(min_length=1, max_length=100), VALID_TEXT]
    seats: Annotated[int, Field(ge=1, le=200, description="Seats (kiosks), numbered from 1")]


class RoomOut(BaseModel):
    id: uuid.UUID
    location_id: uuid.UUID
    name: str
    seats: int


class InterpreterIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"language": "ar", "gender": "female", "name": "Samira Haddad"}]
        },
    )
    language: Annotated[str, Field(max_length=10)]
    gender: Gender
    name: Annotated[str, Field(max_length=200), VALID_TEXT] = ""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalise_language(value)


class InterpreterOut(InterpreterIn):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID


class SessionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "location_id": "3f0c0a52-4c33-4d35-9d3a-2b8f4f3a3a11",
                    "starts_at": "2026-12-01T09:00:00+01:00",
                    "seats": 12,
                    "language": "ar",
                }
            ]
        },
    )
    location_id: uuid.UUID
    starts_at: Moment
    seats: Annotated[int, Field(ge=1, le=200)]
    language: Annotated[str, Field(max_length=10)] = Field(
        description="The group's language; only cases speaking it may book"
    )
    duration_minutes: Annotated[int, Field(ge=30, le=480)] = 240
    room_id: uuid.UUID | None = Field(None, description="The room; seats may not exceed its seats")
    interpreters: Annotated[list[InterpreterIn], Field(max_length=20)] = Field(
        default_factory=list,
        description="A case is only booked in a language with an interpreter present",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalise_language(value)


class SessionEdit(BaseModel):
    """A changed session: when, how long, where, its language and seats. ``version`` is
    the one the planner saw; a session changed since is refused, never overwritten."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "starts_at": "2026-12-01T09:00:00+01:00",
                    "seats": 12,
                    "language": "ar",
                    "version": 1,
                }
            ]
        },
    )
    starts_at: Moment
    seats: Annotated[int, Field(ge=1, le=200)]
    language: Annotated[str, Field(max_length=10)]
    duration_minutes: Annotated[int, Field(ge=30, le=480)] = 240
    room_id: uuid.UUID | None = None
    version: Annotated[int, Field(ge=1, description="The version read (SessionOut.version)")]

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalise_language(value)


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    location_id: uuid.UUID
    starts_at: datetime
    duration_minutes: int
    seats: int
    language: str
    room_id: uuid.UUID | None
    cancelled_at: datetime | None = None
    booked: int = 0
    version: int = 1


class BookingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"case_id": "6a1f1a0e-7d44-4c8e-9e36-0f6f0e0b7c55", "seat": 3}]
        },
    )
    case_id: uuid.UUID
    seat: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Omit for the first free seat"
    )


class MoveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"session_id": "3f0c0a52-4c33-4d35-9d3a-2b8f4f3a3a11", "reason": "ill"}]
        },
    )
    session_id: uuid.UUID = Field(description="The session to move the case to")
    seat: Annotated[int, Field(ge=1)] | None = None
    reason: Annotated[str, Field(max_length=500), VALID_TEXT] = ""


class BookingCancelIn(BaseModel):
    """Why a booking is cancelled: kept with the closed booking, shown in its history."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Field(min_length=1, max_length=500), VALID_TEXT]


class SessionCancelIn(BaseModel):
    """Why a session is called off: kept with each of its cancelled bookings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Field(max_length=500), VALID_TEXT] = ""


class PreferenceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"interpreter_gender": "female"}]}
    )
    location_id: uuid.UUID | None = Field(None, description="Where the applicant can be brought")
    interpreter_gender: Gender | None = Field(
        None, description="The applicant asked for an interpreter of this gender"
    )


class PreferenceOut(PreferenceIn):
    model_config = ConfigDict(from_attributes=True)
    case_id: uuid.UUID


class BookingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    session_id: uuid.UUID
    case_id: uuid.UUID
    v_number: str
    applicant_name: str = Field(description="So the host checks in the right person")
    date_of_birth: date | None
    seat: int
    reference: str = Field(description="The booking's short reference, as on the seat list")
    language: str | None
    booked_at: datetime
    moved_from_id: uuid.UUID | None
    cancelled_at: datetime | None
    cancel_reason: str
    no_show_at: datetime | None
    checked_in_at: datetime | None
    applicant_consent_confirmed: bool
    low_literacy: bool
    assisted_by: Helper | None = Field(
        description="Assisted filling: who may type for the applicant at the kiosk"
    )
    assist_consent_at: datetime | None = Field(
        description="When the applicant's consent to assisted filling was recorded"
    )

    @classmethod
    def present(cls, booking: Booking, case: Case) -> "BookingOut":
        return cls.model_validate(
            {
                **{
                    name: getattr(booking, name)
                    for name in cls.model_fields
                    if hasattr(booking, name)
                },
                "v_number": case.v_number,
                "applicant_name": case.applicant_name,
                "date_of_birth": case.date_of_birth,
            }
        )


class SessionDetail(SessionOut):
    bookings: list[BookingOut]


class Identity(BaseModel):
    """What the host reads from the applicant's document and types in."""

    applicant_name: Annotated[str, Field(min_length=1, max_length=200), VALID_TEXT]
    date_of_birth: date | None = Field(None, description="As on the document (empty if unknown)")
    v_number: Annotated[str, Field(max_length=20)]

    @field_validator("v_number")
    @classmethod
    def _v_number(cls, value: str) -> str:
        return normalise_v_number(value)

    @classmethod
    def on_file(cls, case: Case) -> "Identity":
        """The identity the case file holds (what the document should say)."""
        return cls(
            applicant_name=case.applicant_name,
            date_of_birth=case.date_of_birth,
            v_number=case.v_number,
        )


class AssistIn(BaseModel):
    """Assisted filling: who may type the answers for the applicant at the kiosk, and
    that the applicant agreed to it (recorded with who recorded it, and when)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"helper": "interpreter", "applicant_consent": True}]},
    )
    helper: Helper = Field(
        description="`host`: the host recording this; `interpreter`: the session's "
        "interpreter for the applicant's language"
    )
    applicant_consent: bool = Field(
        description="The applicant agreed in person that the helper types for them"
    )


class CheckInIn(Identity):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "applicant_name": "Amal Haddad",
                    "date_of_birth": "1991-04-17",
                    "v_number": "1234567890",
                    "applicant_consent_confirmed": True,
                }
            ]
        },
    )
    applicant_consent_confirmed: bool = Field(
        description="The host confirmed with the applicant in person that they take part"
    )
    low_literacy: bool = Field(
        default=False,
        description="Low-literacy mode: the kiosk reads the questions aloud and takes "
        "spoken answers (recorded in the check-in's event)",
    )
    assisted_filling: AssistIn | None = Field(
        default=None,
        description="Assisted filling, where the case's eligibility policy allows it: a "
        "helper types the answers on the applicant's behalf, with their consent",
    )


class CheckInOut(BaseModel):
    booking: BookingOut
    kiosk_code: str = Field(description="One-time code for the kiosk; shown once, hand it over")


class KioskCodeOut(BaseModel):
    booking_id: uuid.UUID
    kiosk_code: str = Field(description="One-time code for the kiosk; shown once, hand it over")


class PlacementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    session_id: uuid.UUID
    case_id: uuid.UUID
    seat: int
    language: str
