"""Finding indicators in text: normalisation, one Aho-Corasick automaton, word
boundaries, and dates against periods. Pure: no database, no I/O.

Normalising folds what a writer or a translator varies without meaning anything else:
case, Latin diacritics, Arabic short vowels (tashkeel) and tatweel, the Arabic and
Farsi forms of the same letter (yeh, kaf, teh marbuta as heh, alef with hamza or
madda as alef), hamza carriers, and
Arabic-Indic and Persian digits. Ge'ez (Ethiopic) is kept as it is: its syllables are
letters, not a base with marks. Each normalised character remembers the character of
the original text it came from, so a hit's span is a span of the text the reader sees.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import ahocorasick

_LETTERS = {
    "ی": "ي",  # Farsi yeh
    "ى": "ي",  # alef maksura
    "ک": "ك",  # Farsi kaf (keheh)
    "ة": "ه",  # teh marbuta  # noqa: RUF001
    "ٱ": "ا",  # alef wasla  # noqa: RUF001
}
_DROP = {"\u0640"}  # tatweel: stretches a word, says nothing
_SPACE = {"-", "_", "\u2010", "\u2011", "\u2013", "\u2014", "\u00a0"}
# Arabic proclitics written onto the next word: "and", "by", "for", "as", "the".
_PROCLITICS = frozenset(
    {"و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وب", "ول"}
)


def _ethiopic(char: str) -> bool:
    return "\u1200" <= char <= "\u139f" or "\u2d80" <= char <= "\u2ddf"


@lru_cache(maxsize=65536)
def _fold(char: str) -> str:
    """One original character as its normalised characters ("" when it is dropped)."""
    if _ethiopic(char):
        return char
    if char in _DROP:
        return ""
    if char in _SPACE or char.isspace():
        return " "
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.category(part) == "Mn":
            continue  # diacritics, tashkeel, the hamza of أ إ آ ؤ ئ
        decimal = unicodedata.decimal(part, None)
        if decimal is not None:
            out.append(str(decimal))
            continue
        out.append(_LETTERS.get(part, part))
    return "".join(out).casefold()


@dataclass(frozen=True)
class Normalised:
    text: str
    # For each character of ``text``, the index of the original character it came from.
    origin: Sequence[int]
    length: int  # of the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised ``[start, end)``."""
        last = self.origin[end - 1] + 1 if end > start else self.origin[start]
        return self.origin[start], last


# Every character met so far, folded: ``str.translate`` applies them in C, and where each
# folds to exactly one character the span of a hit is the span in the text as written.
_TABLE: dict[int, str] = {}
_ONE_TO_ONE: set[str] = set()
_KNOWN: set[str] = set()
_table_lock = threading.Lock()


def _learn(chars: set[str]) -> None:
    with _table_lock:
        for char in chars:
            folded = _fold(char)
            _TABLE[ord(char)] = folded
            if len(folded) == 1:
                _ONE_TO_ONE.add(char)


def normalise(text: str) -> Normalised:
    chars = set(text)
    if not chars <= _KNOWN:
        _learn(chars - _KNOWN)
        _KNOWN.update(chars)
    joined = text.translate(_TABLE)
    origin: Sequence[int]
    if chars <= _ONE_TO_ONE:
        origin = range(len(text))
    else:
        origin = [index for index, char in enumerate(text) for _ in _TABLE[ord(char)]]
    if joined.startswith(" ") or "  " in joined:
        # One space for any run of spacing, none at the start.
        keep = [
            k for k, char in enumerate(joined) if char != " " or (k > 0 and joined[k - 1] != " ")
        ]
        joined = "".join(joined[k] for k in keep)
        origin = [origin[k] for k in keep]
    return Normalised(joined, origin, len(text))


def key(text: str) -> str:
    """An indicator's text as the automaton holds it."""
    return normalise(text).text.strip()


def _word(char: str) -> bool:
    return char.isalnum()


def _arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"


def _starts_a_word(text: str, start: int) -> bool:
    if start == 0 or not _word(text[start - 1]):
        return True
    # Inside a word: allowed after an Arabic proclitic written onto it (والرقة).
    begin = start
    while begin > 0 and _word(text[begin - 1]):
        begin -= 1
    prefix = text[begin:start]
    return _arabic(text[start]) and prefix in _PROCLITICS


def _ends_a_word(text: str, end: int) -> bool:
    return end >= len(text) or not _word(text[end])


@dataclass(frozen=True)
class Entry:
    """What one normalised pattern stands for: an indicator of a list version."""

    indicator_id: Any
    version_id: Any
    kind: str


@dataclass(frozen=True)
class Hit:
    start: int  # in the original text
    end: int
    term: str  # the normalised pattern that matched
    entry: Entry


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    entry: Entry


class Matcher:
    """The automaton of a set of published list versions (built once per set: a
    published version never changes, so neither does its automaton)."""

    def __init__(self, patterns: Iterable[tuple[str, Entry]], periods: Sequence[Period] = ()):
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[Entry]] = {}
        for text, entry in patterns:
            normal = key(text)
            if normal:
                entries.setdefault(normal, []).append(entry)
        for normal, found in entries.items():
            self.automaton.add_word(normal, (normal, tuple(dict.fromkeys(found))))
        self.empty = not entries
        if not self.empty:
            self.automaton.make_automaton()
        self.periods = tuple(periods)

    def find(self, text: str) -> list[Hit]:
        normal = normalise(text)
        hits: list[Hit] = []
        if not self.empty:
            for end, (term, entries) in self.automaton.iter(normal.text):
                start = end - len(term) + 1
                if not (_starts_a_word(normal.text, start) and _ends_a_word(normal.text, end + 1)):
                    continue
                first, last = normal.span(start, end + 1)
                hits.extend(Hit(first, last, term, entry) for entry in entries)
        if self.periods:
            for first, last, day_from, day_to in dates_in(normal):
                for period in self.periods:
                    if day_from <= period.end and period.start <= day_to:
                        label = f"{day_from.isoformat()}/{day_to.isoformat()}"
                        hits.append(Hit(first, last, label, period.entry))
        return hits


# --- dates ----------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("maart", "march", "mrt", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augustus", "august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(?<!\d)(\d{4})[ /.](\d{1,2})[ /.](\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[ /.](\d{1,2})[ /.](\d{4})(?!\d)")
_MONTH_YEAR = re.compile(
    r"(?<!\w)(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.? (\d{4})(?!\d)"
)
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year + 1, 1, 1).replace(day=1) if month == 12 else date(year, month + 1, 1)


# Dashes are spaces once normalised: "12-03-2013" reads "12 03 2013".
def dates_in(normal: Normalised) -> Iterator[tuple[int, int, date, date]]:
    """Each date written in the text as (original span, first day, last day): a full
    date, a month and year, or a year on its own (a year inside a date counts once)."""
    text = normal.text
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or b <= start for a, b in taken)

    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy")):
        for m in pattern.finditer(text):
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
            day = _day(parts["y"], parts["m"], parts["d"])
            if day is not None and free(*m.span()):
                taken.append(m.span())
                yield (*normal.span(*m.span()), day, day)
    for m in _MONTH_YEAR.finditer(text):
        if free(*m.span()):
            year, month = int(m.group(2)), _MONTHS[m.group(1)]
            taken.append(m.span())
            last = date.fromordinal(_month_end(year, month).toordinal() - 1)
            yield (*normal.span(*m.span()), date(year, month, 1), last)
    for m in _YEAR.finditer(text):
        if free(*m.span()):
            year = int(m.group(1))
            yield (*normal.span(*m.span()), date(year, 1, 1), date(year, 12, 31))
