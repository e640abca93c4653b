"""The import page's runs: the file is kept (sealed) until a background job has read and
screened it in chunks through ``importing.import_rows`` (the API's import), so the page
can show progress; then the result per row, downloadable as CSV.

Idempotent: a chunk that committed is skipped on a retry (its V-numbers exist), and a
file imported again creates nothing.
"""

import csv
import io
import uuid
from collections.abc import Iterator
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import importing
from service.cases.exceptions import BadImportFile
from service.cases.schemas import normalise_v_number
from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.cases import Case, ImportRun, ImportStatus

CHUNK_ROWS = 1000
RESULT_COLUMNS = ("row", "v_number", "result", "detail")


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
        results=[],
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
    start_row = run.rows_done
    try:
        chunk = list(islice(rows if rows is not None else unread_rows(run), CHUNK_ROWS))
    except BadImportFile as exc:
        run.status, run.error, run.finished_at = ImportStatus.FAILED, exc.detail, utcnow()
        run.content = None
        return False
    run.status = ImportStatus.RUNNING
    numbers = [_v_number(r) for r in chunk]
    existing = importing.existing_v_numbers(db, [n for n in numbers if n])
    report = importing.import_rows(db, chunk, actor, screen=run.screen)
    refused = {e.row: "; ".join(e.errors) for e in report.errors}
    cases = {
        c.v_number: c
        for c in db.scalars(select(Case).where(Case.v_number.in_([n for n in numbers if n])))
    }
    results = list(run.results)
    for offset, number in enumerate(numbers, start=1):
        row = start_row + offset
        if offset in refused:
            results.append([row, number, "refused", refused[offset]])
        elif number in existing:
            results.append([row, number, "existing", ""])
        else:
            case = cases.get(number)
            state = str(case.state) if case else ""
            detail = (case.exclusion_reason or case.track or "") if case else ""
            results.append([row, number, f"imported:{state}", detail])
    run.results = results
    run.rows_done = start_row + len(chunk)
    run.created += report.created
    run.skipped_existing += report.skipped_existing
    run.failed += report.failed
    if run.rows_done >= run.rows_total or not chunk:
        run.status, run.finished_at, run.content = ImportStatus.DONE, utcnow(), None
    db.flush()
    return run.status != ImportStatus.DONE


def results_csv(run: ImportRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(run.results)
    return out.getvalue()
