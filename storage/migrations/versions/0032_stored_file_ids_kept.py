"""A stored file's id is never given again (SQLite AUTOINCREMENT on stored_files)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 19:00:00

Drafts (a dialog row's JSON, an album's later files), broadcasts' content and the panel's
form point at a stored file by its id. SQLite without AUTOINCREMENT gives the next row the
highest id left plus one, so the id of a deleted newest file came back: a draft whose file
was pruned went out with the next upload of anyone (a colleague's PDF as the second photo of
an album). AUTOINCREMENT keeps a high-water mark in `sqlite_sequence`. SQLite cannot add it
in place: the table is rebuilt with its rows (no table points at it by a foreign key). The
mark starts above every id the table still has and every id a draft or a broadcast still
names, so a file deleted before this revision is not handed out either. PostgreSQL's
sequence never gives an id twice: nothing to do there.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REF = re.compile(r'"stored_file"\s*:\s*(\d+)')
_HOLDERS = (  # JSON that names stored files: dialogs' drafts, broadcasts
    "SELECT data FROM fsm_records WHERE data LIKE '%stored_file%'",
    "SELECT content FROM broadcasts WHERE content LIKE '%stored_file%'",
)


def _highest_named() -> int:
    bind = op.get_bind()
    highest = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM stored_files")).scalar()
    found = [int(highest or 0)]
    for sql in _HOLDERS:
        for (raw,) in bind.execute(sa.text(sql)):
            found.extend(int(n) for n in _REF.findall(raw or ""))
    return max(found)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    mark = _highest_named()
    with op.batch_alter_table(
        "stored_files", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'stored_files'")
    op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('stored_files', {mark})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "stored_files", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
