"""Bulk intake of cases from CSV or JSON: idempotent on V-number, per-row errors.

A bad row is reported and skipped; it never aborts or corrupts the other rows.
Each batch of rows is validated, screened and sealed before anything is written
(``prepare_batch``), then written table by table in one statement each
(``write_batch``; ``service.core.bulk``: COPY on PostgreSQL), each case once, in its
screened state (``procedure.admit_rows``; see ``bench/bench_import.py``). A CSV or JSON
file is read as it streams (``read_rows``) and imported in batches (``batches``), the
next one prepared in a worker thread while the last is written (``prepared_batches``),
so a file of any length takes time in proportion to its rows and memory for two batches.
"""

import codecs
import csv
import io
import itertools
import re
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import IO, Any

import ijson
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from service import procedure
from service.cases.exceptions import BadImportFile, UnknownLawyer
from service.cases.names import name_rows
from service.cases.schemas import CaseIn, ImportReport, RowError, error_messages
from service.cases.service import lawyer_index, resolve_lawyer
from service.core.actor import Actor
from service.core.bulk import among, formatted, insert_rows, new_ids, older_objects_left_alone
from service.core.clock import utcnow
from service.core.crypto import seal_many
from service.core.db import bulk_page_cache
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.pipeline import prepared_ahead
from service.eligibility.policy import CaseProfile
from service.eligibility.service import (
    TRACK_FOR,
    ScreeningPlan,
    plan_screening,
    record_screenings,
)
from service.models.cases import Case, CaseNameKey, Signal
from service.workflow import Reason

CSV_LIST_SEPARATOR = ";"
CSV_COLUMNS = (
    "v_number",
    "applicant_name",
    "date_of_birth",
    "nationality",
    "languages",
    "date_of_application",
    "lawyer",
    "literacy",
    "coordinator_motives",
    "vulnerability_notes",
    "signals",
)
REQUIRED_COLUMNS = (
    "v_number",
    "applicant_name",
    "date_of_birth",
    "nationality",
    "languages",
    "date_of_application",
)
BATCH_ROWS = 1000  # rows validated, inserted and screened together


def parse_file(content: bytes, filename: str) -> list[dict[str, Any]]:
    """Raw rows from a CSV or JSON file (by extension, else by first character)."""
    return list(read_rows(io.BytesIO(content), filename))


def read_rows(stream: IO[bytes], filename: str) -> Iterator[dict[str, Any]]:
    """Raw rows of a seekable CSV or JSON file, one at a time, read as the file streams
    (a JSON file's cases one object at a time: ``ijson``)."""
    head = stream.read(4096).removeprefix(codecs.BOM_UTF8)
    stream.seek(0)
    if filename.lower().endswith(".json") or head.lstrip()[:1] in (b"[", b"{"):
        yield from _parse_json(stream, filename)
        return
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _parse_csv(text, filename)
    except UnicodeDecodeError as exc:
        raise _not_utf8(filename) from exc
    finally:
        text.detach()  # the caller's stream stays open


def _not_utf8(filename: str) -> BadImportFile:
    return BadImportFile(in_english(N_("%(file)s: the file is not UTF-8 text"), file=filename))


