"""proposed question type

A partner proposing a new question chooses its type (open text, a date, a number, yes
or no, a choice) and, for a choice, the options' Dutch wording. Proposals made before
this were open questions (``long_text``, what accepting them made).

Revision ID: 4b8e2d6a9c13
Revises: 7c3f0a9e2b61
Create Date: 2026-12-07 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8e2d6a9c13"
down_revision: str | None = "7c3f0a9e2b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = "'text', 'long_text', 'date', 'number', 'yes_no', 'choice', 'multi_choice'"


def upgrade() -> None:
    with op.batch_alter_table("form_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
    op.execute("UPDATE form_proposals SET question_type = 'long_text' WHERE kind = 'add'")
    with op.batch_alter_table("form_proposals", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_form_proposals_question_type_known"), f"question_type IS NULL OR question_type IN ({TYPES})"
        )
        batch_op.create_check_constraint(
            op.f("ck_form_proposals_type_for_new"), "(kind = 'add') = (question_type IS NOT NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("form_proposals", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_form_proposals_type_for_new"), type_="check")
        batch_op.drop_constraint(op.f("ck_form_proposals_question_type_known"), type_="check")
        batch_op.drop_column("options")
        batch_op.drop_column("question_type")
