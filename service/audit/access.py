"""The audit trail's declaration on a route: ``dependencies=[audited("answers.read")]``.

Every request to such a route writes one entry when it ends: who (as signed in), the
case (from the path), the request id, the purpose given (``?purpose=``) and the outcome,
including refused attempts (401/403/404). Successful reads are recorded before the
response leaves the worker thread: if the entry cannot be written, the data is not sent.

Code that serves sensitive data outside such a route (e.g. a dossier built by a job)
calls ``service.audit.service.append`` itself.
"""

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.audit import service
from service.auth.access import STAFF, allow, signed_in
from service.cases.access import case_through
from service.core import context
from service.core import db as db_module
from service.core.actor import Actor
from service.models.auth import Role
from service.models.cases import Case

MAX_PURPOSE = 500
# Staff see who looked at a case; a lawyer may ask for their own client's log.
AUDIT_READERS = (*STAFF, Role.LAWYER)


@dataclass
class AuditNote:
    """A witness (core/context.py) that records the request in the audit trail."""

    action: str
    case_id: uuid.UUID | None
    subject: str
    purpose: str

    def joins(self, db: Session) -> bool:
        """A success is recorded in the request's own transaction: one commit, not two
        (on PostgreSQL, which lets writers commit side by side, half the flushes). Not in
        a read's on SQLite: its one writer at a time would hold the write lock for the
        whole read (BEGIN IMMEDIATE; a deferred read cannot become a writer once others
        wrote), and the read is then recorded in a short transaction of its own."""
        return db.get_bind().dialect.name != "sqlite" or db_module.writing(db)

    def record(self, status: int, db: Session | None = None) -> None:
        """Write the entry: in the request's own transaction (``db``, see ``joins``),
        or in a transaction of its own (a refused or failed request: its work rolled
        back)."""
        if db is not None:
            self._write(db, status)
            return
        with db_module.request_unit_of_work(False) as own:
            db_module.begin_one_statement(own)
            self._write(own, status)

    def _write(self, db: Session, status: int) -> None:
        scope = context.current()
        service.note(
            db,
            scope.actor if scope else None,
            self.action,
            case_id=self.case_id,
            subject=self.subject,
            purpose=self.purpose,
            request_id=scope.request_id if scope else "",
            status=status,
        )


def about_case(case_id: uuid.UUID) -> None:
    """Name the case of this request's audit entry when the path does not (a V-number,
    a translation job)."""
    scope = context.current()
    for witness in scope.witnesses if scope else []:
        if isinstance(witness, AuditNote) and witness.case_id is None:
            witness.case_id = case_id


def _case_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def audited(action: str) -> Any:
    """Declare that a route's requests are recorded in the audit trail as ``action``."""

    async def note(request: Request) -> None:
        scope = context.current()
        if scope is None:
            return
        params = dict(request.path_params)
        case_id = _case_id(params.pop("case_id", None))
        subject = ",".join(f"{k}={v}" for k, v in sorted(params.items()))
        purpose = request.query_params.get("purpose", "")[:MAX_PURPOSE]
        scope.witnesses.append(AuditNote(action, case_id, subject, purpose))

    dependency: Callable[[Request], Coroutine[Any, Any, None]] = note
    dependency.audit_action = action  # type: ignore[attr-defined]
    return Depends(dependency)


AuditReader = Annotated[Actor, Depends(allow(*AUDIT_READERS))]
AuditReaderPage = Annotated[Actor, Depends(signed_in(*AUDIT_READERS))]
LoggedCase = Annotated[Case, Depends(case_through(allow(*AUDIT_READERS)))]
LoggedCasePage = Annotated[Case, Depends(case_through(signed_in(*AUDIT_READERS)))]
