"""Who reads a dossier, and which copy: the lawyer only the lawyer's copy of their own
clients' cases; staff the full copy (or the lawyer's, to see what the lawyer sees)."""

from typing import Literal

from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role

# service/fields.py: the account's readers (a coordinator only on their motive's cases).
READERS = tuple(sorted(roles_seeing("dossier", "lawyer's copy (account with every layer)")))
CopyName = Literal["staff", "lawyer"]
STAFF_COPY: CopyName = "staff"
LAWYER_COPY: CopyName = "lawyer"


def copy_for(actor: Actor, wanted: str | None) -> CopyName:
    if actor.is_(Role.LAWYER):
        return LAWYER_COPY
    return LAWYER_COPY if wanted == LAWYER_COPY else STAFF_COPY
