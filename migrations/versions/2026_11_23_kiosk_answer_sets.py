"""kiosk answer sets: pinned form hash, the applicant's consent, the resume position

Revision ID: 8a1c3f0d2b77
Revises: 68451d13e05f
Create Date: 2026-11-23 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "8a1c3f0d2b77"
down_revision: str | None = "68451d13e05f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("form_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "consented_at", service.models.base.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("position", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answer_sets", schema=None) as batch_op:
        batch_op.drop_column("position")
        batch_op.drop_column("consented_at")
        batch_op.drop_column("form_hash")
