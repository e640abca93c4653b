"""Who requests, who answers and who reads consultations."""

from service.fields import roles_seeing
from service.models.auth import Role

REQUESTERS = (Role.OFFICER,)
# Coordinators answer on their motive; officers of the hard-cases team on KDT requests.
ADVISERS = (Role.COORDINATOR, Role.OFFICER)
COORDINATORS = (Role.COORDINATOR,)
READERS = tuple(sorted(roles_seeing("consultation", "advice")))  # service/fields.py
