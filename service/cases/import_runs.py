"""Import runs: a file read in batches through ``importing.import_batch``, its progress and
its result per row (``ImportResult``, downloadable as CSV), for the planner's import page.

Two ways in. The page keeps the uploaded file (sealed) until a background job has read
and screened it chunk by chunk, each chunk its own transaction (``start`` and
``process_chunk``), so the page shows progress and a crash resumes after the last chunk
that committed. ``hearing import-cases`` reads its file from disk in one transaction
(``import_file``) and records the same run, so the planner sees it beside the uploads.

Idempotent: a chunk that committed is skipped on a retry (its V-numbers exist), and a
file imported again creates nothing. The results of a run grow by appending one row
per row of the file: recording a chunk costs the same however far into the file it is.
"""

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from itertools import islice
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import importing
from service.cases.exceptions import BadImportFile
from service.cases.schemas import ImportReport, normalise_v_number
from service.core.actor import Actor
from service.core.bulk import insert_rows, older_objects_left_alone
from service.core.clock import utcnow
from service.core.db import bulk_page_cache
from service.models.cases import ImportResult, ImportRun, ImportStatus

CHUNK_ROWS = importing.BATCH_ROWS
RESULT_COLUMNS = ("row", "v_number", "result", "detail")
SHOWN_ON_THE_PAGE = 500  # rows per list on the run's page; the CSV has them all


def start(db: Session, content: bytes, filename: str, actor: Actor, screen: bool) -> ImportRun:
    """Record an upload; the file is checked for its shape at once (a bad file is refused
    on the form), the rows are read by the job."""
    rows = sum(1 for _ in importing.read_rows(io.BytesIO(content), filename))
    run = ImportRun(
        id=uuid.uuid4(),
        created_by_id=actor.user_id,
        filename=filename[:200],
        screen=screen,
        status=ImportStatus.QUEUED,
        content=content,
        rows_total=rows,
    )
    db.add(run)
    db.flush()
    return run


def _v_number(raw: dict[str, Any]) -> str:
    try:
        return normalise_v_number(str(raw.get("v_number") or ""))
    except ValueError:
        return str(raw.get("v_number") or "")


def unread_rows(run: ImportRun) -> Iterator[dict[str, Any]]:
    """The run's rows after those already done, read as they are needed: a job passes
    the same iterator to each ``process_chunk``, so the file is read once, not per chunk."""
    rows = importing.read_rows(io.BytesIO(run.content or b""), run.filename)
    return islice(rows, run.rows_done, None)


def process_chunk(
    db: Session, run_id: uuid.UUID, actor: Actor, rows: Iterator[dict[str, Any]] | None = None
) -> bool:
    """Read and screen the next chunk of a run (from ``rows``, else from its file);
    False once the run is finished."""
    run = db.get(ImportRun, run_id, with_for_update=True)
    if run is None or run.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return False
    try:
        chunk = list(islice(rows if rows is not None else unread_rows(run), CHUNK_ROWS))
    except BadImportFile as exc:
        _failed(run, exc.detail)
        return False
    run.status = ImportStatus.RUNNING
    _import_chunk(db, run, chunk, actor, seen=None, lawyers=None)
    if run.rows_done >= run.rows_total or not chunk:
        run.status, run.finished_at, run.content = ImportStatus.DONE, utcnow(), None
    db.flush()
    return run.status != ImportStatus.DONE


def import_file(
    db: Session,
    stream: IO[bytes],
    filename: str,
    actor: Actor,
    screen: bool = True,
    progress: Callable[[ImportReport], None] | None = None,
) -> tuple[ImportRun, ImportReport]:
    """A whole file read as it streams, batch by batch, in the caller's transaction, and
    recorded as a run (``hearing import-cases``); ``progress`` hears the totals so far
    after each batch."""
    run = ImportRun(
        id=uuid.uuid4(),
        created_by_id=actor.user_id,
        filename=filename[:200],
        screen=screen,
        status=ImportStatus.RUNNING,
        content=None,  # read from disk, not kept
    )
    db.add(run)
    db.flush()
    total = importing.empty_report()
    rows = importing.read_rows(stream, filename)
    # Each batch is read and prepared while the one before is written.
    prepared_ones = closing(importing.prepared_batches(db, rows, actor, screen))
    with older_objects_left_alone(), bulk_page_cache(db), prepared_ones as ones:
        for prepared in ones:
            done = _write_chunk(db, run, prepared)
            importing.add_up(total, done)
            run.rows_total = run.rows_done
            if progress is not None:
                progress(total)
    run.status, run.finished_at = ImportStatus.DONE, utcnow()
    db.flush()
    return run, total


