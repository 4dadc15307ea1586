"""/staff in Telegram lists МОЦ staff of both messengers: a MAX member is marked as such (two
«Анна» were indistinguishable) and one who never wrote to the bot is named by MAX's own id,
not the bot's internal number — as the panel's «Сотрудники» shows them. /my_data dates in the
МОЦ's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from storage.models import User
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, BotHarness


async def test_staff_list_marks_max_people_and_names_them_by_max_id(harness: BotHarness) -> None:
    now = datetime.now(UTC)
    async with harness.sessionmaker() as session:
        repo = Repositories(session)
        wrote = await repo.channel_ids.internal("max", "user", 4242)
        silent = await repo.channel_ids.internal("max", "user", 4343)
        session.add(User(id=wrote, first_name="Ирина", last_name="Завуч"))
        await repo.staff.add(wrote, ADMIN.id, now)
        await repo.staff.add(silent, ADMIN.id, now)
        await repo.commit()
    harness.dp["roster"].changed()  # added behind the bot's back: read the table again
    listing = (await harness.say(ADMIN, "/staff")).text or ""
    assert "Ирина Завуч — сотрудник, MAX" in listing
    assert "id 4343" in listing and str(silent) not in listing


async def test_my_data_says_since_when_in_the_mocs_calendar(harness: BotHarness) -> None:
    """A parent who first wrote at 01:30 Moscow time on 6 December (22:30 UTC on the 5th)
    read «С нами с 05.12.2026»: the day was taken in UTC."""
    await harness.say(PARENT, "/start")
    async with harness.sessionmaker() as session:
        await session.execute(
            update(User)
            .where(User.id == PARENT.id)
            .values(created_at=datetime(2026, 12, 5, 22, 30, tzinfo=UTC))
        )
        await session.commit()
    data = (await harness.say(PARENT, "/my_data")).text or ""
    assert "С нами с 06.12.2026" in data
