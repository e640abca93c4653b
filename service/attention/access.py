"""Who keeps the indicator lists, who sees and handles attention points, and who reads
the report: the roles (from the field table, ``service/fields.py``) and the doors'
declarations (an API alias ``X``, a page alias ``XPage``). No lawyer, agency, host or
applicant passes any of these doors."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from service.attention import service
from service.audit.access import about_case
from service.auth.access import PermissionDependency, allow, signed_in, through
from service.cases.exceptions import CaseNotFound
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.fields import ATTENTION_POINTS, roles_seeing
from service.models.attention import AttentionPoint, Indicator, IndicatorList
from service.models.auth import Role
from service.models.cases import Case

KEEPERS = (Role.UNIT_1F,)
LIST_READERS = tuple(
    sorted(
        roles_seeing(
            "indicator list",
            "indicators (text, Dutch, variants, periods, who added them and why), versions",
        )
    )
)
POINT_READERS = tuple(sorted(roles_seeing("case", ATTENTION_POINTS)))
# A person decides on a point: the officer at the workbench, or unit 1F.
HANDLERS = (Role.OFFICER, Role.UNIT_1F)
REVIEWERS = (Role.UNIT_1F,)
REPORT_READERS = tuple(
    sorted(
        roles_seeing(
            "attention report",
            "hits per list version, dismissed, signalled, per nationality and month",
        )
    )
)


def _case(db: Session, case_id: uuid.UUID, _actor: Actor) -> Case:
    # Every role through these doors sees the points of any case (the field table).
    found = db.get(Case, case_id)
    if found is None:
        raise CaseNotFound(in_english(N_("No case %(case)s that you may see."), case=case_id))
    return found


def _point(db: Session, point_id: uuid.UUID, _actor: Actor) -> AttentionPoint:
    point = service.point_by_id(db, point_id)
    about_case(point.case_id)
    return point


def _list(db: Session, list_id: uuid.UUID, _actor: Actor) -> IndicatorList:
    return service.list_by_id(db, list_id)


def _indicator(db: Session, indicator_id: uuid.UUID, _actor: Actor) -> Indicator:
    return service.indicator_by_id(db, indicator_id)


def case_of_points(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "case_id", _case)


def point_through(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "point_id", _point)


def list_through(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "list_id", _list)


def indicator_through(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "indicator_id", _indicator)


Keeper = Annotated[Actor, Depends(allow(*KEEPERS))]
KeeperPage = Annotated[Actor, Depends(signed_in(*KEEPERS))]
ListReader = Annotated[Actor, Depends(allow(*LIST_READERS))]
ListReaderPage = Annotated[Actor, Depends(signed_in(*LIST_READERS))]
Handler = Annotated[Actor, Depends(allow(*HANDLERS))]
HandlerPage = Annotated[Actor, Depends(signed_in(*HANDLERS))]
Reviewer = Annotated[Actor, Depends(allow(*REVIEWERS))]
ReviewerPage = Annotated[Actor, Depends(signed_in(*REVIEWERS))]
ReportReader = Annotated[Actor, Depends(allow(*REPORT_READERS))]
ReportReaderPage = Annotated[Actor, Depends(signed_in(*REPORT_READERS))]

CaseOfPoints = Annotated[Case, Depends(case_of_points(allow(*POINT_READERS)))]
KeepersList = Annotated[IndicatorList, Depends(list_through(allow(*KEEPERS)))]
KeepersListPage = Annotated[IndicatorList, Depends(list_through(signed_in(*KEEPERS)))]
ReadableList = Annotated[IndicatorList, Depends(list_through(allow(*LIST_READERS)))]
ReadableListPage = Annotated[IndicatorList, Depends(list_through(signed_in(*LIST_READERS)))]
KeepersIndicator = Annotated[Indicator, Depends(indicator_through(allow(*KEEPERS)))]
KeepersIndicatorPage = Annotated[Indicator, Depends(indicator_through(signed_in(*KEEPERS)))]
HandlersPoint = Annotated[AttentionPoint, Depends(point_through(allow(*HANDLERS)))]
HandlersPointPage = Annotated[AttentionPoint, Depends(point_through(signed_in(*HANDLERS)))]
