"""What the access log shows: staff see who; an applicant's lawyer sees which role."""

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from pydantic import BaseModel

from service.core.actor import Actor
from service.fields import ATTENTION_EVENTS, visibility
from service.models.attention import ATTENTION_ACTIONS
from service.models.audit import AuditEntry
from service.models.auth import Role


class AccessLogEntry(BaseModel):
    at: datetime
    role: str
    action: str
    outcome: str
    purpose: str
    # Staff only: which account, and the request id to find it in the logs.
    who: str | None = None
    request_id: str | None = None

    @classmethod
    def present(cls, entry: AuditEntry, who: str | None, actor: Actor) -> Self:
        staff = not actor.is_(Role.LAWYER)
        return cls(
            at=entry.at,
            role=entry.actor_role,
            action=entry.action,
            outcome=entry.outcome,
            purpose=entry.purpose,
            who=who if staff else None,
            request_id=entry.request_id if staff else None,
        )


@dataclass(frozen=True)
class AccessLogPage:
    """One page of a case's access log, newest first; ``older`` is the ``before`` of the
    next page when older entries follow."""

    entries: list[AccessLogEntry]
    older: int | None

    @classmethod
    def present(cls, found: list[tuple[AuditEntry, str | None]], limit: int, actor: Actor) -> Self:
        """``found``: up to ``limit + 1`` entries, the extra one telling that more follow."""
        # Reads of attention points are not for those who may not see them (the field
        # table): that a case was looked at for 1F stays inside the IND.
        hidden = not visibility("timeline", ATTENTION_EVENTS).sees(actor.role)
        entries = [
            AccessLogEntry.present(e, who, actor)
            for e, who in found[:limit]
            if not (hidden and e.action.startswith(ATTENTION_ACTIONS))
        ]
        return cls(entries, found[limit - 1][0].seq if len(found) > limit else None)
