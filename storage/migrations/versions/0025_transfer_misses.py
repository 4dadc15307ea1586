"""Wrong /move codes an account sent, kept an hour (a limit on guessing codes)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:00:00

`transfer_misses` holds the internal id of an account that sent a code nobody was given, and
when; past a few in an hour /move refuses that account's codes until the hour is over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfer_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_misses")),
    )
    op.create_index(op.f("ix_transfer_misses_user_id"), "transfer_misses", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_transfer_misses_user_id"), table_name="transfer_misses")
    op.drop_table("transfer_misses")
