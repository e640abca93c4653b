"""CSV and XLSX files that a spreadsheet opens as data, never as formulas (CSV injection).

Every export (the session roster, the reports) writes its rows through ``csv_text`` or
``xlsx_bytes``, so the rules live in one place:

- every field is quoted, so a separator inside a value stays inside its cell;
- a value a spreadsheet would evaluate gets an apostrophe in front, which shows the
  text as typed: one that starts, after leading whitespace, with ``=``, ``+``, ``-``
  or ``@`` (also their fullwidth forms), or with a tab or carriage return;
- the same holds for every part of a value after a ``;`` or ``,``: a spreadsheet set to
  the other separator (Dutch Excel splits on ``;``) starts a new cell there, whatever
  the quotes say;
- in XLSX a number is a number cell and everything else a text cell, made safe the same
  way: no cell is ever written as a formula (xlsxwriter's own guessing is off).
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

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


Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]  # name, header, rows


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook, one sheet per (name, header, rows): numbers as numbers, all
    other values as text that no spreadsheet evaluates."""
    import xlsxwriter  # only where a workbook is written

    out = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(out, options)
    bold = workbook.add_format({"bold": True})
    for name, header, rows in sheets:
        sheet = workbook.add_worksheet(safe_cell(name)[:31])
        for column, label in enumerate(header):
            sheet.write_string(0, column, safe_cell(label), bold)
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(row_number, column, value)
                elif value is not None:
                    sheet.write_string(row_number, column, safe_cell(value))
        sheet.set_column(0, max(len(header) - 1, 0), 16)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return out.getvalue()
