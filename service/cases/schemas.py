"""Case input and output shapes, with the validation an import row goes through."""

import re
import unicodedata
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Self

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from service.cases import access
from service.core.actor import Actor
from service.core.formatting import LOCAL_TIME
from service.core.text import VALID_TEXT, Day, Moment, Name, Note, ShortText
from service.fields import readable_reason
from service.models.cases import Case, CaseEventRow, CoordinatorMotive, Literacy, SignalKind
from service.workflow import CaseState, ReasonKind, Track, allowed_events, needs_physical_hearing

# ASCII digits only: Python's \d also matches fullwidth and Arabic-Indic digits, which
# would store a second case beside the same V-number written in ASCII.
V_NUMBER = re.compile(r"[0-9]{10}")
LanguageCode = Annotated[str, Field(max_length=10)]
NATIONALITY_WORDS = {"stateless", "unknown"}


def ascii_digits(value: str) -> str:
    """NFKC (fullwidth forms, no-break spaces), every decimal digit of any script as its
    ASCII digit (Arabic-Indic, Persian, ...), and invisible format characters (the
    direction marks a copy from right-to-left text brings along) dropped."""
    if value.isascii():
        return value  # already so (NFKC keeps ASCII, which has no other digits or Cf)
    text = unicodedata.normalize("NFKC", value)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )


def normalise_v_number(value: str) -> str:
    text = ascii_digits(value)
    digits = text.strip().upper().removeprefix("V").replace("-", "").replace(" ", "")
    if not V_NUMBER.fullmatch(digits):
        raise ValueError("a V-number has exactly 10 digits (an optional leading 'V' is dropped)")
    return digits


# An import looks up the same few codes for every row: pycountry's lookups are cached
# (a refused code raises, and is not cached).
@lru_cache(maxsize=1024)
def normalise_nationality(value: str) -> str:
    text = value.strip()
    if text.lower() in NATIONALITY_WORDS:
        return text.lower()
    country = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    if country is None and len(text) == 3:
        country = pycountry.countries.get(alpha_3=text.upper())
    if country is None:
        raise ValueError("use an ISO 3166 country code (SY, IR, ...) or 'stateless' / 'unknown'")
    return str(country.alpha_2)


@lru_cache(maxsize=1024)
def normalise_language(value: str) -> str:
    code = value.strip().lower()
    known = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    if known is None and len(code) == 3:
        known = pycountry.languages.get(alpha_3=code)
    if known is None:
        raise ValueError(f"'{value}' is not an ISO 639 language code (ar, fa, ti, prs, ...)")
    return code


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: SignalKind
    source: Annotated[str, Field(min_length=2, max_length=200), VALID_TEXT] = Field(
        examples=["registration interview"]
    )
    reason: Note = ""
    noted_at: Moment | None = Field(
        None, description="With a time zone, e.g. 2026-11-02T10:00:00+01:00"
    )


class CaseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "v_number": "1234567890",
                    "applicant_name": "Amal Haddad",
                    "date_of_birth": "1991-04-17",
                    "nationality": "SY",
                    "languages": ["ar"],
                    "date_of_application": "2019-11-04",
                    "lawyer": "lawyer.dekker",
                    "literacy": "known",
                    "coordinator_motives": [],
                    "vulnerability_notes": "",
                    "signals": [],
                }
            ]
        },
    )

    v_number: Annotated[str, Field(max_length=20)]
    applicant_name: Name = Field(description="As registered; the host checks it at check-in")
    date_of_birth: Day = Field(description="As registered (YYYY-MM-DD)")
    nationality: Annotated[str, Field(max_length=20)]
    languages: Annotated[
        list[Annotated[str, Field(max_length=10)]], Field(min_length=1, max_length=5)
    ]
    date_of_application: Day
    lawyer: ShortText | None = Field(None, description="The lawyer's username or e-mail address")
    literacy: Literacy = Literacy.UNKNOWN
    # Empty lists made fresh per row (a ``[]`` default is deep-copied for each of a
    # bulk import's rows); the schema still shows the default.
    coordinator_motives: Annotated[list[CoordinatorMotive], Field(max_length=2)] = Field(
        default_factory=list, json_schema_extra={"default": []}
    )
    vulnerability_notes: Annotated[str, Field(max_length=5000), VALID_TEXT] = ""
    signals: Annotated[list[SignalIn], Field(max_length=20)] = Field(
        default_factory=list, json_schema_extra={"default": []}
    )

    @field_validator("v_number")
    @classmethod
    def _v_number(cls, value: str) -> str:
        return normalise_v_number(value)

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, value: str) -> str:
        return normalise_nationality(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(normalise_language(v) for v in value))

    @field_validator("date_of_application", "date_of_birth")
    @classmethod
    def _not_in_future(cls, value: date, info: ValidationInfo) -> date:
        # The day it is in the Netherlands, not the server's UTC day (an hour or two
        # behind it after midnight).
        if value > datetime.now(LOCAL_TIME).date():
            raise ValueError(f"the {str(info.field_name).replace('_', ' ')} lies in the future")
        return value


class SignalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: SignalKind
    source: str
    reason: str
    noted_at: datetime
    recorded_at: datetime
    recorded_by_id: uuid.UUID | None


class CaseOut(BaseModel):
    """A case as a role may see it: build it with ``present`` (never from the row)."""

    id: uuid.UUID
    v_number: str
    applicant_name: str
    date_of_birth: date | None
    nationality: str
    languages: list[str]
    date_of_application: date
    lawyer_id: uuid.UUID | None
    literacy: Literacy
    coordinator_motives: list[CoordinatorMotive] = Field(
        description="Empty for roles that do not see motives"
    )
    state: CaseState
    track: str | None
    policy_version: str | None
    exclusion_reason: str | None
    reply_due_at: datetime | None
    corrections_due_at: datetime | None
    target_date: date | None
    claimed_by_id: uuid.UUID | None
    signals: list[SignalOut] = Field(description="Empty for roles that do not see signals")
    next_steps: list[str] = Field(description="Workflow events allowed from the current state")
    physical_hearing_next: bool = Field(
        description="A physical hearing (nader gehoor) will follow: the case left the written "
        "track, or it is kansarm and the form only prepares the hearing"
    )

    @classmethod
    def present(cls, case: Case, actor: Actor) -> Self:
        """The one place that decides which of a case's fields ``actor`` sees."""
        fields = {
            name: getattr(case, name)
            for name in cls.model_fields
            if name not in ("next_steps", "physical_hearing_next", "signals")
        }
        fields["next_steps"] = [e.value for e in allowed_events(case.state)]
        fields["physical_hearing_next"] = needs_physical_hearing(
            case.state, Track(case.track) if case.track else None
        )
        fields["signals"] = []
        if access.sees_signals(actor):
            fields["signals"] = [SignalOut.model_validate(s) for s in case.signals]
        if case.exclusion_reason:
            # Every exclusion reads the same to those who may not know of signals.
            fields["exclusion_reason"] = readable_reason(
                ReasonKind.EXCLUSION, case.exclusion_reason, actor.role
            )
        if not access.sees_motives(actor):
            fields["coordinator_motives"] = []
        if "vulnerability_notes" in fields and not access.sees_notes(actor):
            fields["vulnerability_notes"] = ""
        return cls.model_validate(fields)


class CaseDetail(CaseOut):
    vulnerability_notes: str = Field(description="Empty for roles that do not see notes")


class EventOut(BaseModel):
    event: str
    from_state: str | None
    to_state: str
    actor_id: uuid.UUID | None
    actor_role: str
    at: datetime
    reason: str

    @classmethod
    def present(cls, row: CaseEventRow, actor: Actor) -> Self:
        """A timeline entry; its reason as the field table lets ``actor`` read that kind
        of text (a decision's motivation like the decision's, an exclusion's like the
        case's exclusion reason)."""
        reason = readable_reason(row.reason_kind, row.reason, actor.role)
        return cls(
            event=row.event,
            from_state=row.from_state,
            to_state=row.to_state,
            actor_id=row.actor_id,
            actor_role=row.actor_role,
            at=row.at,
            reason=reason,
        )


class StageOut(BaseModel):
    state: str
    entered_at: datetime
    left_at: datetime | None
    hours: float = Field(description="Time spent in this state (so far, for the current one)")


class MeasurementsOut(BaseModel):
    throughput_days: float | None = Field(
        description="Calendar days from invitation to decision (or until now); target 42"
    )
    target_date: date | None
    within_target: bool | None
    decision_handling_minutes: float | None = Field(
        description="Officer's time from claiming the file to the decision"
    )
    stages: list[StageOut]


class RowError(BaseModel):
    row: int = Field(description="1-based data row number in the file")
    v_number: str | None
    errors: list[str]


class ImportReport(BaseModel):
    rows: int
    created: int
    skipped_existing: int
    failed: int
    screened: dict[str, int]
    errors: list[RowError]


class SignalCreate(SignalIn):
    pass


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Field(min_length=3, max_length=2000), VALID_TEXT]


def error_messages(exc: Any) -> list[str]:
    return [f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()]
