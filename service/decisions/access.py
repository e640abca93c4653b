"""Who decides, who consults, who reads the queue."""

from service.models.auth import Role

OFFICERS = (Role.OFFICER,)
QUEUE_READERS = (Role.OFFICER, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR,)
CONSULTATION_READERS = (Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
