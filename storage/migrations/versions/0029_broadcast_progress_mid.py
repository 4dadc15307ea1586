"""Broadcasts keep the MAX id of their progress message

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 15:00:00

`broadcasts.progress_mid`: a MAX message is edited by its `mid` (a string), which the integer
`progress_message_id` (the message's `seq`) cannot hold. Without it only the process that sent
a MAX author's progress message could edit it: after a restart, or from `python -m bot worker`
or the CLI, the progress and the report went as new messages. Rows made before this revision
have none and are edited as before (a new message once, whose `mid` is then kept).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("broadcasts", sa.Column("progress_mid", sa.String(128), nullable=True))


def downgrade() -> None:
    op.drop_column("broadcasts", "progress_mid")
