"""broadcasts.include_private instead of a suffix

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:14:18.299887

Broadcasts to tagged groups only used to be marked by a ";groups" suffix on `audiences`;
the flag becomes a column, and the existing rows are rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUFFIX = ";groups"
broadcasts = sa.table(
    "broadcasts",
    sa.column("audiences", sa.String),
    sa.column("include_private", sa.Boolean),
)


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("include_private", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    marked = broadcasts.c.audiences.like(f"%{SUFFIX}")
    op.execute(
        broadcasts.update()
        .where(marked)
        .values(
            include_private=False,
            audiences=sa.func.substr(
                broadcasts.c.audiences, 1, sa.func.length(broadcasts.c.audiences) - len(SUFFIX)
            ),
        )
    )


def downgrade() -> None:
    op.execute(
        broadcasts.update()
        .where(broadcasts.c.include_private.is_(False))
        .values(audiences=broadcasts.c.audiences + SUFFIX)
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("include_private")
