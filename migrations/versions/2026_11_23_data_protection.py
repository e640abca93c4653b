"""data protection: special-category columns encrypted at rest; the audit trail; idempotency keys

Revision ID: 6b0d4c1e2f3a
Revises: 9cbfbca38477
Create Date: 2026-11-23 04:10:00

Every listed column becomes text holding AES-GCM ciphertext (service/core/crypto.py),
including those the other branches marked sensitive (corrections, attachments, decisions,
consultations, reviews, hand-offs, translation versions, invitations, dossiers, TOTP
secrets); existing rows are sealed under the active data key in place, and opened again
on the way down.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import service.core.crypto
import service.models.base
from service.core.crypto import Kind, Sealed, open_at, seal_at

revision: str = "6b0d4c1e2f3a"
down_revision: str | None = "9cbfbca38477"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, kind, type before, nullable, server default before)
SEALED: list[tuple[str, str, Kind, Any, bool, str | None]] = [
    ("cases", "applicant_name", "text", sa.String(length=200), False, ""),
    ("cases", "date_of_birth", "date", sa.Date(), True, None),
    ("cases", "vulnerability_notes", "text", sa.Text(), False, None),
    ("signals", "source", "text", sa.String(length=200), False, None),
    ("signals", "reason", "text", sa.Text(), False, None),
    ("answer_sets", "answers", "json", sa.JSON(), False, None),
    ("translations", "answers_nl", "json", sa.JSON(), True, None),
    ("translation_versions", "answers_nl", "json", sa.JSON(), False, None),
    ("correction_items", "text", "text", sa.Text(), False, None),
    ("correction_attachments", "filename", "text", sa.String(length=200), False, None),
    ("correction_attachments", "content", "bytes", sa.LargeBinary(), False, None),
    ("consultations", "question", "text", sa.Text(), False, ""),
    ("consultations", "advice", "text", sa.Text(), True, None),
    ("decisions", "reason", "text", sa.Text(), False, None),
    ("decisions", "third_party_weighing", "text", sa.Text(), False, ""),
    ("decision_reviews", "proposal", "json", sa.JSON(), False, None),
    ("decision_reviews", "remarks", "text", sa.Text(), False, None),
    ("hearing_handoffs", "motivation", "text", sa.Text(), False, None),
    ("invitations", "note", "text", sa.Text(), False, None),
    ("invitations", "language_needs", "text", sa.Text(), False, ""),
    ("dossiers", "pdf", "bytes", sa.LargeBinary(), True, None),
    ("users", "totp_secret", "text", sa.String(length=64), True, None),
]
# PostgreSQL needs a cast to change a column's type. Every value is rewritten right
# after, so for bytes the cast only has to produce some text (and, down, some bytes).
POSTGRES_UP = {"bytes": "encode({column}, 'base64')"}
POSTGRES_DOWN = {
    "json": "{column}::json",
    "date": "{column}::date",
    "text": "{column}::text",
    "bytes": "convert_to({column}, 'UTF8')",
}


def _rows(table: str, column: str) -> list[tuple[uuid.UUID, Any]]:
    result = op.get_bind().execute(
        sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
    )
    return [(uuid.UUID(str(row_id)), value) for row_id, value in result]


def _plain(kind: Kind, raw: Any) -> Any:
    """A stored plaintext value as the Python value the column holds."""
    import json
    from datetime import date

    if kind == "json":
        return json.loads(raw) if isinstance(raw, str) else raw
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    if kind == "bytes":
        return bytes(raw)  # PostgreSQL's driver may hand out a memoryview
    return raw


def _write(table: str, column: str, values: list[dict[str, Any]]) -> None:
    if values:
        op.get_bind().execute(
            sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), values
        )


def _row_key(row_id: uuid.UUID) -> Any:
    # SQLite stores SQLAlchemy's Uuid as 32 hex digits; PostgreSQL as a uuid.
    return row_id.hex if op.get_bind().dialect.name == "sqlite" else row_id


APPEND_ONLY = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_entries_append_only
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate
    BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
"""


def _create_audit_trail() -> None:
    op.create_table(
        "audit_entries",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_entries_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entries_hash")),
    )
    op.create_index("ix_audit_entries_case_at", "audit_entries", ["case_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)


def _create_idempotency_keys() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("actor", "key", name=op.f("uq_idempotency_keys_actor_key")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )


def _drop_audit_trail() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_index("ix_audit_entries_case_at", table_name="audit_entries")
    op.drop_table("audit_entries")


def _create_dossier_downloads() -> None:
    op.create_table(
        "dossier_downloads",
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_dossier_downloads_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_downloads_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dossier_downloads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_downloads")),
    )
    with op.batch_alter_table("dossier_downloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_downloads_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_dossier_downloads_dossier_id"), ["dossier_id"])


def _drop_dossier_downloads() -> None:
    with op.batch_alter_table("dossier_downloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_downloads_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_downloads_case_id"))
    op.drop_table("dossier_downloads")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "anonymised_at", service.models.base.UtcDateTime(timezone=True), nullable=True
            )
        )
    _create_audit_trail()
    _create_idempotency_keys()
    # Dossier downloads are recorded in the audit trail now ("dossier.download"); the
    # interim table of the dossier work held no released data.
    _drop_dossier_downloads()
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column, kind, before, nullable, _ in SEALED:
        sealed = []  # read before the type changes: bytes do not survive a cast to text
        for row_id, raw in _rows(table, column):
            token = seal_at(kind, table, column, row_id, _plain(kind, raw))
            assert token is not None
            sealed.append({"id": _row_key(row_id), "value": token.token})
        using = POSTGRES_UP.get(kind, "{column}::text").format(column=column)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=before,
                type_=service.core.crypto.Encrypted(kind),
                existing_nullable=nullable,
                server_default=None,
                postgresql_using=using if postgres else None,
            )
        _write(table, column, sealed)


def downgrade() -> None:
    import json

    _drop_audit_trail()
    _create_dossier_downloads()
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")

    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column, kind, before, nullable, default in reversed(SEALED):
        opened = []
        for row_id, raw in _rows(table, column):
            value = open_at(kind, table, column, row_id, Sealed(raw))
            if kind == "json":
                value = json.dumps(value)
            elif kind == "date":
                value = value.isoformat()
            opened.append({"id": _row_key(row_id), "value": value})
        # Bytes do not survive a cast from text; on SQLite the batch copy casts to DATE,
        # a numeric affinity ('1991-05-17' becomes 1991): write those after the change.
        after = kind == "bytes" or (kind == "date" and not postgres)
        if not after:
            _write(table, column, opened)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=service.core.crypto.Encrypted(kind),
                type_=before,
                existing_nullable=nullable,
                server_default=default,
                postgresql_using=POSTGRES_DOWN[kind].format(column=column) if postgres else None,
            )
        if after:
            _write(table, column, opened)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
