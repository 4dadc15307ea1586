"""Broadcasts remember that their progress message was already sent anew

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 18:00:00

`broadcasts.progress_anew`: the progress message the bot could not edit is sent anew once;
one it then cannot edit in turn is left alone (no loop). Only the process that sent it knew
that, so a `worker` of its own or the bot after a restart sent the report anew once more.
Rows made before this revision count as not sent anew (one more new message at most).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "broadcasts",
        sa.Column("progress_anew", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("progress_anew")
