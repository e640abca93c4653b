"""decline reason

The lawyer's reason for declining, from a fixed list (issue 18: consent declines by
reason). Declines recorded before have none (NULL: not recorded).

Revision ID: 5e2b7d9c1a46
Revises: 7c4a1d2e8b90
Create Date: 2026-12-07 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b7d9c1a46"
down_revision: str | None = "7c4a1d2e8b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = (
    "prefers_physical_hearing",
    "cannot_read_or_write",
    "no_suitable_language",
    "health",
    "no_contact_with_client",
    "other",
)


def upgrade() -> None:
    listed = ", ".join(f"'{reason}'" for reason in REASONS)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decline_reason", sa.String(length=30), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_invitations_decline_reason_known"),
            f"decline_reason IS NULL OR (status = 'declined' AND decline_reason IN ({listed}))",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invitations_decline_reason_known"), type_="check")
        batch_op.drop_column("decline_reason")
