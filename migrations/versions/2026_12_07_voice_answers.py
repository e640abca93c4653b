"""voice answers

Spoken answers recorded at the kiosk (low-literacy mode), sealed at rest; the host's
low-literacy switch on the booking; the agency's transcriptions beside the Dutch text.

Revision ID: 7c3d9e1f5a20
Revises: 7c1f4e9a2b30
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3d9e1f5a20"
down_revision: str | None = "7c1f4e9a2b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_recordings",
        sa.Column("answer_set_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("upload_sha256", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("reported_ms", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "duration_ms > 0", name=op.f("ck_voice_recordings_duration_positive")
        ),
        sa.ForeignKeyConstraint(
            ["answer_set_id"],
            ["answer_sets.id"],
            name=op.f("fk_voice_recordings_answer_set_id_answer_sets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_recordings")),
        sa.UniqueConstraint(
            "answer_set_id", "question_id", name=op.f("uq_voice_recordings_answer_set_id_question_id")
        ),
    )
    with op.batch_alter_table("voice_recordings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_recordings_answer_set_id"), ["answer_set_id"], unique=False
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("low_literacy", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for table in ("translations", "translation_versions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("transcriptions", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ("translation_versions", "translations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("transcriptions")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("low_literacy")
    with op.batch_alter_table("voice_recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_recordings_answer_set_id"))
    op.drop_table("voice_recordings")
