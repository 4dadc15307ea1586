"""FAQ additions by staff: sample questions, entries, a version counter; screenshot questions

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-05 15:45:00

Staff attach unanswered questions to entries and write new entries in the bot; these rows are
merged into the YAML knowledge base at load, and `faq_version` (one row) tells every instance
that it should rebuild. `faq_queries.message_id` remembers the screenshot a question came with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = storage.models.UTCDateTime(timezone=True)
    op.create_table(
        "faq_staff_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_staff_entries")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_faq_staff_entries_entry_id")),
    )
    op.create_table(
        "faq_staff_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=1000), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_staff_samples")),
        sa.UniqueConstraint("entry_id", "question", name=op.f("uq_faq_staff_samples_entry_id")),
    )
    with op.batch_alter_table("faq_staff_samples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_faq_staff_samples_entry_id"), ["entry_id"], unique=False
        )
    version = op.create_table(
        "faq_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_version")),
    )
    assert version is not None
    op.bulk_insert(version, [{"id": 1, "version": 0, "updated_at": storage.models.utcnow()}])
    with op.batch_alter_table("faq_queries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("faq_queries", schema=None) as batch_op:
        batch_op.drop_column("message_id")
    op.drop_table("faq_version")
    with op.batch_alter_table("faq_staff_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_staff_samples_entry_id"))
    op.drop_table("faq_staff_samples")
    op.drop_table("faq_staff_entries")
