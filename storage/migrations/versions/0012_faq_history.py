"""FAQ entry versions saved from the web panel: history, who and when, revert

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 22:00:00

One row per save of a whole entry (storage.models.faq_history); the newest row of an entry id
overrides the YAML at load, older rows are the history. Saves bump `faq_version` as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_entry_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("kb_version", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("staff_name", sa.String(length=256), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_entry_versions")),
    )
    op.create_index(op.f("ix_faq_entry_versions_entry_id"), "faq_entry_versions", ["entry_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_faq_entry_versions_entry_id"), table_name="faq_entry_versions")
    op.drop_table("faq_entry_versions")
