"""Dialog state as text: a MAX dialog keeps its answers in the step (the profile
questionnaire: name, organisation, the directory offered), which outgrew VARCHAR(255)
on PostgreSQL

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fsm_records", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.String(length=255),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("fsm_records", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.Text(),
            type_=sa.String(length=255),
            existing_nullable=True,
        )
