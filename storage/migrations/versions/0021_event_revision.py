"""Events count the changes their participants are told of

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 19:00:00

`events.revision` is the SEQUENCE of the event's .ics: the file sent with a notice of a new
time, place or a cancellation must carry a higher one than the file the teacher already has,
or a calendar app keeps the old entry. Existing events start at 0, as their files did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "events", sa.Column("revision", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("events", "revision")