def batches(
    rows: Iterable[dict[str, Any]], size: int = BATCH_ROWS
) -> Iterator[list[dict[str, Any]]]:
    """The rows in lists of ``size``, read as they are needed."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


# A case is a flat object (lists of texts, signals as objects): deeper is not a case file,
# and must not cost memory or time in proportion to its depth.
MAX_JSON_DEPTH = 16
_STARTS, _ENDS = ("start_map", "start_array"), ("end_map", "end_array")
# Where the list of cases starts: (depth, the envelope's key) of a list at the top or of
# the envelope's "cases".
CASES_AT = ((1, None), (2, "cases"))
# A JSON escape of a UTF-16 surrogate (half of a pair, or a lone one). The C parser turns
# a lone surrogate into "?", silently; the pure-Python one keeps it for the row's
# validation to refuse (test_import_file_with_a_lone_surrogate_is_reported_per_row).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SCAN_CHUNK = 1 << 20


def _json_parser(stream: IO[bytes]) -> Any:
    """The fast C parser, or the exact Python one for a file with surrogate escapes
    (rare: such files are usually written as UTF-8). Leaves the stream where it was."""
    start, tail = stream.tell(), b""
    try:
        while chunk := stream.read(_SCAN_CHUNK):
            if _SURROGATE_ESCAPE.search(tail + chunk):
                return ijson.get_backend("python")
            tail = chunk[-5:]
    finally:
        stream.seek(start)
    return ijson


def _parse_json(stream: IO[bytes], filename: str) -> Iterator[dict[str, Any]]:
    """The cases of a JSON file (a list, or the list under "cases" of an object), each
    built as its object ends: memory for one case, however long the file."""
    if stream.read(3) != codecs.BOM_UTF8:
        stream.seek(0)
    depth = 0
    cases_at = 0  # the depth of the list of cases: 0 before it, -1 after it
    key = None  # the last key of the envelope
    builder: Any = None  # the case being read
    try:
        for event, value in _json_parser(stream).basic_parse(stream, use_float=True):
            depth += (event in _STARTS) - (event in _ENDS)
            if depth > MAX_JSON_DEPTH:
                why = N_(
                    "%(file)s: the JSON is nested too deeply; expected a list of flat case objects"
                )
                raise BadImportFile(in_english(why, file=filename))
            if builder is None and cases_at > 0 and depth == cases_at + 1 and event in _STARTS:
                builder = ijson.ObjectBuilder()  # a case begins
            if builder is not None:
                builder.event(event, value)
                if depth == cases_at:  # and ends
                    row = builder.value
                    yield row if isinstance(row, dict) else {"__invalid__": row}
                    builder = None
            elif cases_at > 0 and depth == cases_at and event not in _ENDS:
                yield {"__invalid__": value}  # a number, a text, null: not a case
            elif cases_at > 0 and depth < cases_at:
                cases_at = -1  # the list has ended
            elif event == "map_key" and depth == 1:
                key = value
            elif cases_at == 0 and event == "start_array" and (depth, key) in CASES_AT:
                cases_at = depth
    except ijson.JSONError:
        # Without the parser's text: it quotes the file (names) around the fault.
        why = N_("%(file)s: invalid JSON; check that the file is whole and each value well-formed")
        raise BadImportFile(in_english(why, file=filename)) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(filename) from exc
    if cases_at == 0:
        why = N_("%(file)s: expected a JSON list of cases or {'cases': [...]}")
        raise BadImportFile(in_english(why, file=filename))


def _parse_csv(text: IO[str], filename: str) -> Iterator[dict[str, Any]]:
    # newline="" (read_rows): the csv module reads \n, \r\n and old-Mac \r line ends
    # itself, also inside quoted cells.
    reader = csv.DictReader(text)
    try:
        missing = set(REQUIRED_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            why = N_("%(file)s: missing CSV columns: %(missing)s. Expected: %(expected)s")
            raise BadImportFile(
                in_english(
                    why,
                    file=filename,
                    missing=", ".join(sorted(missing)),
                    expected=", ".join(CSV_COLUMNS),
                )
            )
        for row in reader:
            yield _csv_row(row)
    except csv.Error as exc:
        # e.g. a cell longer than the csv module's limit (128 KiB), or a stray quote. The
        # DictReader's own line_num lags a row behind: it is set only once a row is read.
        raise BadImportFile(
            f"{filename}: line {reader.reader.line_num}: {exc}. "
            "Check the quoting and the cell lengths."
        ) from None


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """CSV cells are text: lists are ';'-separated, signals as 'kind:source'."""
    out: dict[str, Any] = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
    extra_cells = row.get(None)  # type: ignore[call-overload]
    if extra_cells:
        out["__extra_cells__"] = extra_cells
    for key in ("languages", "coordinator_motives"):
        if key in out:
            out[key] = [p.strip() for p in out[key].split(CSV_LIST_SEPARATOR) if p.strip()]
    if "signals" in out:
        out["signals"] = [
            _csv_signal(p) for p in out["signals"].split(CSV_LIST_SEPARATOR) if p.strip()
        ]
    return out


def _csv_signal(cell: str) -> dict[str, str]:
    kind, _, source = cell.partition(":")
    return {"kind": kind.strip().lower(), "source": source.strip() or "import"}


def validate_rows(
    rows: Iterable[dict[str, Any]],
    lawyers: dict[str, uuid.UUID],
    seen: set[str] | None = None,
    first_row: int = 1,
) -> tuple[list[tuple[CaseIn, uuid.UUID | None]], list[RowError]]:
    """The valid rows and the errors; ``seen`` holds the V-numbers of the file's earlier
    batches (a V-number twice in one file is an error, not "already present")."""
    valid: list[tuple[CaseIn, uuid.UUID | None]] = []
    errors: list[RowError] = []
    seen = set() if seen is None else seen
    for number, raw in enumerate(rows, start=first_row):
        v_number = str(raw.get("v_number")) if raw.get("v_number") else None
        if "__invalid__" in raw or "__extra_cells__" in raw:
            errors.append(
                RowError(
                    row=number,
                    v_number=v_number,
                    errors=["row: not a case record (wrong shape or extra cells)"],
                )
            )
            continue
        try:
            case = CaseIn.model_validate(raw)
            lawyer_id = resolve_lawyer(lawyers, case.lawyer)
        except ValidationError as exc:
            errors.append(RowError(row=number, v_number=v_number, errors=error_messages(exc)))
            continue
        except UnknownLawyer as exc:
            errors.append(RowError(row=number, v_number=v_number, errors=[exc.detail]))
            continue
        if case.v_number in seen:
            errors.append(
                RowError(
                    row=number,
                    v_number=case.v_number,
                    errors=["v_number: appears twice in this file"],
                )
            )
            continue
        seen.add(case.v_number)
        valid.append((case, lawyer_id))
    return valid, errors


def existing_v_numbers(db: Session, v_numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(v_numbers), 900):  # under SQLite's bound-parameter limit
        chunk = v_numbers[start : start + 900]
        query = select(Case.v_number).where(among(db, Case.v_number, chunk))
        found.update(db.connection().scalars(query))  # plain rows: no ORM work per batch
    return found


def import_rows(
    db: Session, rows: list[dict[str, Any]], actor: Actor, screen: bool = True
) -> ImportReport:
    """Import one batch of rows on its own (numbered from 1); see ``import_batch``."""
    return import_batch(db, rows, actor, screen).report


@dataclass(frozen=True)
class Imported:
    """A batch imported: its report, and per V-number of a case it created the state the
    case was written in and what that rests on (its track, or why it was excluded)."""

    report: ImportReport
    outcomes: dict[str, tuple[str, str]]


def import_batch(
    db: Session,
    rows: list[dict[str, Any]],
    actor: Actor,
    screen: bool = True,
    seen: set[str] | None = None,
    first_row: int = 1,
    lawyers: dict[str, uuid.UUID] | None = None,
    existing: set[str] | None = None,
) -> Imported:
    """Import one batch of rows (numbered from ``first_row``); see ``validate_rows``.
    ``lawyers``: the ``lawyer_index``, when the caller has read it for the whole file;
    ``existing``: the batch's V-numbers already stored, when the caller has looked.
    The new cases are screened before they are written, and written once, screened."""
    lawyers = lawyer_index(db) if lawyers is None else lawyers
    with older_objects_left_alone():
        valid, errors = validate_rows(rows, lawyers, seen, first_row)
        if existing is None:
            existing = existing_v_numbers(db, [c.v_number for c, _ in valid])
        prepared = _prepared(rows, valid, errors, existing, actor, screen)
    return write_batch(db, prepared, existing)


@dataclass
class Prepared:
    """A batch validated, screened and sealed, ready to be written (``write_batch``),
    decided without the database: ``prepare_batch`` takes every valid row for new (the
    writer checks that, and prepares again in the rare batch where some are stored)."""

    raw: list[dict[str, Any]]  # the batch's rows as read
    valid: list[tuple[CaseIn, uuid.UUID | None]]
    errors: list[RowError]
    new: "NewCases"
    actor: Actor
    screen: bool


@dataclass
class NewCases:
    """The new cases of a batch, as they are written: the engine's admission (cases,
    signals, events), the name keys and the screening."""

    cases: list[tuple[uuid.UUID, CaseIn]]
    admission: procedure.Admission | None
    names: Sequence[dict[str, object]]
    plan: ScreeningPlan | None


def prepare_batch(
    rows: list[dict[str, Any]],
    actor: Actor,
    screen: bool,
    lawyers: dict[str, uuid.UUID],
    seen: set[str],
    first_row: int,
    dialect: Dialect | None = None,
) -> Prepared:
    """A batch of a file prepared for ``write_batch`` without the database, so that it
    can be done while the last batch is written (``core.pipeline.prepared_ahead``); its
    rows formatted for ``dialect``'s driver too, when given."""
    with older_objects_left_alone():
        valid, errors = validate_rows(rows, lawyers, seen, first_row)
        return _prepared(rows, valid, errors, set(), actor, screen, dialect)


