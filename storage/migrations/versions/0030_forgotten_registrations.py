"""Registrations of a forgotten person stay, naming nobody; stored names minimised

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 15:00:00

/forget_me used to delete the person's registrations and presence marks, so the yearly
report's «Записей» and «Присутствовали» of events long held shrank. Now it empties
`registrations.user_id` (nullable from here) and keeps the row and its marks, as 0028 did for
participation documents. What the report needs of the person is copied onto the row first,
without anything that leads back to them: `anon_channel` (Telegram or MAX, the report's «По
мессенджерам») and `anon_person` (one number for all of the person's rows, so «Уникальных
участников» counts them once; the lowest of their registration ids, which says nothing about
who). Their school goes with the profile: they are counted «без указанной организации».

Data minimisation (152-ФЗ): display names written before the bot stopped storing them stay
only for people whose name staff need (storage.repositories.users.UserRepo.touch): staff,
people who opened a ticket, private subscribers of МОЦ news. Everyone else's is cleared here.
Staff listed only in ADMIN_IDS / MAX_ADMIN_IDS get theirs back with their next message.

SQLite cannot make a column nullable in place: batch mode copies the table and drops the old
one, and with foreign keys on, the drop would delete the presence marks and the reminders
sent (ON DELETE CASCADE); they are kept aside and put back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHILDREN = ("session_marks", "reminders_sent")  # rows that point at registrations.id

_CLEAR_NAMES = """
UPDATE users SET first_name = '', last_name = NULL, username = NULL
WHERE (first_name <> '' OR last_name IS NOT NULL OR username IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM staff_members s WHERE s.person_id = users.id)
  AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.user_id = users.id)
  AND NOT EXISTS (SELECT 1 FROM subscriptions p WHERE p.user_id = users.id)
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _keep_children() -> None:
    for table in _CHILDREN:
        op.execute(f"CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table}")


def _restore_children() -> None:
    for table in _CHILDREN:
        op.execute(
            f"INSERT OR IGNORE INTO {table} SELECT * FROM kept_{table} "
            "WHERE registration_id IN (SELECT id FROM registrations)"
        )
        op.execute(f"DROP TABLE kept_{table}")


def upgrade() -> None:
    sqlite = _sqlite()
    if sqlite:
        _keep_children()
    with op.batch_alter_table("registrations") as batch:
        batch.alter_column("user_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("anon_channel", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("anon_person", sa.Integer(), nullable=True))
    if sqlite:
        _restore_children()
    op.execute(_CLEAR_NAMES)


def downgrade() -> None:
    # the rows of forgotten people cannot name anybody again: they go, as they used to
    op.execute("DELETE FROM registrations WHERE user_id IS NULL")
    sqlite = _sqlite()
    if sqlite:
        _keep_children()
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("anon_person")
        batch.drop_column("anon_channel")
        batch.alter_column("user_id", existing_type=sa.BigInteger(), nullable=False)
    if sqlite:
        _restore_children()
