"""One way to show dates, moments, durations, countries and languages to a reader: the
pages, the e-mails and the PDFs all use these, in Dutch local time and the reader's
language (Babel's CLDR data), so a page never mixes ``2027-01-19`` with ``15 dec 2026``."""

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.pofile import read_po

from service.core.i18n import LOCALE_DIR, N_, gettext_for

# The service's users are in the Netherlands: every moment shows in Dutch local time.
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
NO_VALUE = "\u2013"  # an en dash
# Nationalities that are no country (cases/schemas.py accepts them beside ISO codes).
NATIONALITY_WORDS = {"stateless": N_("Stateless"), "unknown": N_("Unknown nationality")}


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    """The reader's CLDR data, read once per language: Babel parses a language's code
    anew on every call given one, and a list page formats hundreds of dates and names."""
    return Locale.parse(language)


def local_date(value: date | datetime | None, language: str) -> str:
    """'19 jan 2027': a day, for a datetime the day it is in Dutch local time."""
    if value is None:
        return NO_VALUE
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME).date()
    return format_date(value, "medium", locale=_locale(language))


def local_moment(value: datetime | None, language: str) -> str:
    """'19 jan 2027 14:05' in Dutch local time."""
    if value is None:
        return NO_VALUE
    return format_datetime(value, "d MMM yyyy HH:mm", tzinfo=LOCAL_TIME, locale=_locale(language))


def duration(value: timedelta | float | None, language: str) -> str:
    """A span in words: '8 seconden', '12 minuten', '3 uur'; a float is minutes."""
    if value is None:
        return NO_VALUE
    span = value if isinstance(value, timedelta) else timedelta(minutes=value)
    return format_timedelta(span, threshold=1.5, locale=_locale(language))


def language_in(code: str, language: str) -> str:
    """A language's name in the reader's language ("ar" -> "Arabisch")."""
    try:
        return str(_locale(language).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def country_in(code: str | None, language: str) -> str:
    """A nationality in the reader's language ("SY" -> "Syrië"; "stateless" -> "Staatloos")."""
    if not code:
        return NO_VALUE
    if code in NATIONALITY_WORDS:
        return str(gettext_for(language)(NATIONALITY_WORDS[code]))
    try:
        return str(_locale(language).territories.get(code.upper(), code))
    except (ValueError, UnknownLocaleError):
        return code


# --- the service's own sentences -----------------------------------------------------------
# An event's reason and a refusal's detail are written once, in English, from a msgid and
# its values ("seat %(seat)s at session %(starts_at)s"): the API and the sealed event log
# keep that English; a page, an e-mail or a PDF reads it back into its own language.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # written in UTC
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Values that name a language or a country by its code.
_LANGUAGE_VALUES = frozenset({"language", "languages"})
_COUNTRY_VALUES = frozenset({"nationality"})
# Values that are a sentence of the service themselves (a guard's rule in a refused step).
_SENTENCE_VALUES = frozenset({"rule"})


def in_english(msgid: str, **values: object) -> str:
    """The sentence as stored and sent to the API: moments in UTC, days as ISO dates."""
    return msgid % {name: _written(value) for name, value in values.items()} if values else msgid


def _written(value: object) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return f"{aware.astimezone(UTC):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@lru_cache
def _sentences() -> list[tuple[re.Pattern[str], str]]:
    """Every catalogue text with values, as a pattern that reads a written sentence back;
    the longest first, so the most specific wins."""
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        msgids = [m.id for m in read_po(pot) if isinstance(m.id, str) and "%(" in m.id]
    patterns = []
    for msgid in sorted(msgids, key=len, reverse=True):
        parts = re.split(r"%\((\w+)\)[sd]", msgid)
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(pattern, re.DOTALL), msgid))
    return patterns


def in_language(text: str, language: str) -> str:
    """A text the service wrote (``in_english``; a refusal of a few such sentences) in
    ``language``; text a person typed (a motivation, a note) comes back as typed."""
    if not text:
        return text  # (gettext("") is the catalogue's header)
    whole = _read(text, language)
    if whole is not None:
        return whole
    sentences = [_read(part, language) for part in _SENTENCE_END.split(text)]
    if len(sentences) > 1 and all(s is not None for s in sentences):
        return " ".join(s for s in sentences if s is not None)
    return text


_SENTENCE_END = re.compile(r"(?<=\.) (?=[A-Z])")


def _read(text: str, language: str) -> str | None:
    """One sentence of the catalogue in ``language``, or None when it is none of them."""
    gettext = gettext_for(language)
    if gettext(text) != text:
        return str(gettext(text))
    for pattern, msgid in _sentences():
        found = pattern.fullmatch(text)
        if found:
            values = {k: _shown(k, v, language) for k, v in found.groupdict().items()}
            return str(gettext(msgid)) % values
    return None


def _shown(name: str, value: str, language: str) -> str:
    if _MOMENT.fullmatch(value):
        return local_moment(datetime.fromisoformat(value).replace(tzinfo=UTC), language)
    if _DAY.fullmatch(value):
        return local_date(date.fromisoformat(value), language)
    if name in _LANGUAGE_VALUES:
        return ", ".join(language_in(code.strip(), language) for code in value.split(","))
    if name in _COUNTRY_VALUES:
        return country_in(value, language)
    if name in _SENTENCE_VALUES:
        return _read(value, language) or value
    return value  # as typed (a note, a name)
