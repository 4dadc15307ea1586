"""Staff posts that are a follow-up note with the desk's buttons

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 08:00:00

`staff_posts.note` marks a parent's later message posted to staff under «Ответить» / «Закрыть»:
when the ticket is closed the note keeps its text and loses the buttons, as its card does
(bot.services.tickets.desk.retire_cards). Older notes are not marked: a press on one of them
is told the ticket is closed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_posts") as batch:
        batch.add_column(
            sa.Column("note", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_posts") as batch:
        batch.drop_column("note")
