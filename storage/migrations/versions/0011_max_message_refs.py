"""The messenger's own id of a staff post (staff_posts.ref: MAX's `mid.…`)

A MAX message is edited by its `mid`, not by the number the bot keeps; without it in the
database, /forget_me after a restart could not redact the posts sent to MAX admins.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ref", sa.String(length=128), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_posts", schema=None) as batch_op:
        batch_op.drop_column("ref")
