"""The progress message of a scheduled broadcast («🕒 Рассылка запланирована на …») never goes
on promising a time nobody keeps: after `python -m bot broadcast cancel`, after a time missed
while the bot was down, and across a weekly series (the next week's move, cancel, sending).
Through the real bots, the real worker and the fake Telegram and MAX servers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.cli import main as cli
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from bot.texts import broadcasts as texts_b
from broadcasts import service
from broadcasts.content import Content
from broadcasts.runtime import Options
from broadcasts.worker import BroadcastWorker
from handlers.max.broadcast_channel import MaxChannel
from handlers.max.client import MaxClient
from handlers.tg.broadcast_channel import TelegramChannel
from storage.db import SessionMaker
from storage.models import BroadcastState
from tests.conftest import ADMIN, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage
from tests.test_e2e_broadcast_progress import MAX_ADMIN, progress_says, schedule_tomorrow_10
from tests.test_e2e_broadcasts import (
    NOW,
    PARENT_GROUPS,
    TOMORROW_10,
    Staff,
    broadcasts_in_db,
    seed_registry,
    txt,
)
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

FAST = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)


def shown(h: Staff, progress: SentMessage) -> str:
    """What the author reads in the progress message now."""
    return txt(h.server.messages[(ADMIN.id, progress.message_id)])


async def test_cancel_from_the_command_line_rewrites_the_progress_message(
    harness: Staff, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script on the server cancels it: the author sees it cancelled, as from /broadcasts."""
    h = harness
    progress = await schedule_tomorrow_10(h)
    monkeypatch.setenv("MOC_ENV_FILE", "")
    monkeypatch.setenv("DATABASE_URL", h.settings.database_url)
    monkeypatch.setenv("BOT_TOKEN", h.server.token)
    monkeypatch.setenv("TELEGRAM_API_URL", h.server.url)
    # its own event loop in a thread, as in a terminal; this loop keeps serving the fake API
    assert await asyncio.to_thread(cli.main, ["broadcast", "cancel", "1"]) == 0
    assert "Рассылка №1 отменена" in capsys.readouterr().out
    said = await progress_says(h.server, progress, "отменена")
    assert said == "⛔ Рассылка №1 отменена (из командной строки), ничего не отправлено."
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.CANCELLED]
    assert await asyncio.to_thread(cli.main, ["broadcast", "cancel", "1"]) == 1
    assert "рассылку №1 не отменить: она отменена" in capsys.readouterr().err
    assert shown(h, progress) == said  # a second cancel changes nothing


async def test_a_missed_time_is_said_in_the_progress_message(harness: Staff) -> None:
    """The bot was down at 10:00 and comes back at 12:30: the message that promised 10:00 says
    it was not sent and why, instead of still promising 10:00."""
    h = harness
    progress = await schedule_tomorrow_10(h)
    h.clock.set(TOMORROW_10 + timedelta(hours=2, minutes=30))
    h.worker.wake()
    said = await progress_says(h.server, progress, "не отправлена")
    assert said.startswith(
        "⚠️ Рассылка №1 не отправлена: бот был выключен в назначенное время (02.12.2026 10:00)"
    )
    assert "запланирована" not in shown(h, progress)
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.MISSED]
    assert all(not h.server.sent_to(chat_id) for chat_id in PARENT_GROUPS)
    alarm = await h.server.next_message(ADMIN.id)  # and a new message, which makes a sound
    assert alarm.text == said and alarm.message_id != progress.message_id


async def test_a_weekly_series_keeps_one_progress_message(harness: Staff) -> None:
    """Week 1 is sent: its report says when week 2 goes. Week 2 moved from /broadcasts: the
    same message says so; week 2 sent: that message carries week 2's report."""
    h = harness
    progress = await schedule_tomorrow_10(h, texts_b.BTN_REPEAT_WEEKLY)
    h.clock.set(TOMORROW_10 + timedelta(seconds=1))
    h.worker.wake()
    report = await progress_says(h.server, progress, "завершена")
    assert report.startswith("✅ Рассылка №1 завершена.")
    assert "Следующая еженедельная отправка: 09.12.2026 10:00." in report

    listing = await h.say(ADMIN, "/broadcasts")
    await h.press(ADMIN, listing, "🕒 №2 Перенести")
    moved = await h.say(ADMIN, "10.12.2026 15:30")
    assert "перенесена на 10.12.2026 15:30" in txt(moved)
    said = await progress_says(h.server, progress, "10.12.2026 15:30")
    assert said.startswith("🕒 Рассылка №2 перенесена на 10.12.2026 15:30.")

    h.clock.set(datetime(2026, 12, 10, 12, 30, 1, tzinfo=UTC))  # 15:30 in Moscow
    h.worker.wake()
    report = await progress_says(h.server, progress, "Рассылка №2 завершена")
    assert "Следующая еженедельная отправка: 17.12.2026 15:30." in report
    for chat_id in PARENT_GROUPS:
        assert len(h.server.sent_to(chat_id)) == 2  # week 1 and week 2, once each
    states = [b.state for b in await broadcasts_in_db(h)]
    assert states == [BroadcastState.DONE, BroadcastState.DONE, BroadcastState.SCHEDULED]


