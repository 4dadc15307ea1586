"""Participation documents given out are recorded

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 11:30:00

`participation_documents`: one row per person and event whose participation confirmation
(DOCX for the аттестация) the bot gave out, with the messenger and the moment, so the yearly
report counts «выдано документов об участии». Asking again for the same event adds nothing
(unique event and person). /forget_me empties `user_id` and keeps the row: the count stays.
Documents given out before this revision were not recorded and are not counted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "participation_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("issued_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_participation_documents_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_documents")),
        sa.UniqueConstraint(
            "event_id", "user_id", name=op.f("uq_participation_documents_event_id")
        ),
    )
    op.create_index(
        "ix_participation_documents_issued_at", "participation_documents", ["issued_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_participation_documents_issued_at", table_name="participation_documents")
    op.drop_table("participation_documents")
