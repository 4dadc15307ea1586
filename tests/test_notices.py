"""Notice broadcasts (an event's cancellation or new time): exactly the given people, once each.

The real worker and Bot talk HTTP to the fake Bot API; groups and subscribers of the usual
audiences exist too, and must not get a notice meant for an event's participants.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.services.events.changes import queue_with_ics
from broadcasts.content import Content
from broadcasts.service import create_notice, status
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from storage.db import SessionMaker
from storage.models import Broadcast, Chat, ChatAudience, Subscription, User
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import load_event, seed_event

NOW = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
STAFF, TEACHERS, SUBSCRIBER, GROUP = 1000, [5001, 5002, 5003], 5100, -1001


async def _seed(sm: SessionMaker) -> None:
    async with sm() as s:
        s.add_all(User(id=uid, first_name=f"П{uid}") for uid in [STAFF, *TEACHERS, SUBSCRIBER])
        s.add(Chat(id=GROUP, title="Родители"))
        await s.flush()
        s.add(ChatAudience(chat_id=GROUP, audience="teachers"))
        s.add(Subscription(user_id=SUBSCRIBER, audience="teachers"))
        await s.commit()


async def test_a_notice_reaches_exactly_its_people_and_reports_to_its_author(
    sessionmaker: SessionMaker,
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as s:
        nobody = await create_notice(s, author_id=STAFF, text="x", user_ids=[], now=NOW)
        notice = await create_notice(
            s, author_id=STAFF, text="🚫 <b>Мероприятие отменено</b>",
            user_ids=[TEACHERS[0], TEACHERS[1], TEACHERS[0], TEACHERS[2]], now=NOW,
        )  # fmt: skip
        await s.commit()
    assert nobody is None and notice is not None

    async with FakeTelegramServer() as server:
        server.block(TEACHERS[2])
        bot = Bot(
            server.token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url))
        )
        worker = BroadcastWorker(
            sessionmaker, TelegramChannel(bot), FrozenClock(NOW), instance_id="t", rate=200.0
        )
        await worker.run_once()
        await bot.session.close()

    got = {uid: server.sent_to(uid) for uid in [*TEACHERS[:2], SUBSCRIBER, GROUP]}
    assert [len(got[uid]) for uid in TEACHERS[:2]] == [1, 1]  # the repeated id: still once
    assert got[SUBSCRIBER] == [] and got[GROUP] == []  # the usual audiences are not involved
    assert got[TEACHERS[0]][0].text == "🚫 Мероприятие отменено"
    assert got[TEACHERS[0]][0].inline_texts == []  # no «Отписаться»: it is not a mailing
    report = server.sent_to(STAFF)[-1].text or ""
    assert f"Рассылка №{notice.id} завершена" in report and "Доставлено: 2 из 3" in report
    async with sessionmaker() as s:
        shown = await status(s, notice.id)
        blocked = await s.get(User, TEACHERS[2])
        kept = (await s.scalars(select(Broadcast))).all()
    assert shown is not None and (shown.sent, shown.blocked, shown.total) == (2, 1, 3)
    assert blocked is not None and blocked.is_active is False
    assert len(kept) == 1  # no weekly follow-up, nothing else queued


async def test_a_notice_too_long_for_a_caption_goes_before_its_calendar_file(
    sessionmaker: SessionMaker, settings: Any
) -> None:
    """A caption holds 1024 characters: a longer notice (a workshop's many dates) is its own
    message, the .ics follows with the title, both for the same people."""
    await _seed(sessionmaker)
    event = await load_event(sessionmaker, await seed_event(sessionmaker))
    long_text = "🔔 <b>Изменилось время</b> " + "пн, 1 июня 2026, 15:00–16:30; " * 40
    async with sessionmaker() as s:
        ids = await queue_with_ics(
            Repositories(s), settings, STAFF, NOW, event, [TEACHERS[0]], long_text
        )
        await s.commit()
        notices = [await s.get(Broadcast, i) for i in ids]
    contents = [Content.from_json(n.content) for n in notices if n is not None]
    assert [(c.kind, c.file_name) for c in contents] == [
        ("text", None), ("document", "seminar-nastavnichestvo-25.03.2026.ics"),
    ]  # fmt: skip
    assert contents[0].text == long_text and "Наставничество" in contents[1].text