def record_failure(db: Session, filename: str, actor: Actor, error: str) -> ImportRun:
    """A file ``import_file`` could not read (its transaction rolled back): the run
    says why, so the planner sees that too."""
    run = ImportRun(id=uuid.uuid4(), created_by_id=actor.user_id, filename=filename[:200])
    run.rows_total = run.rows_done = 0
    _failed(run, error)
    db.add(run)
    db.flush()
    return run


def _failed(run: ImportRun, error: str) -> None:
    run.status, run.error, run.finished_at = ImportStatus.FAILED, error, utcnow()
    run.content = None


def _import_chunk(
    db: Session,
    run: ImportRun,
    chunk: list[dict[str, Any]],
    actor: Actor,
    seen: set[str] | None,
    lawyers: dict[str, uuid.UUID] | None,
) -> ImportReport:
    """Import one chunk of the run's rows and append their results."""
    start_row = run.rows_done
    numbers = [_v_number(r) for r in chunk]
    existing = importing.existing_v_numbers(db, [n for n in numbers if n])
    done = importing.import_batch(
        db, chunk, actor, run.screen, seen, start_row + 1, lawyers, existing
    )
    return _record(db, run, numbers, existing, done)


def _write_chunk(db: Session, run: ImportRun, prepared: importing.Prepared) -> ImportReport:
    """Write one prepared chunk of the run's rows and append their results."""
    numbers = [_v_number(r) for r in prepared.raw]
    existing = importing.existing_v_numbers(db, [n for n in numbers if n])
    return _record(db, run, numbers, existing, importing.write_batch(db, prepared, existing))


def _record(
    db: Session,
    run: ImportRun,
    numbers: list[str],
    existing: set[str],
    done: importing.Imported,
) -> ImportReport:
    """Append the results of a chunk whose rows have ``numbers`` to the run."""
    start_row = run.rows_done
    report, outcome = done.report, done.outcomes
    refused = {e.row: "; ".join(e.errors) for e in report.errors}
    results = []
    for row, number in enumerate(numbers, start=start_row + 1):
        if row in refused:
            result, detail = "refused", refused[row]
        elif number in existing:
            result, detail = "existing", ""
        else:
            state, detail = outcome.get(number, ("", ""))
            result = f"imported:{state}"
        results.append(
            {"run_id": run.id, "row": row, "v_number": number, "result": result, "detail": detail}
        )
    insert_rows(db, ImportResult, results)
    run.rows_done = start_row + len(numbers)
    run.created += report.created
    run.skipped_existing += report.skipped_existing
    run.failed += report.failed
    return report


def summary(db: Session, run: ImportRun) -> dict[str, Any]:
    """What the run's page lists: the first excluded and the first refused rows (the CSV
    has every row)."""

    def first(result: str) -> list[ImportResult]:
        picked = (
            select(ImportResult)
            .where(ImportResult.run_id == run.id, ImportResult.result == result)
            .order_by(ImportResult.row)
            .limit(SHOWN_ON_THE_PAGE)
        )
        return list(db.scalars(picked))

    return {
        "excluded": first("imported:excluded"),
        "refused": first("refused"),
    }


def results_rows(db: Session, run: ImportRun) -> Iterable[tuple[Any, ...]]:
    """Every row's result, in the file's order, read as they are written out."""
    ordered = (
        select(ImportResult.row, ImportResult.v_number, ImportResult.result, ImportResult.detail)
        .where(ImportResult.run_id == run.id)
        .order_by(ImportResult.row)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    return (tuple(r) for r in db.execute(ordered))


def results_csv(db: Session, run: ImportRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(results_rows(db, run))
    return out.getvalue()
