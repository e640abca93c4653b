"""Who may see the capacity forecast: the planners (the control tower) above all; the
coordinators may look too, and the administrator stands in for a planner."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.core.actor import Actor
from service.models.auth import Role

FORECAST_READERS = (Role.PLANNER, Role.COORDINATOR, Role.ADMIN)

ForecastReader = Annotated[Actor, Depends(allow(*FORECAST_READERS))]
ForecastReaderPage = Annotated[Actor, Depends(signed_in(*FORECAST_READERS))]
