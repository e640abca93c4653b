"""Who decides, who reviews, who reads the queue and the hand-off: the roles, and the
doors' declarations (an API alias ``X``, a page alias ``XPage``)."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from service.auth.access import (
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.cases.access import case_through
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.decisions.exceptions import NotAnOfficer
from service.fields import roles_seeing
from service.models.auth import Role, User
from service.models.cases import Case

OFFICERS = (Role.OFFICER,)
QUEUE_READERS = (Role.OFFICER, Role.ADMIN)
# Team lead, senior and hard-cases team are officers with those marks on their profile;
# the service checks the mark.
HANDOFF_READERS = tuple(sorted(roles_seeing("hand-off", "reason codes, motivation, estimate")))
# The actual length of the nader gehoor is recorded by whoever planned or held it.
HEARING_RECORDERS = (Role.OFFICER, Role.PLANNER)
# Officers record it through the API; planners on the case page.
HEARING_RECORDERS_ON_PAGES = (Role.PLANNER,)
PROFILE_KEEPERS = (Role.ADMIN,)
PLANNERS = (Role.PLANNER, Role.ADMIN)


def officer_user(db: Session, user_id: uuid.UUID) -> User:
    """The decision officer whose profile is kept."""
    user = db.get(User, user_id)
    if user is None or user.role != Role.OFFICER:
        raise NotAnOfficer(in_english(N_("No decision officer %(user)s."), user=user_id))
    return user


def officer_through(door: PermissionDependency) -> Callable[..., Any]:
    """A dependency giving the decision officer of the path's ``user_id``."""
    return through(door, "user_id", lambda db, user_id, _: officer_user(db, user_id))


Officer = Annotated[Actor, Depends(allow(*OFFICERS))]
OfficerPage = Annotated[Actor, Depends(signed_in(*OFFICERS))]
QueueReader = Annotated[Actor, Depends(allow(*QUEUE_READERS))]
HandoffReader = Annotated[Actor, Depends(allow(*HANDOFF_READERS))]
HearingRecorder = Annotated[Actor, Depends(allow(*HEARING_RECORDERS))]
HearingRecorderPage = Annotated[Actor, Depends(signed_in(*HEARING_RECORDERS_ON_PAGES))]
ProfileKeeper = Annotated[Actor, Depends(allow(*PROFILE_KEEPERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]

# The case of the path's ``case_id``, loaded through the cases' access rules, behind the
# door of the action's roles.
OfficersCase = Annotated[Case, Depends(case_through(allow(*OFFICERS)))]
OfficersCasePage = Annotated[Case, Depends(case_through(signed_in(*OFFICERS)))]
QueueReadersCase = Annotated[Case, Depends(case_through(allow(*QUEUE_READERS)))]
HandoffCase = Annotated[Case, Depends(case_through(allow(*HANDOFF_READERS)))]
RecordedCase = Annotated[Case, Depends(case_through(allow(*HEARING_RECORDERS)))]
RecordedCasePage = Annotated[Case, Depends(case_through(signed_in(*HEARING_RECORDERS_ON_PAGES)))]
KeptOfficer = Annotated[User, Depends(officer_through(allow(*PROFILE_KEEPERS)))]
