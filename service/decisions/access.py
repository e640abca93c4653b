"""Who decides, who consults, who reads the queue."""

from service.fields import roles_seeing
from service.models.auth import Role

OFFICERS = (Role.OFFICER,)
QUEUE_READERS = (Role.OFFICER, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR,)
CONSULTATION_READERS = tuple(sorted(roles_seeing("consultation", "advice")))