def _prepared(
    rows: list[dict[str, Any]],
    valid: list[tuple[CaseIn, uuid.UUID | None]],
    errors: list[RowError],
    existing: set[str],
    actor: Actor,
    screen: bool,
    dialect: Dialect | None = None,
) -> Prepared:
    new = [(c, lawyer) for c, lawyer in valid if c.v_number not in existing]
    return Prepared(rows, valid, errors, _prepare_new(new, actor, screen, dialect), actor, screen)


def write_batch(db: Session, prepared: Prepared, existing: set[str]) -> Imported:
    """Write a prepared batch whose V-numbers already stored are ``existing``."""
    valid = prepared.valid
    new_numbers = [c.v_number for c, _ in valid if c.v_number not in existing]
    new = prepared.new
    if new_numbers != [data.v_number for _, data in new.cases]:  # prepared as all new
        with older_objects_left_alone():
            fresh = [(c, lawyer) for c, lawyer in valid if c.v_number not in existing]
            new = _prepare_new(fresh, prepared.actor, prepared.screen)
    with older_objects_left_alone():
        screened, outcomes = _write_new(db, new)
    report = ImportReport(
        rows=len(prepared.raw),
        created=len(new.cases),
        skipped_existing=len(valid) - len(new.cases),
        failed=len(prepared.errors),
        screened=screened,
        errors=prepared.errors,
    )
    return Imported(report, outcomes)


