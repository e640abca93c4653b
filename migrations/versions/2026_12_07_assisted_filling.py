"""assisted filling

Assisted filling at the kiosk (issue 19): who may type for the applicant and the
consent on record, on the booking; who typed each answer, on the answer set.

Revision ID: 7c4a1d2e8b90
Revises: 4b8e2d6a9c13
Create Date: 2026-12-07 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4a1d2e8b90"
down_revision: str | None = "4b8e2d6a9c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_by", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("assisted_by_user_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("assisted_by_interpreter_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("assist_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("assist_consent_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_assisted_by_user_id_users"),
            "users",
            ["assisted_by_user_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_assisted_by_interpreter_id_session_interpreters"),
            "session_interpreters",
            ["assisted_by_interpreter_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_assist_consent_by_id_users"),
            "users",
            ["assist_consent_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_bookings_helper_known"),
            "assisted_by IS NULL OR assisted_by IN ('host', 'interpreter')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_bookings_assisted_with_consent"),
            "assisted_by IS NULL OR (assist_consent_at IS NOT NULL "
            "AND assist_consent_by_id IS NOT NULL)",
        )
    with op.batch_alter_table("answer_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("typists", sa.JSON(), server_default="{}", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("answer_sets", schema=None) as batch_op:
        batch_op.drop_column("typists")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_bookings_assisted_with_consent"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_bookings_helper_known"), type_="check")
        for name in (
            "fk_bookings_assist_consent_by_id_users",
            "fk_bookings_assisted_by_interpreter_id_session_interpreters",
            "fk_bookings_assisted_by_user_id_users",
        ):
            batch_op.drop_constraint(batch_op.f(name), type_="foreignkey")
        for column in (
            "assist_consent_by_id",
            "assist_consent_at",
            "assisted_by_interpreter_id",
            "assisted_by_user_id",
            "assisted_by",
        ):
            batch_op.drop_column(column)
