"""attention points: unit 1F's indicator lists and the hits in the answers

A new staff role (unit_1f); versioned indicator lists (a published version never
changes); attention points, one per hit, never an exclusion by themselves.

Revision ID: c41f0a7e9d23
Revises: 8d41c6e2a7f3
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.core.crypto
import service.models.base

revision: str = "c41f0a7e9d23"
down_revision: str | None = "8d41c6e2a7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES = "'applicant', 'lawyer', 'planner', 'host', 'translator', 'officer', 'coordinator'"
ROLES_BEFORE = f"role IN ({ROLES}, 'admin', 'interpreter')"
ROLES_AFTER = f"role IN ({ROLES}, 'unit_1f', 'admin', 'interpreter')"


def _roles(check: str) -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_known"), check)


def upgrade() -> None:
    _roles(ROLES_AFTER)
    op.create_table(
        "indicator_lists",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("keeper", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_indicator_lists_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_indicator_lists_name")),
    )
    op.create_table(
        "indicator_list_versions",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("published_at", service.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(published_at IS NULL) = (published_by_id IS NULL)",
            name=op.f("ck_indicator_list_versions_published_by_whom"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_indicator_list_versions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["indicator_lists.id"],
            name=op.f("fk_indicator_list_versions_list_id_indicator_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_indicator_list_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_list_versions")),
        sa.UniqueConstraint(
            "list_id", "number", name=op.f("uq_indicator_list_versions_list_id_number")
        ),
    )
    with op.batch_alter_table("indicator_list_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_list_versions_list_id"), ["list_id"], unique=False
        )

    op.create_table(
        "indicators",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("text_nl", sa.String(length=300), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'period' OR (valid_from IS NOT NULL AND valid_to IS NOT NULL)",
            name=op.f("ck_indicators_period_has_dates"),
        ),
        sa.CheckConstraint(
            "kind IN ('term', 'place', 'period', 'organisation', 'rank', 'role')",
            name=op.f("ck_indicators_kind_known"),
        ),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to",
            name=op.f("ck_indicators_dates_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_indicators_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["indicator_list_versions.id"],
            name=op.f("fk_indicators_version_id_indicator_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicators_version_id"), ["version_id"], unique=False)

    op.create_table(
        "attention_points",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("answer_key", sa.String(length=120), nullable=False),
        sa.Column("text_kind", sa.String(length=12), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("excerpt", service.core.crypto.Encrypted(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("found_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", service.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Uuid(), nullable=True),
        sa.Column("handled_role", sa.String(length=20), nullable=True),
        sa.Column("reason", service.core.crypto.Encrypted(), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(status = 'open') = (handled_at IS NULL)",
            name=op.f("ck_attention_points_handled_unless_open"),
        ),
        sa.CheckConstraint(
            "status <> 'signalled' OR signal_id IS NOT NULL",
            name=op.f("ck_attention_points_signal_kept"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'dismissed', 'signalled')",
            name=op.f("ck_attention_points_status_known"),
        ),
        sa.CheckConstraint(
            "text_kind IN ('original', 'translation', 'correction')",
            name=op.f("ck_attention_points_text_kind_known"),
        ),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start",
            name=op.f("ck_attention_points_span_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_attention_points_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_attention_points_handled_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_attention_points_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signals.id"], name=op.f("fk_attention_points_signal_id_signals")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["indicator_list_versions.id"],
            name=op.f("fk_attention_points_version_id_indicator_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_points")),
        sa.UniqueConstraint(
            "case_id", "fingerprint", name=op.f("uq_attention_points_case_id_fingerprint")
        ),
    )
    with op.batch_alter_table("attention_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attention_points_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attention_points_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attention_points_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attention_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attention_points_version_id"))
        batch_op.drop_index(batch_op.f("ix_attention_points_indicator_id"))
        batch_op.drop_index(batch_op.f("ix_attention_points_case_id"))

    op.drop_table("attention_points")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_version_id"))

    op.drop_table("indicators")
    with op.batch_alter_table("indicator_list_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_list_versions_list_id"))

    op.drop_table("indicator_list_versions")
    op.drop_table("indicator_lists")
    op.execute("DELETE FROM users WHERE role = 'unit_1f'")
    _roles(ROLES_BEFORE)
