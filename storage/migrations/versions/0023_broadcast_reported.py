"""Broadcasts remember when their author got the final report

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 04:30:00

`broadcasts.reported_at`: a broadcast cancelled while no worker was running it (the bot was
down, or stopped) was never reported; the worker now reports every cancelled one that started
and has no `reported_at`. Broadcasts that ended before this migration count as reported, so an
upgrade does not send old reports again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "broadcasts",
        sa.Column("reported_at", storage.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE broadcasts SET reported_at = COALESCE(finished_at, created_at) "
        "WHERE state IN ('done', 'cancelled', 'missed')"
    )


def downgrade() -> None:
    op.drop_column("broadcasts", "reported_at")
