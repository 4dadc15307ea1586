"""MAX ids get internal ids outside Telegram's range; Telegram ids pass through unchanged."""

from __future__ import annotations

import asyncio

from bot.core.ids import BASE, channel_of
from storage.db import SessionMaker
from storage.repositories import Repositories


async def test_ids_map_both_ways_and_never_meet_telegram_ids(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        repo = Repositories(session)
        person = await repo.channel_ids.internal("max", "user", 4242)
        group = await repo.channel_ids.internal("max", "chat", -70000004242)
        same_number_other_kind = await repo.channel_ids.internal("max", "chat", 4242)
        assert await repo.channel_ids.internal("tg", "user", 4242) == 4242
        await repo.commit()
    assert person > BASE and group < -BASE  # a person positive, a group negative
    assert len({person, abs(group), abs(same_number_other_kind)}) == 3
    assert (channel_of(person), channel_of(group), channel_of(4242)) == ("max", "max", "tg")
    assert channel_of(-1002003004005) == "tg"  # a Telegram supergroup
    async with sessionmaker() as session:
        repo = Repositories(session)
        assert await repo.channel_ids.internal("max", "user", 4242) == person  # stable
        assert await repo.channel_ids.external(person) == 4242
        assert await repo.channel_ids.external(group) == -70000004242
        assert await repo.channel_ids.external(BASE + 999) is None


async def test_two_first_sights_at_once_agree(sessionmaker: SessionMaker) -> None:
    async def sight() -> int:
        async with sessionmaker() as session:
            repo = Repositories(session)
            found = await repo.channel_ids.internal("max", "user", 777)
            await repo.commit()
            return found

    first, second = await asyncio.gather(sight(), sight())
    assert first == second
