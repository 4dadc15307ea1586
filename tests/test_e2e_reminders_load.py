"""Reminders to many teachers at one hour do not starve people's answers, end to end: the real
bot polls the fake Bot API, which enforces Telegram's limits (see tests/test_e2e_outbound.py),
and its jobs send the one-hour reminder of a seminar to 200 teachers while 30 parents write.
Reminders wait behind people (Priority.NOTICE): a parent is answered about as fast as with no
reminders going, and every teacher still gets exactly one reminder."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Event, Registration, RegistrationStatus, Role, User
from storage.repositories.events import EventRepo
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.test_e2e_outbound import QUESTION, answered_at, limited, p95, running

__all__ = ["limited"]  # fixtures

TITLE = "Семинар по проектной деятельности"


async def seed_reminders(sm: SessionMaker, teachers: list[FakeUser]) -> None:
    """`teachers` registered for a seminar starting in 50 minutes: the 1-hour reminder is due."""
    async with sm() as s:
        s.add_all(User(id=t.id, first_name=t.first_name, role=Role.TEACHER) for t in teachers)
        event = Event(
            title=TITLE, kind="seminar", starts_at=datetime.now(UTC) + timedelta(minutes=50),
            capacity=len(teachers),
        )  # fmt: skip
        await EventRepo(s).add(event)
        s.add_all(
            Registration(event_id=event.id, user_id=t.id, status=RegistrationStatus.REGISTERED)
            for t in teachers
        )
        await s.commit()


def reminded(server: FakeTelegramServer, teachers: list[FakeUser]) -> Counter[int]:
    ids = {t.id for t in teachers}
    return Counter(
        int(c.params["chat_id"]) for c in server.calls
        if c.method == "sendmessage" and c.ok and int(c.params["chat_id"]) in ids
        and TITLE in str(c.params.get("text", ""))
    )  # fmt: skip


async def test_parents_are_answered_while_two_hundred_teachers_are_reminded(
    limited: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    teachers = [FakeUser(5_300_000 + i, f"Педагог {i}") for i in range(200)]
    parents = [FakeUser(5_400_000 + i, f"Родитель {i}") for i in range(30)]
    earlier = [FakeUser(5_500_000 + i, f"Родитель до напоминаний {i}") for i in range(30)]
    async with running(limited, db_path, faq_service, reminder_every_seconds=1) as sm:
        asked = time.monotonic()  # the same thirty questions with nothing else going out
        for parent in earlier:
            limited.user_sends(QUESTION, user=parent)
        quiet = [t - asked for t in await asyncio.gather(*(
            answered_at(limited, p.id, 15) for p in earlier
        ))]  # fmt: skip
        await seed_reminders(sm, teachers)
        deadline = time.monotonic() + 30
        while sum(reminded(limited, teachers).values()) < 20:  # reminders in full swing
            assert time.monotonic() < deadline, "the reminders did not start"
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        for parent in parents:
            limited.user_sends(QUESTION, user=parent)
        times = await asyncio.gather(*(answered_at(limited, p.id, 15) for p in parents))
        latencies = [t - asked for t in times]
        for parent in parents:
            assert "сертификат" in (limited.sent_to(parent.id)[0].text or "").lower()
        assert p95(latencies) <= p95(quiet) + 0.5, (sorted(latencies), sorted(quiet))
        deadline = time.monotonic() + 60
        while sum(reminded(limited, teachers).values()) < len(teachers):
            assert time.monotonic() < deadline, "not every teacher was reminded"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # a second pass would send a repeat now
    got = reminded(limited, teachers)
    assert all(got[t.id] == 1 for t in teachers), "each teacher reminded exactly once"
    assert limited.flood_stats()["early_retry"] == 0, limited.flood_stats()
