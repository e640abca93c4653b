"""Who sends and reads the lawyer's corrections and additions, and what each door of the
corrections receives already loaded and checked."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.cases.access import account_through, case_through
from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.cases import Case

SENDERS = (Role.LAWYER,)
READERS = tuple(sorted(roles_seeing("corrections", "items")))  # service/fields.py
# The IND's readers of the corrections (the lawyer writes them).
STAFF_READERS = tuple(r for r in READERS if r != Role.LAWYER)

# --- the doors' declarations: the endpoint receives the caller or the case, checked ----

Lawyer = Annotated[Actor, Depends(allow(*SENDERS))]
LawyerPage = Annotated[Actor, Depends(signed_in(*SENDERS))]
Reader = Annotated[Actor, Depends(allow(*READERS))]
ReaderPage = Annotated[Actor, Depends(signed_in(*READERS))]
# The lawyer's own client's case (a lawyer sees only their clients' cases).
ClientCase = Annotated[Case, Depends(case_through(allow(*SENDERS)))]
ClientCasePage = Annotated[Case, Depends(case_through(signed_in(*SENDERS)))]
# A case whose corrections the caller may read (a coordinator: only with their motive).
CorrectionsCase = Annotated[Case, Depends(account_through(allow(*READERS), "corrections"))]
CorrectionsCasePage = Annotated[Case, Depends(account_through(signed_in(*READERS), "corrections"))]
