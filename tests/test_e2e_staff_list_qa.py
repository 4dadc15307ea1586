"""/staff in Telegram lists МОЦ staff of both messengers: a MAX member is marked as such (two
«Анна» were indistinguishable) and one who never wrote to the bot is named by MAX's own id,
not the bot's internal number — as the panel's «Сотрудники» shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import User
from storage.repositories import Repositories
from tests.conftest import ADMIN, BotHarness


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
