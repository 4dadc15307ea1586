"""A chats list imported after one of its groups became a supergroup: the row is written to
the supergroup, and the note says which group that was by its name — it used to give the
supergroup's new id («группа стала супергруппой -1001000000777»), a number staff cannot
match to anything they know."""

from __future__ import annotations

from bot.services.chats.importer import ChatRow, import_rows
from storage.db import SessionMaker
from storage.repositories import Repositories
from storage.repositories.chats import audiences_of

OLD, NEW = -4000000778, -1001000000778


async def test_the_note_names_the_upgraded_group(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        repo = Repositories(session)
        await repo.chats.upsert(OLD, "group", "Родители 5А", added_by=1000)
        await repo.chats.migrate(OLD, NEW, "Родители 5А")
        await session.commit()
    row = ChatRow(line=2, channel="tg", chat_id=OLD, title="Родители 5А", audiences=("parents",))
    async with sessionmaker() as session:
        repo = Repositories(session)
        _, _, notes = await import_rows(repo, [row])
        await session.commit()
        new = await repo.chats.get(NEW)
    assert notes == ["строка 2: группа «Родители 5А» стала супергруппой, записано в неё"]
    assert new is not None and audiences_of(new) == ["parents"]
