"""Who is acting: a signed-in user, an applicant at a kiosk, or the system."""

import uuid
from dataclasses import dataclass

from service.models.auth import Role

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    role: str
    user_id: uuid.UUID | None = None
    # Set for applicants: the only case their kiosk token reaches.
    case_id: uuid.UUID | None = None
    organisation: str | None = None

    def is_(self, *roles: Role) -> bool:
        return self.role in roles


SYSTEM = Actor(role=SYSTEM_ROLE)
