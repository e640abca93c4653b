"""Reads: the points of a case and the open ones, each with its indicator and list
version, and the report the security partners asked for."""

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from service.attention.schemas import PointOut, ReportRow
from service.models.attention import (
    AttentionPoint,
    Indicator,
    IndicatorList,
    IndicatorListVersion,
    PointStatus,
)
from service.models.cases import Case
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition

_POINTS = (
    select(AttentionPoint, Indicator, IndicatorListVersion, IndicatorList.name)
    .join(Indicator, Indicator.id == AttentionPoint.indicator_id)
    .join(IndicatorListVersion, IndicatorListVersion.id == AttentionPoint.version_id)
    .join(IndicatorList, IndicatorList.id == IndicatorListVersion.list_id)
)


def _present(
    rows: Sequence[Row[AttentionPoint, Indicator, IndicatorListVersion, str]],
) -> list[PointOut]:
    return [PointOut.present(p, i, v, n) for p, i, v, n in rows]


def questions_nl(db: Session, points: Iterable[PointOut]) -> dict[uuid.UUID, str]:
    """Per point, the question its answer key points at, in Dutch, from the form version
    the case answered ("" for a lawyer's addition, which answers no question)."""
    forms: dict[uuid.UUID, FormDefinition | None] = {}
    labels = {}
    for point in points:
        if point.case_id not in forms:
            answer_set = questionnaires.answer_set_of(db, db.get_one(Case, point.case_id))
            forms[point.case_id] = questionnaires.form_of(answer_set) if answer_set else None
        form = forms[point.case_id]
        answered = form is not None and point.answer_key
        labels[point.id] = form.label_for(point.answer_key, "nl") if form and answered else ""
    return labels


def points_of(db: Session, case_id: uuid.UUID) -> list[PointOut]:
    query = _POINTS.where(AttentionPoint.case_id == case_id).order_by(
        AttentionPoint.answer_key, AttentionPoint.text_kind, AttentionPoint.span_start
    )
    return _present(db.execute(query).all())


def point_out(db: Session, point_id: uuid.UUID) -> PointOut:
    return _present(db.execute(_POINTS.where(AttentionPoint.id == point_id)).all())[0]


def open_points(db: Session, limit: int = 500, offset: int = 0) -> list[tuple[PointOut, str]]:
    """The open points of every case, oldest first, with the case's V-number."""
    query = (
        _POINTS.add_columns(Case.v_number)
        .join(Case, Case.id == AttentionPoint.case_id)
        .where(AttentionPoint.status == PointStatus.OPEN)
        .order_by(AttentionPoint.found_at, AttentionPoint.id)
        .limit(limit)
        .offset(offset)
    )
    return [(PointOut.present(p, i, v, n), number) for p, i, v, n, number in db.execute(query)]


def report(db: Session) -> list[ReportRow]:
    """Hits per list version, per nationality and month found (UTC): how many were
    dismissed, how many led to a signal, how many are still open."""
    query = (
        select(
            IndicatorList.name,
            IndicatorListVersion.number,
            Case.nationality,
            AttentionPoint.found_at,
            AttentionPoint.status,
        )
        .join(IndicatorListVersion, IndicatorListVersion.id == AttentionPoint.version_id)
        .join(IndicatorList, IndicatorList.id == IndicatorListVersion.list_id)
        .join(Case, Case.id == AttentionPoint.case_id)
    )
    counted: Counter[tuple[str, int, str, str, str]] = Counter()
    for name, number, nationality, found_at, status in db.execute(query):
        counted[(name, number, nationality, found_at.strftime("%Y-%m"), status)] += 1
    groups = sorted({key[:4] for key in counted})
    return [
        ReportRow(
            list_name=name,
            version_number=number,
            nationality=nationality,
            period=month,
            hits=sum(counted[(name, number, nationality, month, s)] for s in PointStatus),
            dismissed=counted[(name, number, nationality, month, PointStatus.DISMISSED)],
            signalled=counted[(name, number, nationality, month, PointStatus.SIGNALLED)],
            open=counted[(name, number, nationality, month, PointStatus.OPEN)],
        )
        for name, number, nationality, month in groups
    ]
