"""audit trail without a lock: entries numbered by the database and their writer, sealed

Revision ID: 3f7e2a9c5d10
Revises: 7c3e9a51d2b4
Create Date: 2026-12-06 15:30:00

``seq`` becomes an identity column (PostgreSQL) or AUTOINCREMENT (SQLite); each entry
gets ``writer``/``writer_seq`` and a ``digest`` of its own content instead of the chain
columns; ``audit_seals`` chains the entries in batches. Existing entries are checked
against their old chain first (a broken chain stops the migration: run ``hearing audit
verify`` on the previous version), then given writer "chain" (``writer_seq = seq``) and
their digest; the sealer seals them on its first run. On PostgreSQL the append-only
triggers are off only while the migration rewrites the existing rows, in its
transaction.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "3f7e2a9c5d10"
down_revision: str | None = "7c3e9a51d2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIGRATED_WRITER = "chain"
GENESIS = "0" * 64
CONTENT = (
    "at",
    "actor_id",
    "actor_role",
    "action",
    "case_id",
    "subject",
    "request_id",
    "purpose",
    "outcome",
    "status",
)

SEALS_APPEND_ONLY = """
CREATE TRIGGER audit_seals_append_only
    BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_seals_no_truncate
    BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rebuild() -> Any:
    return "auto" if _postgres() else "always"


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def _content(row: Any) -> dict[str, Any]:
    content = {name: getattr(row, name) for name in CONTENT}
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
    content["at"] = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    for name in ("actor_id", "case_id"):
        value = content[name]
        if value is not None and not isinstance(value, str):
            content[name] = str(value)
        elif isinstance(value, str) and len(value) == 32:  # SQLite's hex form
            content[name] = f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return content


def _old_hash(row: Any, previous_hash: str) -> str:
    content = _content(row)
    content["seq"] = row.seq
    content["previous_hash"] = previous_hash
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def _digest(row: Any, writer: str, writer_seq: int) -> str:
    content = _content(row)
    content["writer"], content["writer_seq"] = writer, writer_seq
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def _rows(columns: str) -> Any:
    # Our own fixed column lists, no input.
    query = f"SELECT {columns} FROM audit_entries ORDER BY seq"  # noqa: S608
    return op.get_bind().execute(sa.text(query))


def upgrade() -> None:
    bind = op.get_bind()
    if _postgres():
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("writer", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("writer_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
        )
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))

    previous_hash, updates = GENESIS, []
    for row in _rows(f"seq, previous_hash, hash, {', '.join(CONTENT)}").all():
        if row.previous_hash != previous_hash or _old_hash(row, previous_hash) != row.hash:
            raise RuntimeError(
                f"the audit chain is broken at entry {row.seq}: not migrated "
                "(see `hearing audit verify` on the previous version)"
            )
        previous_hash = row.hash
        updates.append(
            {"s": row.seq, "w": MIGRATED_WRITER, "d": _digest(row, MIGRATED_WRITER, row.seq)}
        )
    if updates:
        bind.execute(
            sa.text(
                "UPDATE audit_entries SET writer = :w, writer_seq = seq, digest = :d WHERE seq = :s"
            ),
            updates,
        )

    # SQLite rebuilds the table (AUTOINCREMENT); PostgreSQL alters it in place and keeps
    # its triggers.
    with op.batch_alter_table(
        "audit_entries", recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint("uq_audit_entries_hash", type_="unique")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("hash")
        batch_op.alter_column("writer", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column(
            "writer_seq",
            existing_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        )
        batch_op.alter_column("digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_audit_entries_writer_writer_seq"), ["writer", "writer_seq"]
        )
        batch_op.create_check_constraint(
            op.f("ck_audit_entries_writer_seq_positive"), "writer_seq >= 1"
        )
        if not _postgres():
            batch_op.alter_column(
                "seq", existing_type=sa.Integer(), autoincrement=True, existing_nullable=False
            )

    if _postgres():
        op.execute(
            "ALTER TABLE audit_entries ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY"
        )
        op.execute(
            "SELECT setval(pg_get_serial_sequence('audit_entries', 'seq'),"
            " coalesce(max(seq), 0) + 1, false) FROM audit_entries"
        )
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER USER")

    op.create_table(
        "audit_seals",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "after_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("entries_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", service.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_audit_seals_number_positive")),
        sa.CheckConstraint("last_seq >= after_seq", name=op.f("ck_audit_seals_range_ordered")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_seals_hash")),
    )
    if _postgres():
        op.execute(SEALS_APPEND_ONLY)


def downgrade() -> None:
    """Back to one chain, rebuilt from the entries in ``seq`` order (the seals go)."""
    bind = op.get_bind()
    if _postgres():
        op.execute("DROP TRIGGER audit_seals_no_truncate ON audit_seals")
        op.execute("DROP TRIGGER audit_seals_append_only ON audit_seals")
    op.drop_table("audit_seals")
    if _postgres():
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        op.execute("ALTER TABLE audit_entries ALTER COLUMN seq DROP IDENTITY")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    previous_hash, updates = GENESIS, []
    for row in _rows(f"seq, {', '.join(CONTENT)}").all():
        new_hash = _old_hash(row, previous_hash)
        updates.append({"s": row.seq, "p": previous_hash, "h": new_hash})
        previous_hash = new_hash
    if updates:
        bind.execute(
            sa.text("UPDATE audit_entries SET previous_hash = :p, hash = :h WHERE seq = :s"),
            updates,
        )
    with op.batch_alter_table("audit_entries", recreate=_rebuild()) as batch_op:
        batch_op.drop_constraint(op.f("uq_audit_entries_writer_writer_seq"), type_="unique")
        batch_op.drop_constraint(op.f("ck_audit_entries_writer_seq_positive"), type_="check")
        batch_op.drop_column("writer")
        batch_op.drop_column("writer_seq")
        batch_op.drop_column("digest")
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_audit_entries_hash", ["hash"])
        if not _postgres():
            batch_op.alter_column(
                "seq", existing_type=sa.Integer(), autoincrement=False, existing_nullable=False
            )
    if _postgres():
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER USER")
