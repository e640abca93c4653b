"""One way to show dates, moments, durations, countries and languages to a reader: the
pages, the e-mails and the PDFs all use these, in Dutch local time and the reader's
language (Babel's CLDR data), so a page never mixes ``2027-01-19`` with ``15 dec 2026``."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta

from service.core.i18n import N_, gettext_for

# The service's users are in the Netherlands: every moment shows in Dutch local time.
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
NO_VALUE = "\u2013"  # an en dash
# Nationalities that are no country (cases/schemas.py accepts them beside ISO codes).
NATIONALITY_WORDS = {"stateless": N_("Stateless"), "unknown": N_("Unknown nationality")}


def local_date(value: date | datetime | None, language: str) -> str:
    """'19 jan 2027': a day, for a datetime the day it is in Dutch local time."""
    if value is None:
        return NO_VALUE
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME).date()
    return format_date(value, "medium", locale=language)


def local_moment(value: datetime | None, language: str) -> str:
    """'19 jan 2027 14:05' in Dutch local time."""
    if value is None:
        return NO_VALUE
    return format_datetime(value, "d MMM yyyy HH:mm", tzinfo=LOCAL_TIME, locale=language)


def duration(value: timedelta | float | None, language: str) -> str:
    """A span in words: '8 seconden', '12 minuten', '3 uur'; a float is minutes."""
    if value is None:
        return NO_VALUE
    span = value if isinstance(value, timedelta) else timedelta(minutes=value)
    return format_timedelta(span, threshold=1.5, locale=language)


def language_in(code: str, language: str) -> str:
    """A language's name in the reader's language ("ar" -> "Arabisch")."""
    try:
        return str(Locale.parse(language).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def country_in(code: str | None, language: str) -> str:
    """A nationality in the reader's language ("SY" -> "Syrië"; "stateless" -> "Staatloos")."""
    if not code:
        return NO_VALUE
    if code in NATIONALITY_WORDS:
        return str(gettext_for(language)(NATIONALITY_WORDS[code]))
    try:
        return str(Locale.parse(language).territories.get(code.upper(), code))
    except (ValueError, UnknownLocaleError):
        return code
