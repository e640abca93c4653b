"""Who decides, who reviews, who reads the queue and the hand-off."""

from service.fields import roles_seeing
from service.models.auth import Role

OFFICERS = (Role.OFFICER,)
QUEUE_READERS = (Role.OFFICER, Role.ADMIN)
# Team lead, senior and hard-cases team are officers with those marks on their profile;
# the service checks the mark.
HANDOFF_READERS = tuple(sorted(roles_seeing("hand-off", "reason codes, motivation, estimate")))
# The actual length of the nader gehoor is recorded by whoever planned or held it.
HEARING_RECORDERS = (Role.OFFICER, Role.PLANNER)
PROFILE_KEEPERS = (Role.ADMIN,)
