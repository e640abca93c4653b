"""Who may see and extend terms: planners run the procedure's timetable."""

from service.auth.access import STAFF
from service.models.auth import Role

READERS = STAFF
EXTENDERS = (Role.PLANNER, Role.ADMIN)
