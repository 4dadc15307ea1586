"""Staff posts that are a ticket's card (with its buttons)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 04:10:00

`staff_posts.card` marks the posts carrying «Ответить» / «Закрыть»: when the ticket is closed
they are rewritten as closed and lose the buttons (MAX), while notes and pictures are left as
they are. Older posts are not cards: a press on one of them is told the ticket is closed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_posts") as batch:
        batch.add_column(
            sa.Column("card", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_posts") as batch:
        batch.drop_column("card")