def empty_report() -> ImportReport:
    return ImportReport(rows=0, created=0, skipped_existing=0, failed=0, screened={}, errors=[])


def add_up(total: ImportReport, done: ImportReport) -> None:
    """Add one batch's report to the file's totals."""
    total.rows += done.rows
    total.created += done.created
    total.skipped_existing += done.skipped_existing
    total.failed += done.failed
    for outcome, count in done.screened.items():
        total.screened[outcome] = total.screened.get(outcome, 0) + count
    total.errors += done.errors


def import_all(
    db: Session,
    rows: Iterable[dict[str, Any]],
    actor: Actor,
    screen: bool = True,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a whole file batch by batch in the caller's transaction, as its rows are
    read; ``progress`` hears the totals so far after each batch. The next batch is read
    and prepared while the last is written (``prepared_batches``)."""
    total = empty_report()
    prepared_ones = closing(prepared_batches(db, rows, actor, screen))
    with older_objects_left_alone(), bulk_page_cache(db), prepared_ones as ones:
        for prepared in ones:
            numbers = [c.v_number for c, _ in prepared.valid]
            done = write_batch(db, prepared, existing_v_numbers(db, numbers)).report
            add_up(total, done)
            if progress is not None:
                progress(total)
    return total


def prepared_batches(
    db: Session, rows: Iterable[dict[str, Any]], actor: Actor, screen: bool
) -> Generator[Prepared]:
    """The file's batches, each read, validated, screened, sealed and formatted; on a
    database server in a worker thread while the caller writes the one before (the
    server's work and this process's then overlap: two cores). The batches are prepared
    in order, so a V-number twice in the file is found as before.

    SQLite writes in this process, a row at a time, and lets go of Python's lock for
    each row: with a worker thread busy beside it, each row then waited for the worker
    to hand the lock back, and the cases' insert took four times as long as with no
    worker at all (bench/README.md, ``bench_import.py``'s results of 2026-12-07)."""
    seen: set[str] = set()
    lawyers = lawyer_index(db)
    starts = itertools.count(1, BATCH_ROWS)
    dialect = db.get_bind().dialect

    def prepare(batch: list[dict[str, Any]]) -> Prepared:
        return prepare_batch(batch, actor, screen, lawyers, seen, next(starts), dialect)

    if dialect.name == "sqlite":
        yield from map(prepare, batches(rows))
    else:
        yield from prepared_ahead(batches(rows), prepare)


def _profiles(
    case_ids: list[uuid.UUID], new: list[tuple[CaseIn, uuid.UUID | None]]
) -> dict[uuid.UUID, CaseProfile]:
    """What screening looks at, from the rows about to be written."""
    return {
        case_id: CaseProfile(
            data.nationality,
            tuple(data.languages),
            data.literacy,
            frozenset(s.kind for s in data.signals),
        )
        for case_id, (data, _) in zip(case_ids, new, strict=True)
    }


def _prepare_new(
    new: list[tuple[CaseIn, uuid.UUID | None]],
    actor: Actor,
    screen: bool,
    dialect: Dialect | None = None,
) -> NewCases:
    """The new cases' rows, screened first when ``screen`` (nothing written yet), and
    formatted for ``dialect``'s driver when given (``bulk.formatted``)."""
    if not new:
        return NewCases([], None, [], None)
    now = utcnow()
    ids = new_ids(len(new))
    plan = plan_screening(actor, _profiles(ids, new)) if screen else None
    admission = procedure.plan_admission(
        _case_rows(ids, new, now),
        actor,
        Reason.step(N_("imported from file")),
        signals=_signal_rows(ids, new, actor, now),
        moves=plan.moves if plan else (),
    )
    cases = [(case_id, data) for case_id, (data, _) in zip(ids, new, strict=True)]
    names: Sequence[dict[str, object]] = name_rows((i, d.applicant_name) for i, d in cases)
    if dialect is not None:
        admission = admission.formatted_for(dialect)
        names = formatted(dialect, CaseNameKey, names)
        plan = plan.formatted_for(dialect) if plan else None
    return NewCases(cases, admission, names, plan)


def _write_new(db: Session, new: NewCases) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """Write the new cases: the count per outcome, and each case's state and what it
    rests on (``Imported.outcomes``)."""
    if new.admission is None:
        return {}, {}
    states = procedure.write_admission(db, new.admission)
    insert_rows(db, CaseNameKey, new.names)
    plan = new.plan
    if plan is None:
        return {}, {data.v_number: (str(states[case_id]), "") for case_id, data in new.cases}
    record_screenings(db, plan)
    outcomes = {}
    for case_id, data in new.cases:
        verdict = plan.verdicts[case_id]
        track = TRACK_FOR.get(verdict.outcome)
        outcomes[data.v_number] = (str(states[case_id]), track.value if track else verdict.reason)
    return plan.counts, outcomes


def _case_rows(
    ids: list[uuid.UUID], new: list[tuple[CaseIn, uuid.UUID | None]], now: datetime
) -> list[dict[str, Any]]:
    """The rows of the new cases (their state is the engine's to write)."""
    cases = [(case_id, data) for case_id, (data, _) in zip(ids, new, strict=True)]
    names = seal_many(Case.applicant_name, [(i, d.applicant_name) for i, d in cases])
    births = seal_many(Case.date_of_birth, [(i, d.date_of_birth) for i, d in cases])
    notes = seal_many(Case.vulnerability_notes, [(i, d.vulnerability_notes) for i, d in cases])
    return [
        {
            "id": case_id,
            "v_number": d.v_number,
            "applicant_name": name,
            "date_of_birth": birth,
            "nationality": d.nationality,
            "languages": d.languages,
            "date_of_application": d.date_of_application,
            "lawyer_id": lawyer_id,
            "literacy": d.literacy.value,
            "coordinator_motives": [m.value for m in d.coordinator_motives],
            "vulnerability_notes": note,
            "created_at": now,
            "updated_at": now,
        }
        for case_id, (d, lawyer_id), name, birth, note in zip(
            ids, new, names, births, notes, strict=True
        )
    ]


def _signal_rows(
    ids: list[uuid.UUID], new: list[tuple[CaseIn, uuid.UUID | None]], actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    signals = [
        (uuid.uuid4(), case_id, signal)
        for case_id, (data, _) in zip(ids, new, strict=True)
        for signal in data.signals
    ]
    sources = seal_many(Signal.source, [(i, s.source) for i, _, s in signals])
    reasons = seal_many(Signal.reason, [(i, s.reason) for i, _, s in signals])
    return [
        {
            "id": signal_id,
            "case_id": case_id,
            "kind": signal.kind.value,
            "source": source,
            "reason": reason,
            "noted_at": signal.noted_at or now,
            "recorded_by_id": actor.user_id,
            "recorded_at": now,
        }
        for (signal_id, case_id, signal), source, reason in zip(
            signals, sources, reasons, strict=True
        )
    ]
