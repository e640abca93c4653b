"""Text and time that the service accepts: bounded, valid Unicode, aware and in range.

Every text field of every request uses one of these types (a test walks the OpenAPI
schema to check that every string has a maximum length), so no input reaches the
database that it cannot hold.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

# A surrogate code point on its own ("\ud800" in JSON) is not Unicode text; the
# database drivers cannot encode it.
_NOT_TEXT = re.compile("[\ud800-\udfff\x00]")
# Dates the service can compute with (a term added to 9999-12-31 overflows).
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def valid_text(value: str) -> str:
    if _NOT_TEXT.search(value):
        raise ValueError("contains a character that is not text (NUL or a lone surrogate)")
    return value


def in_range(value: datetime) -> datetime:
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 has no UTC equivalent
        day = value.date()
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST}")
    return value


def date_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST}")
    return value


VALID_TEXT = AfterValidator(valid_text)
Name = Annotated[str, Field(min_length=1, max_length=200), VALID_TEXT]
ShortText = Annotated[str, Field(max_length=200), VALID_TEXT]
Note = Annotated[str, Field(max_length=2000), VALID_TEXT]
Motivation = Annotated[str, Field(min_length=3, max_length=5000), VALID_TEXT]
# The longest free text anyone may enter: an applicant's answer, or its translation (by
# whichever door it comes: JSON, XLIFF or the page).
LONG_TEXT_MAX = 20_000
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX), VALID_TEXT]
Moment = Annotated[AwareDatetime, AfterValidator(in_range)]
Day = Annotated[date, AfterValidator(date_in_range)]


def has_invalid_text(document: object) -> bool:
    """True if any string (key or value) of a decoded JSON document is not valid text."""
    pending = [document]
    while pending:  # a loop, not recursion: the document may nest deeply
        value = pending.pop()
        if isinstance(value, str):
            if _NOT_TEXT.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
