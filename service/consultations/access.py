"""Who requests, who answers and who reads consultations: the roles, and the doors'
declarations (an API alias ``X``, a page alias ``XPage``)."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from service.audit.access import about_case
from service.auth.access import (
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.cases.access import account_through, case_through
from service.consultations import service
from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.cases import Case
from service.models.decisions import Consultation

REQUESTERS = (Role.OFFICER,)
# Coordinators answer on their motive; officers of the hard-cases team on KDT requests.
ADVISERS = (Role.COORDINATOR, Role.OFFICER)
COORDINATORS = (Role.COORDINATOR,)
READERS = tuple(sorted(roles_seeing("consultation", "advice")))  # service/fields.py
ACCOUNT = "consultation"  # the field table's resource: a coordinator on their motive only


def consultation_audited(db: Session, consultation_id: uuid.UUID) -> Consultation:
    """The consultation of the path, its case named in the request's audit entry."""
    consultation = service.consultation_by_id(db, consultation_id)
    about_case(consultation.case_id)
    return consultation


def consultation_through(door: PermissionDependency) -> Callable[..., Any]:
    """A dependency giving the consultation of the path's ``consultation_id``."""
    return through(door, "consultation_id", lambda db, ident, _: consultation_audited(db, ident))


Adviser = Annotated[Actor, Depends(allow(*ADVISERS))]
AdviserPage = Annotated[Actor, Depends(signed_in(*ADVISERS))]
Coordinator = Annotated[Actor, Depends(allow(*COORDINATORS))]
CoordinatorPage = Annotated[Actor, Depends(signed_in(*COORDINATORS))]
Requester = Annotated[Actor, Depends(allow(*REQUESTERS))]
CoordinatorsCase = Annotated[Case, Depends(case_through(allow(*COORDINATORS)))]
RequestersCase = Annotated[Case, Depends(case_through(allow(*REQUESTERS)))]
ReadersAccount = Annotated[Case, Depends(account_through(allow(*READERS), ACCOUNT))]
AdvisersAccountPage = Annotated[Case, Depends(account_through(signed_in(*ADVISERS), ACCOUNT))]
AnswerableConsultation = Annotated[Consultation, Depends(consultation_through(allow(*ADVISERS)))]
