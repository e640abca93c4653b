"""drop the cases' state index

``ix_cases_state`` (state) is the first column of ``ix_cases_state_target`` and of
``ix_cases_list``, which serve every lookup by state; it only cost every case write (an
import's rows, each change of state) one more index to keep (issue 17).

Revision ID: 9a1e4c7b2d05
Revises: 5e2b7d9c1a46
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9a1e4c7b2d05"
down_revision: str | None = "5e2b7d9c1a46"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_state"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)
