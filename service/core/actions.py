"""The one way a page runs an action: parse the form into the action's pydantic input model
(the API's own), run the action in a savepoint, and on a refusal undo all of it and say
what to fix beside the fields.

Pages never catch domain errors themselves (a test holds them to it): a refusal that
is the user's to fix (409, 412, 422) comes back as a :class:`Refusal` the page shows
with everything that was typed; anything else (403, 404, 503) goes to the error page.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.core.errors import DomainError
from service.core.formatting import in_language
from service.core.i18n import N_

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Refusals the person in front of the page can put right on the same page.
FIXABLE = frozenset({409, 412, 422})

# Pydantic's error types in the page's words (msgids; the template translates them).
FIELD_MESSAGES: dict[str, str] = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Fill this in."),
    "string_too_long": N_("This is too long."),
    "too_long": N_("Choose fewer."),
    "too_short": N_("Choose at least one."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "bool_parsing": N_("Choose yes or no."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "datetime_parsing": N_("Enter a date and time."),
    "uuid_parsing": N_("Choose one of the options."),
}
CHECK_THIS = N_("Check this answer.")
NOT_SAVED = N_("Nothing was saved. Correct what is marked and send again.")
CHANGED_MEANWHILE = N_(
    "Someone else changed this file meanwhile. Nothing was saved; what you typed is still "
    "here. Check the page and send again."
)


@dataclass(frozen=True)
class Refusal:
    """Why an action was refused: one summary and, where known, a message per field.
    Messages are msgids (or the domain error's own text); the page translates them."""

    message: str
    status: int = 422
    code: str = "invalid_input"
    fields: dict[str, str] = field(default_factory=dict)
    # Every problem found, when the refusal lists several (an uploaded file's).
    problems: list[str] = field(default_factory=list)

    def errors(self, language: str, default_field: str) -> dict[str, str]:
        """Field -> message in the page's language (a sentence with values too), for the
        error summary and the fields; a refusal about no field in particular sits at
        ``default_field``."""
        if self.fields:
            return {
                name or default_field: in_language(text, language)
                for name, text in self.fields.items()
            }
        return {default_field: in_language(self.message, language)}


class FormInvalid(DomainError):
    """A page's form did not parse into the action's input model."""

    status = 422
    code = "validation_error"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(NOT_SAVED)
        self.fields = fields


def field_messages(
    exc: ValidationError,
    names: Mapping[str, str] | None = None,
    say: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The first message per field, keyed by the form field's name (``names`` maps a model
    field to the form's name for it; ``say`` gives a field its own message)."""
    names, say = names or {}, say or {}
    messages: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        field_name = loc[-1] if loc else ""
        text = say.get(field_name) or FIELD_MESSAGES.get(str(error.get("type")), CHECK_THIS)
        messages.setdefault(names.get(field_name, field_name), text)
    return messages


def parse_form(
    model: type[M],
    values: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    say: Mapping[str, str] | None = None,
) -> M:
    """The form's values as the action's input model, or :class:`FormInvalid`.

    Empty fields count as not filled in, as a browser sends them. ``names`` maps a model
    field to the form field that holds it (two forms on one page need distinct names);
    ``say`` gives a field a message of its own (msgid) instead of the generic one."""
    names = names or {}
    given = {
        field_name: values.get(names.get(field_name, field_name))
        for field_name in model.model_fields
    }
    given = {key: value for key, value in given.items() if value not in ("", None)}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise FormInvalid(field_messages(exc, names, say)) from exc


def parse_leniently(model: type[M], values: Mapping[str, Any]) -> tuple[M, dict[str, Any]]:
    """A page's query string as ``model``: a value that does not parse is dropped (and
    returned, so the page can name it) rather than refusing the whole page."""
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error.get("loc")}
        kept = {key: value for key, value in values.items() if key not in bad}
        return model.model_validate(kept), {key: values[key] for key in bad if key in values}


def refusal_of(exc: Exception) -> Refusal | None:
    """The refusal a page shows for ``exc``, or None when it is not the user's to fix."""
    if isinstance(exc, FormInvalid):
        return Refusal(exc.detail, exc.status, exc.code, exc.fields)
    if isinstance(exc, StaleDataError):
        return Refusal(CHANGED_MEANWHILE, 409, "stale_version")
    if isinstance(exc, ValidationError):
        return Refusal(NOT_SAVED, 422, "validation_error", field_messages(exc))
    if isinstance(exc, DomainError) and exc.status in FIXABLE:
        fields = {exc.field: exc.detail} if exc.field else {}
        return Refusal(exc.detail, exc.status, exc.code, fields, exc.problems)
    return None


def attempt(db: Session, action: Callable[[], T]) -> T | Refusal:
    """Run ``action`` in a savepoint. A refusal undoes everything it wrote (a send refused
    after the typed text was saved saves nothing) and comes back as a :class:`Refusal`;
    errors that are not the user's to fix propagate to the error page."""
    savepoint = db.begin_nested()
    try:
        result = action()
    except (DomainError, ValidationError, StaleDataError) as exc:
        refusal = refusal_of(exc)
        savepoint.rollback()
        if refusal is None:
            raise
        return refusal
    savepoint.commit()
    return result
