"""Who sends and reads the lawyer's corrections and additions."""

from service.models.auth import Role

SENDERS = (Role.LAWYER,)
STAFF_READERS = (Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
READERS = (Role.LAWYER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
