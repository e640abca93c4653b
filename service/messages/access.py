"""Everyone signed in reads the messages sent to them; planners see those that failed."""

from service.models.auth import Role

# Applicants get no e-mail; every other role may have been written to.
RECIPIENTS = tuple(role for role in Role if role is not Role.APPLICANT)
PLANNERS = (Role.PLANNER, Role.ADMIN)
# The development mailbox (never in production).
ANYONE = tuple(Role)
