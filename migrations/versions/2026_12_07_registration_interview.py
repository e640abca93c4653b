"""registration interview: the state of a prepared file, the track, the prepared files

The written registration interview (aanmeldgehoor) as a track of the procedure: a new
case state ``registration_prepared``, a new track ``registration`` and the table of the
registration officer's prepared files (the answers and their Dutch, sealed).

Revision ID: 3d9b6f0a1c72
Revises: c41f0a7e9d23
Create Date: 2026-12-07 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.core.crypto
import service.models.base

revision: str = "3d9b6f0a1c72"
down_revision: str | None = "c41f0a7e9d23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES_BEFORE = (
    "'imported', 'screened', 'invited', 'consented', 'declined', 'invitation_expired', "
    "'scheduled', 'checked_in', 'in_progress', 'submitted', 'in_translation', 'translated', "
    "'with_lawyer', 'corrections_received', 'no_corrections', 'corrections_term_expired', "
    "'ready_for_decision', 'claimed', 'in_review', 'decided_on_form', "
    "'physical_hearing_required', 'withdrawn', 'excluded'"
)
STATES_AFTER = STATES_BEFORE.replace("'in_review', ", "'in_review', 'registration_prepared', ")
TRACKS_BEFORE = "'replacing', 'preparatory'"
TRACKS_AFTER = "'replacing', 'preparatory', 'registration'"


def _known(states: str, tracks: str) -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_state_known"), f"state IN ({states})")
        batch_op.drop_constraint(op.f("ck_cases_track_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_cases_track_known"), f"track IS NULL OR track IN ({tracks})"
        )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_case_events_to_state_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_case_events_to_state_known"), f"to_state IN ({states})"
        )


def upgrade() -> None:
    op.create_table(
        "registration_files",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("form_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("answers", service.core.crypto.Encrypted(), nullable=False),
        sa.Column("answers_nl", service.core.crypto.Encrypted(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column(
            "selected_at", service.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "submitted_at", service.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "translated_at", service.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "prepared_at", service.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_registration_files_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_registration_files_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_files")),
        sa.UniqueConstraint("case_id", name=op.f("uq_registration_files_case_id")),
    )
    _known(STATES_AFTER, TRACKS_AFTER)


def downgrade() -> None:
    used = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM cases WHERE track = 'registration' "
            "OR id IN (SELECT case_id FROM case_events WHERE to_state = 'registration_prepared')"
        )
    )
    if used:
        raise RuntimeError(
            f"{used} cases took the written registration interview; their history would not "
            "fit the older schema. Not downgrading."
        )
    _known(STATES_BEFORE, TRACKS_BEFORE)
    op.drop_table("registration_files")
