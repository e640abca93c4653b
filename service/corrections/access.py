"""Who sends and reads the lawyer's corrections and additions."""

from service.fields import roles_seeing
from service.models.auth import Role

SENDERS = (Role.LAWYER,)
READERS = tuple(sorted(roles_seeing("corrections", "items")))  # service/fields.py
