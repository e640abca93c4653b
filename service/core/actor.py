"""Who is acting: a signed-in user, an applicant at a kiosk, or the system.

Roles are plain strings here so that ``core`` knows no domain; the auth domain's
``Role`` enum is a ``StrEnum`` and compares equal to them.
"""

import uuid
from dataclasses import dataclass

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    role: str
    user_id: uuid.UUID | None = None
    # Set for applicants: the only case their kiosk token reaches.
    case_id: uuid.UUID | None = None
    organisation: str | None = None
    # The agency of a translator, the location of a host, the motive a coordinator covers.
    agency_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    specialism: str | None = None

    def is_(self, *roles: str) -> bool:
        return self.role in roles


SYSTEM = Actor(role=SYSTEM_ROLE)
