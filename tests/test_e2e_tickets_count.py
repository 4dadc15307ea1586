"""/tickets in Telegram lists twenty open tickets; its header counted those twenty, so with 25
parents waiting staff read «(20)» and thought the queue shorter than it is."""

from __future__ import annotations

from storage.repositories import Repositories
from tests.conftest import ADMIN, BotHarness


async def test_tickets_header_counts_every_open_ticket(harness: BotHarness) -> None:
    async with harness.sessionmaker() as session:
        repo = Repositories(session)
        for n in range(25):
            await repo.users.touch(3000 + n, f"Родитель {n}", None, None)
            await repo.tickets.create(3000 + n, 3000 + n, f"вопрос номер {n}")
        await repo.commit()
    listing = await harness.say(ADMIN, "/tickets")
    assert (listing.text or "").startswith("Открытые обращения (25):")
    assert "№20 " in (listing.text or "") and "№21 " not in (listing.text or "")
