"""Who screens cases against the eligibility policy, and who reads the screenings: the
doors' declarations (the API's ``X``, the page's ``XPage``)."""

from typing import Annotated

from fastapi import Depends

from service.auth.access import STAFF, allow, signed_in
from service.cases.access import case_through
from service.core.actor import Actor
from service.models.auth import Role
from service.models.cases import Case

SCREENERS = (Role.PLANNER, Role.ADMIN)

Screener = Annotated[Actor, Depends(allow(*SCREENERS))]
ScreenerPage = Annotated[Actor, Depends(signed_in(*SCREENERS))]
Staff = Annotated[Actor, Depends(allow(*STAFF))]
# The case of the path's ``case_id``, loaded through the cases' access rules.
ScreenableCase = Annotated[Case, Depends(case_through(allow(*SCREENERS)))]
ScreenableCasePage = Annotated[Case, Depends(case_through(signed_in(*SCREENERS)))]
StaffCase = Annotated[Case, Depends(case_through(allow(*STAFF)))]
