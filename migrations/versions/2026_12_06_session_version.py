"""session version, case list index

A version number on group sessions, so that two planners editing one session at once
get one save and one clear refusal instead of a lost update; a covering index for the
planner's case list (its counts per filter and its page of ids).

Revision ID: 5a7e2c91d4b8
Revises: b060d72063c0
Create Date: 2026-12-06 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a7e2c91d4b8"
down_revision: str | None = "b060d72063c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearing_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_list",
            [
                "state",
                "track",
                "nationality",
                "lawyer_id",
                "target_date",
                "date_of_application",
                "v_number",
                "id",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_list")
    with op.batch_alter_table("hearing_sessions", schema=None) as batch_op:
        batch_op.drop_column("version")
