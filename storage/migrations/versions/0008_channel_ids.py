"""Internal ids for MAX persons and groups (bot/core/ids.py)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:55:00

Telegram ids stay as they are (they fit in 52 bits); a MAX id gets a row here and is stored
everywhere else as ±(2**60 + seq). No existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_ids",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("external_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_channel_ids")),
        sa.UniqueConstraint("channel", "kind", "external_id", name=op.f("uq_channel_ids_channel")),
    )


def downgrade() -> None:
    op.drop_table("channel_ids")
