"""final decisions

The final outcome of a case after its written hearing (grant, unfounded, manifestly
unfounded, inadmissible): what the evaluation's grant rates per nationality count.

Revision ID: 7c3d1e5f9a20
Revises: 7c3d9e1f5a20
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3d1e5f9a20"
down_revision: str | None = "7c3d9e1f5a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "final_decisions",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('grant', 'unfounded', 'manifestly_unfounded', 'inadmissible')",
            name=op.f("ck_final_decisions_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_final_decisions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_final_decisions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_decisions")),
        sa.UniqueConstraint("case_id", name=op.f("uq_final_decisions_case_id")),
    )


def downgrade() -> None:
    op.drop_table("final_decisions")
