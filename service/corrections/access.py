"""Who sends and reads the lawyer's corrections and additions."""

from service.fields import roles_seeing
from service.models.auth import Role

SENDERS = (Role.LAWYER,)
READERS = tuple(sorted(roles_seeing("corrections", "items")))  # service/fields.py
# The IND's readers of the corrections (the lawyer writes them).
STAFF_READERS = tuple(r for r in READERS if r != Role.LAWYER)
