import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.cases.schemas import normalise_language
from service.core.text import VALID_TEXT, Moment
from service.models.cases import Case
from service.models.sessions import Booking


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
    booked: int = 0


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


class BookingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    session_id: uuid.UUID
    case_id: uuid.UUID
    v_number: str
    applicant_name: str = Field(description="So the host checks in the right person")
    date_of_birth: date | None
    seat: int
    booked_at: datetime
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    applicant_consent_confirmed: bool

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


class CheckInIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"applicant_consent_confirmed": True}]}
    )
    applicant_consent_confirmed: bool = Field(
        description="The host confirmed with the applicant in person that they take part"
    )


class CheckInOut(BaseModel):
    booking: BookingOut
    kiosk_code: str = Field(description="One-time code for the kiosk; shown once, hand it over")
