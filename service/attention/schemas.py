"""The inputs of unit 1F's lists and of handling a point, and the one presenter of each
resource (staff only: service/fields.py, rows "indicator list" and "attention point")."""

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.text import VALID_TEXT, Day, Motivation, Name, ShortText
from service.models.attention import (
    AttentionPoint,
    Indicator,
    IndicatorKind,
    IndicatorList,
    IndicatorListVersion,
)
from service.models.cases import SignalKind

Language = Annotated[str, Field(min_length=2, max_length=10, pattern=r"^[a-z]{2,3}(-[A-Za-z]+)?$")]
Variant = Annotated[str, Field(min_length=1, max_length=300), VALID_TEXT]
IndicatorText = Annotated[str, Field(min_length=1, max_length=300), VALID_TEXT]


class ListIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Syria 2011-2024", "keeper": "Unit 1F"}]},
    )
    name: Name
    keeper: Name


class IndicatorIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "place",
                    "language": "ar",
                    "text": "صيدنايا",
                    "text_nl": "Saydnaya",
                    "variants": ["Sednaya", "Saidnaya"],
                    "reason": "Military prison; staff there may fall under 1F.",
                }
            ]
        },
    )
    kind: IndicatorKind
    language: Language
    text: IndicatorText
    text_nl: ShortText = ""
    variants: list[Variant] = Field(default_factory=list, max_length=50)
    valid_from: Day | None = None
    valid_to: Day | None = None
    reason: Motivation

    @model_validator(mode="after")
    def _period_dates(self) -> Self:
        if self.kind is IndicatorKind.PERIOD and (self.valid_from is None or self.valid_to is None):
            raise ValueError("a period needs valid_from and valid_to")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from must not be after valid_to")
        return self


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(max_length=2000), VALID_TEXT] = ""


class DismissIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "The name is the applicant's home town."}]},
    )
    reason: Motivation


class PointSignalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "1f", "reason": "Served at the named prison."}]},
    )
    kind: SignalKind
    reason: Motivation


class IndicatorOut(BaseModel):
    id: uuid.UUID
    version_id: uuid.UUID
    kind: str
    language: str
    text: str
    text_nl: str
    variants: list[str]
    valid_from: date | None
    valid_to: date | None
    reason: str
    added_by_id: uuid.UUID | None
    added_at: datetime

    @classmethod
    def present(cls, row: Indicator) -> Self:
        return cls.model_validate(row, from_attributes=True)


class VersionOut(BaseModel):
    id: uuid.UUID
    list_id: uuid.UUID
    number: int
    published_at: datetime | None
    published_by_id: uuid.UUID | None
    note: str
    indicators: list[IndicatorOut]

    @classmethod
    def present(cls, version: IndicatorListVersion, rows: list[Indicator]) -> Self:
        return cls(
            id=version.id,
            list_id=version.list_id,
            number=version.number,
            published_at=version.published_at,
            published_by_id=version.published_by_id,
            note=version.note,
            indicators=[IndicatorOut.present(r) for r in rows],
        )


class ListOut(BaseModel):
    id: uuid.UUID
    name: str
    keeper: str
    created_at: datetime

    @classmethod
    def present(cls, row: IndicatorList) -> Self:
        return cls.model_validate(row, from_attributes=True)


class PointOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    answer_key: str
    text_kind: str
    span_start: int
    span_end: int
    excerpt: str
    indicator_id: uuid.UUID
    indicator_kind: str
    indicator_text: str
    indicator_text_nl: str
    version_id: uuid.UUID
    version_number: int
    list_name: str
    status: str
    found_at: datetime
    handled_at: datetime | None
    handled_role: str | None
    reason: str
    signal_id: uuid.UUID | None

    @classmethod
    def present(
        cls, point: AttentionPoint, indicator: Indicator, version: IndicatorListVersion, name: str
    ) -> Self:
        return cls(
            id=point.id,
            case_id=point.case_id,
            answer_key=point.answer_key,
            text_kind=point.text_kind,
            span_start=point.span_start,
            span_end=point.span_end,
            excerpt=point.excerpt,
            indicator_id=indicator.id,
            indicator_kind=indicator.kind,
            indicator_text=indicator.text,
            indicator_text_nl=indicator.text_nl,
            version_id=version.id,
            version_number=version.number,
            list_name=name,
            status=point.status,
            found_at=point.found_at,
            handled_at=point.handled_at,
            handled_role=point.handled_role,
            reason=point.reason,
            signal_id=point.signal_id,
        )


class ReportRow(BaseModel):
    list_name: str
    version_number: int
    nationality: str
    period: str = Field(description="The month the points were found, YYYY-MM")
    hits: int
    dismissed: int
    signalled: int
    open: int
