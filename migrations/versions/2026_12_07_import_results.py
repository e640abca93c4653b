"""import results per row

An import run's result per row in a table of its own, one row each, appended with its
batch: the JSON list on the run was copied and written whole again after every batch
(quadratic in the file's rows).

Revision ID: 8d41c6e2a7f3
Revises: 7c3d1e5f9a20
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d41c6e2a7f3"
down_revision: str | None = "7c3d1e5f9a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNS = sa.table("import_runs", sa.column("id", sa.Uuid()), sa.column("results", sa.JSON()))
RESULTS = sa.table(
    "import_results",
    sa.column("run_id", sa.Uuid()),
    sa.column("row", sa.Integer()),
    sa.column("v_number", sa.Text()),
    sa.column("result", sa.String()),
    sa.column("detail", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "import_results",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("v_number", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["import_runs.id"], name=op.f("fk_import_results_run_id_import_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "row", name=op.f("pk_import_results")),
    )
    bind = op.get_bind()
    for run_id, results in bind.execute(sa.select(RUNS.c.id, RUNS.c.results)).all():
        rows = [
            {"run_id": run_id, "row": r[0], "v_number": r[1] or "", "result": r[2], "detail": r[3]}
            for r in results or []
        ]
        if rows:
            bind.execute(sa.insert(RESULTS), rows)
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("results")


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("results", sa.JSON(), nullable=True))
    bind = op.get_bind()
    found: dict[object, list[list[object]]] = {}
    ordered = sa.select(RESULTS).order_by(RESULTS.c.run_id, RESULTS.c.row)
    for r in bind.execute(ordered):
        found.setdefault(r.run_id, []).append([r.row, r.v_number, r.result, r.detail])
    for run_id, results in found.items():
        bind.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(results=results))
    bind.execute(sa.update(RUNS).where(RUNS.c.results.is_(None)).values(results=[]))
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.alter_column("results", existing_type=sa.JSON(), nullable=False)
    op.drop_table("import_results")
