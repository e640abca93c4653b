"""The administrator's set-up that has no API door of its own: agencies and their
weekly capacity. Officer profiles go through ``decisions.service.set_profile``, the
service of ``PUT /officers/{id}/profile``."""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.errors import Conflict, NotFound
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.text import ShortText
from service.models.translation import Agency
from service.translation.service import create_agency


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[ShortText, Field(min_length=2)]
    capacity_per_week: Annotated[int, Field(ge=0, le=10_000)]
    active: bool = True


class AgencyNameTaken(Conflict):
    code = "agency_name_taken"


class AgencyNotFound(NotFound):
    code = "agency_not_found"


def save_agency(db: Session, data: AgencyIn, agency_id: uuid.UUID | None = None) -> Agency:
    """Create an agency, or change one's name, weekly capacity and whether it is used."""
    taken = db.scalar(select(Agency).where(Agency.name == data.name.strip()))
    if taken is not None and taken.id != agency_id:
        raise AgencyNameTaken(N_("An agency with this name exists already."), field="name")
    if agency_id is None:
        return create_agency(db, data.name, data.capacity_per_week)
    agency = db.get(Agency, agency_id)
    if agency is None:
        raise AgencyNotFound(in_english(N_("No agency %(agency)s."), agency=agency_id))
    agency.name, agency.capacity_per_week, agency.active = (
        data.name.strip(),
        data.capacity_per_week,
        data.active,
    )
    db.flush()
    return agency
