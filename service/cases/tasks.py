import uuid

from service.auth.service import actor_of
from service.cases import import_runs
from service.core.db import unit_of_work
from service.core.jobs import huey
from service.models.auth import User
from service.models.cases import ImportRun


@huey.task()
def read_import(run_id: uuid.UUID) -> int:
    """Read and screen an uploaded file chunk by chunk, each chunk its own transaction, so
    the page's progress moves and a crash resumes after the last chunk that committed."""
    chunks = 0
    rows = None
    while True:
        with unit_of_work() as db:
            run = db.get(ImportRun, run_id)
            user = db.get(User, run.created_by_id) if run and run.created_by_id else None
            if run is None or user is None:
                return chunks
            rows = rows if rows is not None else import_runs.unread_rows(run)
            more = import_runs.process_chunk(db, run_id, actor_of(user), rows)
        chunks += 1
        if not more:
            return chunks
