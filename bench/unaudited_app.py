"""The service with its audit trail switched off: the baseline of the audited read.

Bench only (bench_audit.py). Everything else is ``service.main:app`` itself: the same
routes, sign-in, access checks and presenters; only the audit note a route declares
writes nothing, so service / this is what the audit trail costs per request.
"""

from sqlalchemy.orm import Session

from service.audit.access import AuditNote


def _not_recorded(self: AuditNote, status: int, db: Session | None = None) -> None:
    return None


AuditNote.record = _not_recorded  # type: ignore[method-assign]

from service.main import app  # noqa: E402

__all__ = ["app"]
