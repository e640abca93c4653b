"""Who may download the event log for process mining: the doors' declarations (the
API's ``X``, the page's ``XPage``). Pseudonymous, but still the whole procedure's
history: planners (who measure the procedure), coordinators and administrators."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.core.actor import Actor
from service.models.auth import Role

EXPORTERS = (Role.PLANNER, Role.COORDINATOR, Role.ADMIN)

Exporter = Annotated[Actor, Depends(allow(*EXPORTERS))]
ExporterPage = Annotated[Actor, Depends(signed_in(*EXPORTERS))]
