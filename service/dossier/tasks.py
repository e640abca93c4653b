"""The dossier's background job, and when it runs: whenever the dossier's content
changes (the engine's subscriber below) or a reader finds no PDF of the current content.
This module imports the domain's service, never the reverse."""

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from service import procedure
from service.core.db import unit_of_work
from service.core.jobs import enqueue, huey, once
from service.dossier import service
from service.dossier.access import LAWYER_COPY, STAFF_COPY
from service.dossier.exceptions import DossierNotReady, NoDossier
from service.dossier.rendering import render_pdf
from service.models.cases import Case
from service.questionnaires.service import answer_set_of
from service.workflow import CaseState


@huey.task()
def render_dossier(case_id: uuid.UUID, copy: str) -> bool:
    """Render one copy of a case's dossier if its content changed (cached by hash).

    Read, render, write: no transaction is open while the PDF renders (seconds). On
    SQLite a writer's transaction held through it kept every other writer of the
    service waiting on the one write lock, past its busy timeout when several dossiers
    rendered at once."""

    def job() -> bool:
        with unit_of_work(write=False) as db:
            found = service.due(db, case_id, copy)
        if found is None:
            return False
        pdf = render_pdf(found.document)
        with unit_of_work() as db:
            return service.store(db, case_id, copy, found.content_hash, pdf)

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
def _dossier_changed(db: Session, moves: Sequence[procedure.Move]) -> None:
    """The dossier changed (the translation arrived, or the lawyer's turn ended): render
    both copies again in the background, one job per dossier (each its own retry)."""
    for move in moves:
        for copy in (STAFF_COPY, LAWYER_COPY):
            queue_render(db, move.case_id, copy)


# --- what both doors show: the status, queueing the rendering when it is due -----------


def current(db: Session, case: Case, copy: str) -> service.Status:
    """The status of the case's current dossier, as both doors show it; queues the
    rendering when the content has no PDF yet."""
    if answer_set_of(db, case) is None:
        raise NoDossier("The applicant has not filled in the form yet: there is no dossier.")
    found = service.status(db, case, copy)
    if not found.ready:
        queue_render(db, case.id, copy)
    return found


def pdf_of(db: Session, case: Case, copy: str) -> tuple[bytes, str]:
    """The finished PDF of the current dossier and its file name; refused while it is
    being prepared."""
    found = current(db, case, copy)
    if found.dossier is None or found.dossier.pdf is None:
        raise DossierNotReady("The dossier is being prepared; try again in a few seconds.")
    return found.dossier.pdf, f"dossier-{case.v_number}-{copy}.pdf"
