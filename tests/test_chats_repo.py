"""The chat registry's invariants, on the real migrated schema: a migration moves audiences
and tags and can be repeated; counts see active chats only; subscriptions are per audience."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import SessionMaker
from storage.models import Chat, ChatAudience, ChatTag, User
from storage.repositories.chats import ChatRepo, audiences_of, clean_tag, tags_of

OLD, NEW = -4000000777, -1001000000777


async def _group_with_parents(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        repo = ChatRepo(session)
        await repo.upsert(OLD, "group", "Родители 5А", added_by=1000)
        await repo.bind(OLD, "parents")
        await repo.add_tags(OLD, ["school5", "5a"])
        await session.commit()


async def test_migrate_moves_audiences_and_tags_and_is_idempotent(
    sessionmaker: SessionMaker,
) -> None:
    await _group_with_parents(sessionmaker)
    for _ in range(2):  # Telegram reports it in the old group and again in the new one
        async with sessionmaker() as session:
            await ChatRepo(session).migrate(OLD, NEW, "Родители 5А")
            await session.commit()

    async with sessionmaker() as session:
        repo = ChatRepo(session)
        old, new = await repo.get(OLD), await repo.get(NEW)
        assert old is not None and new is not None
        assert (old.is_active, old.migrated_to, audiences_of(old), tags_of(old)) == (
            False, NEW, [], []
        )  # fmt: skip
        assert (new.is_active, new.kind, new.title, new.added_by) == (
            True, "supergroup", "Родители 5А", 1000
        )  # fmt: skip
        assert audiences_of(new) == ["parents"] and tags_of(new) == ["5a", "school5"]
        assert (await repo.current(OLD)) is new
        active = (await session.scalars(select(Chat.id).where(Chat.is_active))).all()
        assert list(active) == [NEW]
        assert len((await session.scalars(select(ChatAudience))).all()) == 1
        assert len((await session.scalars(select(ChatTag))).all()) == 2


async def test_migrated_row_is_never_reactivated(sessionmaker: SessionMaker) -> None:
    await _group_with_parents(sessionmaker)
    async with sessionmaker() as session:
        repo = ChatRepo(session)
        await repo.migrate(OLD, NEW)
        assert await repo.set_active(OLD, True) is False
        chat, created = await repo.upsert(OLD, "group", "Родители 5А")
        assert not created and not chat.is_active
        await session.commit()


async def test_late_migration_report_does_not_revive_a_kicked_supergroup(
    sessionmaker: SessionMaker,
) -> None:
    await _group_with_parents(sessionmaker)
    async with sessionmaker() as session:
        repo = ChatRepo(session)
        await repo.migrate(OLD, NEW)
        await repo.set_active(NEW, False)  # the bot was removed from the supergroup
        new = await repo.migrate(OLD, NEW)  # e.g. the delivery engine learns it again
        assert not new.is_active and audiences_of(new) == ["parents"]


async def test_migrate_merges_into_an_already_known_supergroup(sessionmaker: SessionMaker) -> None:
    await _group_with_parents(sessionmaker)
    async with sessionmaker() as session:
        repo = ChatRepo(session)
        await repo.upsert(NEW, "supergroup", "Родители 5А")
        await repo.bind(NEW, "parents")
        await repo.bind(NEW, "teachers")
        new = await repo.migrate(OLD, NEW)
        await session.commit()
        assert audiences_of(new) == ["parents", "teachers"]


async def test_deactivate_also_silences_a_row_pointing_at_the_chat(
    sessionmaker: SessionMaker,
) -> None:
    """An older registry left a group active with only a pointer to its supergroup: when the
    supergroup refuses a send, audiences must not reach it through the old row either."""
    async with sessionmaker() as session:
        session.add_all([Chat(id=NEW, title="новая"), Chat(id=-5, title="чужая")])
        await session.flush()
        session.add(Chat(id=OLD, title="старая", migrated_to=NEW))
        await session.flush()
        repo = ChatRepo(session)
        assert await repo.deactivate(NEW) is True
        assert await repo.deactivate(NEW) is False  # nothing left to change
        old, new, other = await repo.get(OLD), await repo.get(NEW), await repo.get(-5)
        assert old is not None and new is not None and other is not None
        assert (old.is_active, new.is_active, other.is_active) == (False, False, True)
        await session.commit()


async def test_counts_only_active_chats(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        repo = ChatRepo(session)
        for chat_id, audiences in ((-1, ["parents"]), (-2, ["parents", "teachers"]), (-3, [])):
            await repo.upsert(chat_id, "group", f"chat {chat_id}")
            for audience in audiences:
                await repo.bind(chat_id, audience)
        assert await repo.counts() == {"parents": 2, "teachers": 1}
        await repo.set_active(-2, False)
        assert await repo.counts() == {"parents": 1}
        assert await repo.bind(-1, "parents") is False
        assert await repo.unbind(-2) == ["parents", "teachers"]
        assert await repo.set_audiences(-3, ["staff", "directors"]) is True
        assert await repo.set_audiences(-3, ["directors", "staff"]) is False
        assert await repo.counts() == {"parents": 1, "directors": 1, "staff": 1}
        with pytest.raises(ValueError):
            await repo.bind(-1, "everyone")


async def test_subscriptions(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        session.add_all([User(id=1, first_name="A"), User(id=2, first_name="B", is_active=False)])
        repo = ChatRepo(session)
        assert await repo.subscribe(1, "parents") is True
        assert await repo.subscribe(1, "parents") is False
        assert await repo.subscribe(1, "teachers") is True
        assert await repo.subscribe(2, "parents") is True
        assert await repo.subscriptions(1) == ["parents", "teachers"]
        assert await repo.subscriber_counts() == {"parents": 1, "teachers": 1}
        assert await repo.unsubscribe(1, "parents") == ["parents"]
        assert await repo.unsubscribe(1, "parents") == []
        assert await repo.unsubscribe(1) == ["teachers"]
        await session.commit()


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("#School5", "school5"), ("район-север", "район-север"), ("a b", None), ("<b>", None)],
)
def test_clean_tag(raw: str, tag: str | None) -> None:
    assert clean_tag(raw) == tag
