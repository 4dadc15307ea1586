"""The «Кто ознакомился» lists the bot sent to staff remember their messages

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:30:00

`ack_list_posts` holds where each list (each of its parts) went: /forget_me rewrites them
without the person's name, a MAX message by its `mid` (`ref`). Lists sent before this
migration are not known and stay as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ack_list_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("head_id", sa.BigInteger(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=128), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcasts.id"],
            name=op.f("fk_ack_list_posts_broadcast_id_broadcasts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ack_list_posts")),
    )
    op.create_index(op.f("ix_ack_list_posts_broadcast_id"), "ack_list_posts", ["broadcast_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ack_list_posts_broadcast_id"), table_name="ack_list_posts")
    op.drop_table("ack_list_posts")
