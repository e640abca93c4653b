"""Who may see and extend terms: planners run the procedure's timetable. And what each
door of the terms receives already checked."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import STAFF, allow, signed_in
from service.cases.access import case_through
from service.core.actor import Actor
from service.models.auth import Role
from service.models.cases import Case

READERS = STAFF
EXTENDERS = (Role.PLANNER, Role.ADMIN)

# --- the doors' declarations: the endpoint receives the caller or the case, checked ----

Reader = Annotated[Actor, Depends(allow(*READERS))]
Extender = Annotated[Actor, Depends(allow(*EXTENDERS))]
ExtenderPage = Annotated[Actor, Depends(signed_in(*EXTENDERS))]
ReadableCase = Annotated[Case, Depends(case_through(allow(*READERS)))]
ExtendableCase = Annotated[Case, Depends(case_through(allow(*EXTENDERS)))]
ExtendableCasePage = Annotated[Case, Depends(case_through(signed_in(*EXTENDERS)))]
