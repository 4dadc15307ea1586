"""A question answered from the knowledge base remembers the answer's message

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 17:45:00

`faq_queries.answer_id` is the bot's answer in the asker's chat (Telegram's message id, MAX's
seq): «Спросить специалиста» under that answer forwards exactly the question it answered.
Rows written before have none and are still found by the answer's send time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("faq_queries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("faq_queries", schema=None) as batch_op:
        batch_op.drop_column("answer_id")
