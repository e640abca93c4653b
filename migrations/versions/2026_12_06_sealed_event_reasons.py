"""event reasons by kind and sealed; exclusion reasons and stored idempotent answers sealed

Revision ID: 3f7a9c2d1e55
Revises: 6b0d4c1e2f3a
Create Date: 2026-11-24 09:00:00

Each event's reason says what kind of text it is (``case_events.reason_kind``, see
``ReasonKind`` in service/workflow.py): who may read it follows from the kind, through
the field table, instead of the ``restricted`` flag a caller had to remember. Existing
rows get their kind from their event. Then ``case_events.reason`` (sealed bound to the
case and the kind: its integer id is only numbered on insert), ``cases.exclusion_reason``
and ``idempotency_keys.body`` are sealed in place like the answers; opened again on the
way down.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.core.crypto import Sealed, bound_place, open_at, seal_at

revision: str = "3f7a9c2d1e55"
down_revision: str | None = "6b0d4c1e2f3a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("step", "internal", "exclusion", "decision", "review")
# The kind of each existing event's reason, from its event (the first match wins).
CLASSIFY = """
UPDATE case_events SET reason_kind = CASE
    WHEN restricted OR to_state = 'excluded' THEN 'exclusion'
    WHEN event IN ('submit_for_review', 'send_back') THEN 'review'
    WHEN event = 'decide_on_form' AND reason LIKE 'four eyes%' THEN 'review'
    WHEN event IN ('decide_on_form', 'order_physical_hearing') THEN 'decision'
    WHEN event = 'reassign' THEN 'internal'
    ELSE 'step'
END
"""
# Sealed bound to their row id.
BY_ID = [("cases", "exclusion_reason"), ("idempotency_keys", "body")]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _uuid(raw: Any) -> uuid.UUID:
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


def _row_key(row_id: uuid.UUID) -> Any:
    # SQLite stores SQLAlchemy's Uuid as 32 hex digits; PostgreSQL as a uuid.
    return row_id.hex if _sqlite() else row_id


def _update(sql: str, values: list[dict[str, Any]]) -> None:
    if values:
        op.get_bind().execute(sa.text(sql), values)


def _by_id(table: str, column: str, change: Any) -> None:
    rows = op.get_bind().execute(
        sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
    )
    values = []
    for raw_id, value in rows:
        row_id = _uuid(raw_id)
        values.append({"id": _row_key(row_id), "value": change(table, column, row_id, value)})
    _update(f"UPDATE {table} SET {column} = :value WHERE id = :id", values)  # noqa: S608


def _events(change: Any) -> None:
    rows = op.get_bind().execute(
        sa.text("SELECT id, case_id, reason_kind, reason FROM case_events")
    )
    values = []
    for row_id, case_id, kind, value in rows:
        place = bound_place(_uuid(case_id), kind)
        values.append({"id": row_id, "value": change("case_events", "reason", place, value)})
    _update("UPDATE case_events SET reason = :value WHERE id = :id", values)


def _seal(table: str, column: str, place: object, value: str) -> str:
    sealed = seal_at("text", table, column, place, value)
    assert sealed is not None
    return sealed.token


def _open(table: str, column: str, place: object, value: str) -> str:
    opened: str = open_at("text", table, column, place, Sealed(value))
    return opened


def upgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_kind", sa.String(length=10), nullable=True))
    op.execute(CLASSIFY)
    known = "reason_kind IN ({})".format(", ".join(f"'{k}'" for k in KINDS))
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.alter_column("reason_kind", existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(op.f("ck_case_events_reason_kind_known"), known)
        batch_op.drop_column("restricted")
    _events(_seal)
    for table, column in BY_ID:
        _by_id(table, column, _seal)


def downgrade() -> None:
    for table, column in BY_ID:
        _by_id(table, column, _open)
    _events(_open)
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Every exclusion was shown neutrally; before, only a signal's was marked.
    op.execute("UPDATE case_events SET restricted = true WHERE reason_kind = 'exclusion'")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_case_events_reason_kind_known"), type_="check")
        batch_op.drop_column("reason_kind")
