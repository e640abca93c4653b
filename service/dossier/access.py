"""Who reads a dossier, and which copy: the lawyer only the lawyer's copy of their own
clients' cases; staff the full copy (or the lawyer's, to see what the lawyer sees).
The doors' declarations: an API alias ``X``, a page alias ``XPage``."""

from typing import Annotated, Literal

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.cases.access import account_through
from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.cases import Case

# service/fields.py: the account's readers (a coordinator only on their motive's cases).
READERS = tuple(sorted(roles_seeing("dossier", "lawyer's copy (account with every layer)")))
CopyName = Literal["staff", "lawyer"]
STAFF_COPY: CopyName = "staff"
LAWYER_COPY: CopyName = "lawyer"
ACCOUNT = "dossier"  # the field table's resource


def copy_for(actor: Actor, wanted: str | None) -> CopyName:
    if actor.is_(Role.LAWYER):
        return LAWYER_COPY
    return LAWYER_COPY if wanted == LAWYER_COPY else STAFF_COPY


Reader = Annotated[Actor, Depends(allow(*READERS))]
ReaderPage = Annotated[Actor, Depends(signed_in(*READERS))]
DossierCase = Annotated[Case, Depends(account_through(allow(*READERS), ACCOUNT))]
DossierCasePage = Annotated[Case, Depends(account_through(signed_in(*READERS), ACCOUNT))]
