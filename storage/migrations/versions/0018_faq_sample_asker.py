"""Staff samples and panel versions remember whose question they hold, for /forget_me

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:30:00

A parent's unanswered question attached to an entry keeps the parent's words (sometimes a
name or a phone); `faq_staff_samples.asked_by` links it to the asker, and
`faq_entry_versions.asked` lists such questions of a version with their askers. Rows written
before have no link.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("faq_staff_samples", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asked_by", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_faq_staff_samples_asked_by"), ["asked_by"])
        batch_op.create_foreign_key(
            batch_op.f("fk_faq_staff_samples_asked_by_users"),
            "users",
            ["asked_by"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("faq_entry_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asked", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("faq_entry_versions", schema=None) as batch_op:
        batch_op.drop_column("asked")
    with op.batch_alter_table("faq_staff_samples", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_faq_staff_samples_asked_by_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_faq_staff_samples_asked_by"))
        batch_op.drop_column("asked_by")