async def test_max_staff_cancel_of_next_week_rewrites_the_telegram_progress_message(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """Week 1 composed in Telegram and sent; a colleague ends the series from MAX's
    /broadcasts: the Telegram message that announced week 2 says week 2 was cancelled."""
    await seed_registry(sessionmaker)
    clock = FrozenClock(NOW)
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock,
        max_admin_ids=str(MAX_ADMIN.user_id),
    ) as h:  # fmt: skip
        progress = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="скоро"))
        async with sessionmaker() as session:
            first = await service.create_broadcast(
                session, author_id=ADMIN.id, content=Content("text", "Собрание"),
                target=service.Target(("parents",)), at=NOW, now=NOW, repeat="weekly",
                progress=(ADMIN.id, progress.message_id),
            )  # fmt: skip
            await session.commit()
        worker = BroadcastWorker(
            sessionmaker, TelegramChannel(h.bot), clock, instance_id="e2e", options=FAST,
            tz=h.settings.tz,
        )  # fmt: skip
        await worker.run_once()
        await progress_says(server, progress, "Следующая еженедельная отправка")

        listing = await h.say(MAX_ADMIN, "/broadcasts")
        before = len(max_server.sent_to(MAX_ADMIN))
        await h.press(MAX_ADMIN, listing, texts_b.BTN_CANCEL_ONE.format(id=first.id + 1))
        await max_server.wait_sent(MAX_ADMIN, before + 1)
        said = await progress_says(server, progress, "отменена")
        assert said == (
            f"⛔ Рассылка №{first.id + 1} отменена (Анна Методист), ничего не отправлено."
        )


AUTHOR = MaxUser(700, "Методист")


async def test_a_missed_time_is_said_in_a_max_progress_message(db_path: Path) -> None:
    """The same rule where the progress message is in MAX: it is edited with the notice, the
    author is also told in a new message, and the next week of the series keeps that message."""
    from storage.db import create_engine, create_sessionmaker

    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
    sm = create_sessionmaker(engine)
    await seed_registry(sm)
    async with FakeMaxServer() as max_api, MaxClient(max_api.token, base_url=max_api.url) as c:
        max_api.dialog(AUTHOR)
        channel = MaxChannel(c)
        seq = await channel.post(AUTHOR.user_id, "🕒 Рассылка запланирована на 01.12.2026 10:00")
        async with sm() as session:
            missed = await service.create_broadcast(
                session, author_id=AUTHOR.user_id, content=Content("text", "Собрание"),
                target=service.Target(("parents",)), at=NOW - timedelta(hours=2),
                now=NOW - timedelta(hours=3), repeat="weekly", progress=(AUTHOR.user_id, seq),
            )  # fmt: skip
            await session.commit()
        worker = BroadcastWorker(sm, channel, FrozenClock(NOW), instance_id="max", options=FAST)
        await worker.run_once()
        message, alarm = max_api.sent_to(AUTHOR)
        assert message.edits == 1 and alarm.plain == message.plain
        assert message.plain.startswith(f"⚠️ Рассылка №{missed.id} не отправлена: бот был выключен")
        assert "Следующая еженедельная отправка запланирована на 08.12.2026" in message.plain
        async with sm() as session:
            following = await service.status(session, missed.id + 1)
            row = await session.get(type(missed), missed.id + 1)
        assert following is not None and following.state == BroadcastState.SCHEDULED
        assert row is not None and (row.progress_chat_id, row.progress_message_id) == (
            AUTHOR.user_id, seq,
        )  # fmt: skip
    await engine.dispose()
