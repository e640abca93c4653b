"""form proposals, draft versions, partner and form-owner roles

Chain partners propose questions, the form owner accepts them into a draft version of
the form (stored in the database until it is published, then frozen with its hash) or
rejects them; every step is an event. Two roles: ``partner`` and ``form_owner``. A draft's
translations record the hash of the source text they translated (stale when it changes).

Revision ID: 7c3f0a9e2b61
Revises: 3d9b6f0a1c72
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3f0a9e2b61"
down_revision: str | None = "3d9b6f0a1c72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = [
    "applicant",
    "lawyer",
    "planner",
    "host",
    "translator",
    "officer",
    "coordinator",
    "unit_1f",
    "admin",
    "interpreter",
]


def _roles(roles: list[str]) -> None:
    listed = ", ".join(f"'{r}'" for r in roles)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_known"), f"role IN ({listed})")


def upgrade() -> None:
    _roles([*ROLES, "partner", "form_owner"])
    op.create_table(
        "form_drafts",
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL AND content_hash IS NOT NULL)",
            name=op.f("ck_form_drafts_published_with_hash"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_form_drafts_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_form_drafts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_form_drafts_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_drafts")),
        sa.UniqueConstraint("form_id", "version", name=op.f("uq_form_drafts_form_id_version")),
    )
    op.create_index(op.f("ix_form_drafts_form_id"), "form_drafts", ["form_id"], unique=False)
    op.create_table(
        "form_proposals",
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("section_id", sa.String(length=60), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposer_id", sa.Uuid(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("draft_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('add', 'change', 'remove')", name=op.f("ck_form_proposals_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'rejected')",
            name=op.f("ck_form_proposals_status_known"),
        ),
        sa.CheckConstraint(
            "status <> 'accepted' OR draft_id IS NOT NULL",
            name=op.f("ck_form_proposals_accepted_in_draft"),
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR decision_reason IS NOT NULL",
            name=op.f("ck_form_proposals_rejected_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["form_drafts.id"], name=op.f("fk_form_proposals_draft_id_form_drafts")
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["users.id"], name=op.f("fk_form_proposals_proposer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_proposals")),
    )
    op.create_index(op.f("ix_form_proposals_form_id"), "form_proposals", ["form_id"])
    op.create_index(op.f("ix_form_proposals_proposer_id"), "form_proposals", ["proposer_id"])
    op.create_table(
        "form_proposal_events",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_form_proposal_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["form_proposals.id"],
            name=op.f("fk_form_proposal_events_proposal_id_form_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_proposal_events")),
    )
    op.create_index(
        op.f("ix_form_proposal_events_proposal_id"), "form_proposal_events", ["proposal_id"]
    )
    op.create_table(
        "form_draft_translations",
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("translated_by_id", sa.Uuid(), nullable=False),
        sa.Column("translated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["form_drafts.id"],
            name=op.f("fk_form_draft_translations_draft_id_form_drafts"),
        ),
        sa.ForeignKeyConstraint(
            ["translated_by_id"],
            ["users.id"],
            name=op.f("fk_form_draft_translations_translated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft_translations")),
        sa.UniqueConstraint(
            "draft_id",
            "language",
            "key",
            name=op.f("uq_form_draft_translations_draft_id_language_key"),
        ),
    )
    op.create_index(
        op.f("ix_form_draft_translations_draft_id"), "form_draft_translations", ["draft_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_form_draft_translations_draft_id"), table_name="form_draft_translations")
    op.drop_table("form_draft_translations")
    op.drop_index(op.f("ix_form_proposal_events_proposal_id"), table_name="form_proposal_events")
    op.drop_table("form_proposal_events")
    op.drop_index(op.f("ix_form_proposals_proposer_id"), table_name="form_proposals")
    op.drop_index(op.f("ix_form_proposals_form_id"), table_name="form_proposals")
    op.drop_table("form_proposals")
    op.drop_index(op.f("ix_form_drafts_form_id"), table_name="form_drafts")
    op.drop_table("form_drafts")
    op.execute("DELETE FROM users WHERE role IN ('partner', 'form_owner')")
    _roles(ROLES)
