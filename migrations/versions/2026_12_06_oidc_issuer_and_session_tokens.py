"""OIDC: accounts bound by issuer and subject; the provider's ID token and sid per session

Revision ID: 7c3e9a51d2b4
Revises: 7d2e9a41c0b5
Create Date: 2026-12-06 15:30:00

Accounts bound before this migration were bound to the one configured provider: they
keep their binding when ``HEARING_OIDC_ISSUER`` names it now; otherwise the binding is
dropped and an administrator links the account again (never a username match).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.core.crypto
from service.core.settings import get_settings

revision: str = "7c3e9a51d2b4"
down_revision: str | None = "7d2e9a41c0b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
    issuer = get_settings().oidc_issuer.strip() or None
    users = sa.table("users", sa.column("oidc_issuer"), sa.column("oidc_subject"))
    bound = users.c.oidc_subject.is_not(None)
    if issuer:
        op.execute(users.update().where(bound).values(oidc_issuer=issuer))
    else:
        op.execute(users.update().where(bound).values(oidc_subject=None))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_users_oidc_subject"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_users_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"]
        )
        batch_op.create_check_constraint(
            op.f("ck_users_oidc_issuer_with_subject"),
            "(oidc_issuer IS NULL) = (oidc_subject IS NULL)",
        )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("oidc_id_token", service.core.crypto.Encrypted(), nullable=True)
        )
        batch_op.add_column(sa.Column("oidc_sid", sa.String(length=255), nullable=True))
        batch_op.create_index(op.f("ix_web_sessions_oidc_sid"), ["oidc_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_web_sessions_oidc_sid"))
        batch_op.drop_column("oidc_sid")
        batch_op.drop_column("oidc_id_token")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_oidc_issuer_with_subject"), type_="check")
        batch_op.drop_constraint(op.f("uq_users_oidc_issuer_oidc_subject"), type_="unique")
    # One subject per column again: a subject bound at two issuers keeps the first.
    users = sa.table("users", sa.column("id"), sa.column("oidc_issuer"), sa.column("oidc_subject"))
    connection = op.get_bind()
    seen: set[str] = set()
    for user_id, subject in connection.execute(
        sa.select(users.c.id, users.c.oidc_subject)
        .where(users.c.oidc_subject.is_not(None))
        .order_by(users.c.oidc_issuer, users.c.id)
    ):
        if subject in seen:
            connection.execute(
                users.update().where(users.c.id == user_id).values(oidc_subject=None)
            )
        seen.add(subject)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_users_oidc_subject"), ["oidc_subject"])
        batch_op.drop_column("oidc_issuer")
