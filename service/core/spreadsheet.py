"""CSV files that a spreadsheet opens as data, never as formulas (CSV injection).

Every export (the session roster today; any CSV or XLSX export to come) writes its rows
through ``csv_text``, so the rules live in one place:

- every field is quoted, so a separator inside a value stays inside its cell;
- a value a spreadsheet would evaluate gets an apostrophe in front, which shows the
  text as typed: one that starts, after leading whitespace, with ``=``, ``+``, ``-``
  or ``@`` (also their fullwidth forms), or with a tab or carriage return;
- the same holds for every part of a value after a ``;`` or ``,``: a spreadsheet set to
  the other separator (Dutch Excel splits on ``;``) starts a new cell there, whatever
  the quotes say.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@")
CONTROL_START = ("\t", "\r", "\n")
# Where a spreadsheet splitting on the other separator would start a new cell.
_AFTER_SEPARATOR = re.compile(r"(?<=[;,])")


def _evaluated(part: str) -> bool:
    if part.startswith(CONTROL_START):
        return True
    first = part.lstrip()[:1]
    return bool(first) and unicodedata.normalize("NFKC", first).startswith(FORMULA_START)


def safe_cell(value: object) -> str:
    """The value as text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "".join(
        "'" + part if _evaluated(part) else part for part in _AFTER_SEPARATOR.split(text)
    )


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document (RFC 4180 line ends) with every field quoted and made safe."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
