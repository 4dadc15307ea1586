"""Attendance is marked per meeting

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 05:00:00

`session_marks`: a participant ticked present at one meeting of an event. A workshop's weekly
meetings had one mark per registration between them, so unticking someone absent from the
second meeting took away the first meeting's tick too. `registrations.status` stays
`attended` while any meeting is ticked. A registration already `attended` gets its mark at the
latest meeting begun when it was ticked (its `updated_at`), or at the first meeting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_marks",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_session_marks_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_sessions.id"],
            name=op.f("fk_session_marks_session_id_event_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", "session_id", name=op.f("pk_session_marks")),
    )
    op.create_index(op.f("ix_session_marks_session_id"), "session_marks", ["session_id"])
    op.execute(
        """
        INSERT INTO session_marks (registration_id, session_id, marked_at)
        SELECT r.id, COALESCE(
            (SELECT s.id FROM event_sessions s WHERE s.event_id = r.event_id
              AND s.starts_at <= r.updated_at ORDER BY s.starts_at DESC LIMIT 1),
            (SELECT s.id FROM event_sessions s WHERE s.event_id = r.event_id
              ORDER BY s.starts_at LIMIT 1)
        ), r.updated_at
        FROM registrations r
        WHERE r.status = 'attended'
          AND EXISTS (SELECT 1 FROM event_sessions s WHERE s.event_id = r.event_id)
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_marks_session_id"), table_name="session_marks")
    op.drop_table("session_marks")
