"""Who selects for the written registration interview and who reads its prepared files.

The registration officer is an officer (``Role.OFFICER``): the aanmeldgehoor is held by
the IND's officers, who read an applicant's answers already (service/fields.py,
``answers``); a file no decision is taken on needs no role of its own."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import allow, signed_in
from service.cases.access import case_through
from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.cases import Case

PLANNERS = (Role.PLANNER, Role.ADMIN)
# Who reads the prepared files: the registration officer (an officer), the administrator;
# the lawyer reads the answers only in the client's dossier (service/fields.py).
REGISTRATION_OFFICERS = tuple(
    sorted(roles_seeing("registration file", "answers, answers_nl") - {Role.LAWYER})
)

Planner = Annotated[Actor, Depends(allow(*PLANNERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]
RegistrationOfficer = Annotated[Actor, Depends(allow(*REGISTRATION_OFFICERS))]
RegistrationOfficerPage = Annotated[Actor, Depends(signed_in(*REGISTRATION_OFFICERS))]

PlannersCase = Annotated[Case, Depends(case_through(allow(*PLANNERS)))]
PlannersCasePage = Annotated[Case, Depends(case_through(signed_in(*PLANNERS)))]
OfficersCase = Annotated[Case, Depends(case_through(allow(*REGISTRATION_OFFICERS)))]
OfficersCasePage = Annotated[Case, Depends(case_through(signed_in(*REGISTRATION_OFFICERS)))]
