"""interpreter role

Interpreters sign in to record the questionnaires' spoken prompts (issue 19): the
users' role check learns the new role.

Revision ID: 7c1f4e9a2b30
Revises: 5a7e2c91d4b8
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c1f4e9a2b30"
down_revision: str | None = "5a7e2c91d4b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("applicant", "lawyer", "planner", "host", "translator", "officer", "coordinator", "admin")
AFTER = (*BEFORE, "interpreter")


def _roles(roles: tuple[str, ...]) -> None:
    known = ", ".join(f"'{role}'" for role in roles)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_known"), f"role IN ({known})")


def upgrade() -> None:
    _roles(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE role = 'interpreter'")
    _roles(BEFORE)
