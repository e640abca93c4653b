"""job outbox: background work recorded in the transaction that needs it

Revision ID: 7d2e9a41c0b5
Revises: 3f7a9c2d1e55
Create Date: 2026-12-06 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "7d2e9a41c0b5"
down_revision: str | None = "3f7a9c2d1e55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", service.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_job_outbox_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outbox")),
    )
    op.create_index("ix_job_outbox_created_at", "job_outbox", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_job_outbox_created_at", table_name="job_outbox")
    op.drop_table("job_outbox")
