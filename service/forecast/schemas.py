"""The forecast's input (query parameters, the same for the page and the API) and its
result as the API returns it and the page shows it."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError

from service.core.formatting import in_english
from service.core.i18n import N_
from service.forecast.exceptions import InvalidForecastInput
from service.forecast.simulation import Step

Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=365)]
SessionsPerWeek = Annotated[float, Field(ge=0, le=50, allow_inf_nan=False)]
Seats = Annotated[int, Field(ge=1, le=500)]
FormsPerWeek = Annotated[int, Field(ge=0, le=10_000)]
DecisionsPerWeek = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]

# The query parameters of one value each, by the model's field.
PLAIN = {
    "consent_percent": "consent",
    "kansrijk_percent": "kansrijk",
    "reply_days": "reply_days",
    "translation_days": "translation_days",
    "corrections_days": "corrections_days",
    "seed": "seed",
}
# The query parameters of one value per location, agency or team: ``<prefix>-<id>``.
PER_RESOURCE = {
    "sessions": "sessions",
    "seats": "seats",
    "agencies": "agency",
    "teams": "team",
}
# What each parameter must be, in the page's words.
SAY = {
    "consent_percent": N_("Enter a percentage from 0 to 100, such as 42 or 42,5."),
    "kansrijk_percent": N_("Enter a percentage from 0 to 100, such as 42 or 42,5."),
    "reply_days": N_("Enter a whole number of days from 0 to 365."),
    "translation_days": N_("Enter a whole number of days from 0 to 365."),
    "corrections_days": N_("Enter a whole number of days from 0 to 365."),
    "seed": N_("Enter a whole number from 0 to 1000000."),
    "sessions": N_("Enter a number of sessions from 0 to 50, such as 2 or 1,5."),
    "seats": N_("Enter a whole number of seats from 1 to 500."),
    "agencies": N_("Enter a whole number of forms from 0 to 10000."),
    "teams": N_("Enter a number of decisions from 0 to 10000, such as 12 or 12,5."),
}
UNKNOWN = N_("There is no location, agency or team with this id.")
# Longer than any number the inputs take.
MAX_LENGTH = 20


class ForecastIn(BaseModel):
    """What the planner changed; every input left out keeps what the service measured."""

    consent_percent: Percent | None = None
    kansrijk_percent: Percent | None = None
    reply_days: Days | None = None
    translation_days: Days | None = None
    corrections_days: Days | None = None
    # Per location (id): group sessions a week and seats per session.
    sessions: dict[str, SessionsPerWeek] = {}
    seats: dict[str, Seats] = {}
    # Per agency (id): forms a week; per team (id, or "none"): decisions a week.
    agencies: dict[str, FormsPerWeek] = {}
    teams: dict[str, DecisionsPerWeek] = {}
    seed: Annotated[int, Field(ge=0, le=1_000_000)] = 1

    def query(self) -> dict[str, str]:
        """The query parameters that give this input back (a bookmarkable scenario)."""
        found = {
            name: str(getattr(self, attribute))
            for attribute, name in PLAIN.items()
            if getattr(self, attribute) is not None and (attribute != "seed" or self.seed != 1)
        }
        for attribute, prefix in PER_RESOURCE.items():
            for key, value in getattr(self, attribute).items():
                found[f"{prefix}-{key}"] = str(value)
        return found


def _number(text: str) -> str:
    """A Dutch decimal comma reads as a point ("1,5" is 1.5)."""
    return text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text


def parse(values: Mapping[str, str]) -> ForecastIn:
    """The query parameters as :class:`ForecastIn`; empty ones keep the default, others
    are ignored. Refused with a message per parameter (:class:`InvalidForecastInput`)."""
    given: dict[str, object] = {attribute: {} for attribute in PER_RESOURCE}
    names: dict[tuple[str, ...], str] = {}
    for name, raw in values.items():
        text = _number(raw.strip())[:MAX_LENGTH]
        if not text:
            continue
        for attribute, plain in PLAIN.items():
            if name == plain:
                given[attribute] = text
                names[(attribute,)] = name
        prefix, _, key = name.partition("-")
        for attribute, expected in PER_RESOURCE.items():
            if prefix == expected and key:
                given[attribute][key] = text  # type: ignore[index]
                names[(attribute, key)] = name
    try:
        return ForecastIn.model_validate(given)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            loc = tuple(str(part) for part in error.get("loc", ()))
            fields.setdefault(names.get(loc, ".".join(loc)), SAY.get(loc[0], SAY["seed"]))
        raise InvalidForecastInput(fields) from exc


def refuse_unknown(given: ForecastIn, known: Mapping[str, set[str]]) -> None:
    """A location, agency or team the service does not know is refused, by its parameter."""
    fields = {
        f"{PER_RESOURCE[attribute]}-{key}": UNKNOWN
        for attribute, keys in known.items()
        for key in getattr(given, attribute)
        if key not in keys
    }
    if fields:
        raise InvalidForecastInput(fields)


# --- the result --------------------------------------------------------------------------


class InputOut(BaseModel):
    """One input of the forecast: the value used, the default and where that came from."""

    name: str  # the query parameter
    value: float
    default: float
    changed: bool
    source: str  # in English, as the API says it


class ResourceOut(BaseModel):
    key: str
    step: Step
    name: str
    per_week: float
    used: int
    offered: float
    utilisation: float  # used / offered, 0..1


class StepOut(BaseModel):
    step: Step
    utilisation: float | None  # None: no capacity at all while cases waited there
    peak: int  # the most cases at this step at the end of a week
    mean: float


class WeekOut(BaseModel):
    week: int
    starts_on: date
    stock: dict[Step, int]


class ForecastOut(BaseModel):
    """When the stock is done, and why then."""

    today: date
    finished: bool
    finished_on: date | None  # Europe/Amsterdam
    weeks_to_finish: int | None
    bottleneck: Step | None
    stock: dict[Step, int]
    declined: int
    decided: int
    handed_over: int
    inputs: list[InputOut]
    resources: list[ResourceOut]
    steps: list[StepOut]
    weekly: list[WeekOut]
    query: dict[str, str]  # the changed inputs as query parameters


def source_in_english(source: str, values: Mapping[str, object]) -> str:
    return in_english(source, **values)
