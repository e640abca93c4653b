"""Attention points and unit 1F's indicator lists, for machines (staff only)."""

from collections.abc import Sequence

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.orm import Session

from service.attention import queries, service
from service.attention.access import (
    CaseOfPoints,
    Handler,
    HandlersPoint,
    Keeper,
    KeepersIndicator,
    KeepersList,
    ListReader,
    ReadableList,
    ReportReader,
    Reviewer,
)
from service.attention.schemas import (
    DismissIn,
    IndicatorIn,
    IndicatorOut,
    ListIn,
    ListOut,
    PointOut,
    PointSignalIn,
    PublishIn,
    ReportRow,
    VersionOut,
)
from service.audit.access import audited
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.models.attention import IndicatorListVersion

router = APIRouter(tags=["attention"], route_class=UnitOfWorkRoute)


def _version(db: Session, version: IndicatorListVersion) -> VersionOut:
    return VersionOut.present(version, list(service.indicators_of(db, version)))


@router.get("/attention/lists")
def lists(db: Session, actor: ListReader) -> Sequence[ListOut]:
    """Unit 1F's indicator lists."""
    return [ListOut.present(row) for row in service.lists(db)]


@router.post("/attention/lists", status_code=status.HTTP_201_CREATED)
def create_list(body: ListIn, db: Session, actor: Keeper) -> ListOut:
    """A new list with an empty draft."""
    return ListOut.present(service.create_list(db, actor, body))


@router.get("/attention/lists/{list_id}/versions")
def versions(
    indicator_list: ReadableList,
    db: Session,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[VersionOut]:
    """The versions of a list, newest first, each with its indicators; a page at a time."""
    found = service.versions_of(db, indicator_list, limit + 1, offset)
    return [_version(db, v) for v in page_of(found, limit, offset, request, response)]


@router.post("/attention/lists/{list_id}/indicators", status_code=status.HTTP_201_CREATED)
def add_indicator(
    indicator_list: KeepersList, body: IndicatorIn, db: Session, actor: Keeper
) -> IndicatorOut:
    """Add an indicator to the list's draft (a published version never changes)."""
    return IndicatorOut.present(service.add_indicator(db, actor, indicator_list, body))


@router.delete("/attention/indicators/{indicator_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_indicator(indicator: KeepersIndicator, db: Session, actor: Keeper) -> None:
    """Take an indicator out of a draft; refused (409) for a published version."""
    service.remove_indicator(db, actor, indicator)


@router.post("/attention/lists/{list_id}/publish")
def publish(indicator_list: KeepersList, body: PublishIn, db: Session, actor: Keeper) -> VersionOut:
    """Publish the draft: the answers are matched against it from now on."""
    return _version(db, service.publish(db, actor, indicator_list, body))


@router.get("/cases/{case_id}/attention-points", dependencies=[audited("attention.points.read")])
def points(case: CaseOfPoints, db: Session) -> Sequence[PointOut]:
    """The case's attention points, each with its answer, span, indicator and list version."""
    return queries.points_of(db, case.id)


@router.get("/attention/points/open", dependencies=[audited("attention.review.read")])
def open_points(
    db: Session,
    actor: Reviewer,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[PointOut]:
    """Unit 1F's review task: the open points, oldest first, a page at a time."""
    if not service.review_by_unit_1f():
        return []
    found = queries.open_points(db, limit + 1, offset)
    return [point for point, _ in page_of(found, limit, offset, request, response)]


@router.post(
    "/attention/points/{point_id}/dismissal", dependencies=[audited("attention.point.dismiss")]
)
def dismiss(point: HandlersPoint, body: DismissIn, db: Session, actor: Handler) -> PointOut:
    """Not a signal: close the point with the reason (an event on the case)."""
    service.dismiss(db, actor, point, body)
    return queries.point_out(db, point.id)


@router.post(
    "/attention/points/{point_id}/signal", dependencies=[audited("attention.point.signal")]
)
def raise_signal(
    point: HandlersPoint, body: PointSignalIn, db: Session, actor: Handler
) -> PointOut:
    """An NV/1F signal found in the point: the case leaves the written track."""
    service.raise_signal(db, actor, point, body)
    return queries.point_out(db, point.id)


@router.get("/attention/report")
def report(
    db: Session,
    actor: ReportReader,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[ReportRow]:
    """Hits per list version, dismissed and signalled, per nationality and month; the
    rows grow by the month, so a page at a time."""
    rows = queries.report(db)[offset : offset + limit + 1]
    return page_of(rows, limit, offset, request, response)
