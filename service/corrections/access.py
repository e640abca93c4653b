"""Who sends and reads the lawyer's corrections and additions."""

from service.models.auth import Role

SENDERS = (Role.LAWYER,)
READERS = (Role.LAWYER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
