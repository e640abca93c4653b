"""The dossier's background job, and when it runs: whenever the dossier's content
changes (the engine's subscriber below) or a reader finds no PDF of the current content.
This module imports the domain's service, never the reverse."""

import uuid

from sqlalchemy.orm import Session

from service import procedure
from service.core.db import unit_of_work
from service.core.jobs import enqueue, huey, once
from service.dossier import service
from service.dossier.access import LAWYER_COPY, STAFF_COPY
from service.workflow import CaseState


@huey.task()
def render_dossier(case_id: uuid.UUID, copy: str) -> bool:
    """Render one copy of a case's dossier if its content changed (cached by hash)."""

    def job() -> bool:
        with unit_of_work() as db:
            return service.render(db, case_id, copy)

    return once(job)


def queue_render(db: Session, case_id: uuid.UUID, copy: str) -> None:
    """Render after the surrounding transaction commits; no request waits for it."""
    enqueue(db, render_dossier, case_id, copy)


@procedure.on_enter(
    CaseState.WITH_LAWYER,
    CaseState.CORRECTIONS_RECEIVED,
    CaseState.NO_CORRECTIONS,
    CaseState.CORRECTIONS_TERM_EXPIRED,
)
def _dossier_changed(db: Session, move: procedure.Move) -> None:
    """The dossier changed (the translation arrived, or the lawyer's turn ended): render
    both copies again in the background."""
    for copy in (STAFF_COPY, LAWYER_COPY):
        queue_render(db, move.case_id, copy)
