"""Who reads a dossier, and which copy: the lawyer only the lawyer's copy of their own
clients' cases; staff the full copy (or the lawyer's, to see what the lawyer sees)."""

from typing import Literal

from service.auth.access import STAFF
from service.core.actor import Actor
from service.models.auth import Role

READERS = (*STAFF, Role.LAWYER)
CopyName = Literal["staff", "lawyer"]
STAFF_COPY: CopyName = "staff"
LAWYER_COPY: CopyName = "lawyer"


def copy_for(actor: Actor, wanted: str | None) -> CopyName:
    if actor.is_(Role.LAWYER):
        return LAWYER_COPY
    return LAWYER_COPY if wanted == LAWYER_COPY else STAFF_COPY
