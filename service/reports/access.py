"""Who reads the reports: planners and management (the coordinators), and the
administrator who stands in. The reports hold counts only, no personal data."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.core.actor import Actor
from service.models.auth import Role

READERS = (Role.PLANNER, Role.COORDINATOR, Role.ADMIN)

Reader = Annotated[Actor, Depends(allow(*READERS))]
ReaderPage = Annotated[Actor, Depends(signed_in(*READERS))]
