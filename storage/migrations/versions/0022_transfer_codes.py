"""One-time codes that move a person's data to another messenger account

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:40:00

`transfer_codes` holds the hash of each code /move gave, whose data it moves and until when
(15 minutes). No foreign key to `users`: a code of an account deleted since (/forget_me) is
refused with its own words, not as an unknown code.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfer_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_transfer_codes")),
    )
    op.create_index(op.f("ix_transfer_codes_user_id"), "transfer_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_transfer_codes_user_id"), table_name="transfer_codes")
    op.drop_table("transfer_codes")
