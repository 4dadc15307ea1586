"""The outbox row's lease (outbox.claimed_until): one jobs loop sends a stored reply, not two

Two loops (`run` with jobs beside a `worker`) read the same rows; the one whose conditional
UPDATE set `claimed_until` sends the row, the other skips it until the lease runs out (a loop
that died mid-send leaves it behind).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_until", storage.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
