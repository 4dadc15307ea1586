"""Reminders go out once per session and lead time, at the right local time, whatever happens.

The database made by the real migrations is the only state, a FrozenClock is moved by hand
and a recording sender stands in for Telegram, so these tests see exactly what a teacher gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.services.events.reminders import (
    QuietHours,
    ReminderService,
    at_night,
    install,
    when_phrase,
)
from broadcasts.limiter import RateLimiter
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import Event, EventFormat, EventStatus, ReminderSent, User
from storage.repositories.events import EventRepo

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2030, 3, 10, 15, 0, tzinfo=MSK)
H = timedelta(hours=1)
METHOD = SendMessage(chat_id=1, text="x")


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


class Recorder:
    """A Bot's send_message that records messages and raises the queued errors for a chat
    first; the service gets it through the real Telegram messenger, which maps the errors."""

    def __init__(self, fail: dict[int, list[Exception]] | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self.fail = fail or {}

    async def send_message(self, chat_id: int, text: str, **_: object) -> SimpleNamespace:
        if self.fail.get(chat_id):
            raise self.fail[chat_id].pop(0)
        self.sent.append((chat_id, text))
        return SimpleNamespace(chat=SimpleNamespace(id=chat_id), message_id=len(self.sent))


def reminders(sm: SessionMaker, rec: Recorder, *args: Any, **kwargs: Any) -> ReminderService:
    return ReminderService(sm, TelegramMessenger(cast(Bot, rec)), *args, **kwargs)


async def make_event(
    sm: SessionMaker, starts: Sequence[datetime], users: Sequence[int], **fields: object
) -> int:
    """An event with these sessions; the users register through EventRepo, in order."""
    values: dict[str, object] = {"title": "Семинар", "kind": "seminar", "capacity": 30}
    values |= {"place": "ул. Ленина, 1, каб. 5", "starts_at": starts[0], **fields}
    async with sm() as s:
        for uid in users:
            if await s.get(User, uid) is None:
                s.add(User(id=uid, first_name=f"U{uid}"))
        event = await EventRepo(s).add(Event(**values), starts)
        await s.commit()
    for uid in users:
        async with sm() as s:
            await EventRepo(s).register(event.id, uid)
            await s.commit()
    return event.id


async def sent_rows(sm: SessionMaker) -> int:
    async with sm() as s:
        return int(await s.scalar(select(func.count(ReminderSent.id))) or 0)


@pytest.mark.parametrize(
    ("tz", "local", "shown"),
    [("Europe/Moscow", (15, 0), "15:00"), ("Asia/Vladivostok", (8, 30), "8:30")],
)
async def test_fires_once_at_24h_and_once_at_1h(
    sm: SessionMaker, tz: str, local: tuple[int, int], shown: str
) -> None:
    start = datetime(2030, 3, 10, *local, tzinfo=ZoneInfo(tz))
    await make_event(sm, [start], [1])
    clock, rec = FrozenClock(start - 25 * H), Recorder()
    svc = reminders(sm, rec, clock, ZoneInfo(tz))
    assert await svc.run_once() == 0
    clock.set(start - 24 * H)
    assert (await svc.run_once(), await svc.run_once()) == (1, 0)
    assert rec.sent[0] == (
        1,
        f"⏰ Напоминание: завтра в {shown} — <b>Семинар</b>\n📍 Адрес: ул. Ленина, 1, каб. 5",
    )
    clock.set(start - 61 * timedelta(minutes=1))
    assert await svc.run_once() == 0
    clock.advance(timedelta(minutes=1))
    assert (await svc.run_once(), await svc.run_once()) == (1, 0)
    assert rec.sent[1][1].startswith(f"⏰ Напоминание: через час, в {shown} — <b>Семинар</b>")
    clock.set(start + timedelta(minutes=1))
    assert await svc.run_once() == 0
    assert len(rec.sent) == 2 and await sent_rows(sm) == 2


def test_when_phrase_uses_local_dates() -> None:
    vvo = ZoneInfo("Asia/Vladivostok")
    now = datetime(2030, 3, 9, 23, 30, tzinfo=vvo)  # 13:30 UTC, same UTC day as the event
    assert when_phrase(datetime(2030, 3, 10, 9, 30, tzinfo=vvo), now, vvo) == "завтра в 9:30"
    assert when_phrase(now + 10 * H, now, UTC) == "сегодня в 23:30"
    assert when_phrase(now + 100 * H, now, vvo) == "14 марта в 3:30"
    assert when_phrase(now + 40 * timedelta(minutes=1), now, vvo) == "через 40 мин, в 0:10"


async def test_downtime_skips_late_24h_but_sends_1h(sm: SessionMaker) -> None:
    await make_event(sm, [START], [1])
    clock, rec = FrozenClock(START - 10 * H), Recorder()
    svc = reminders(sm, rec, clock, MSK)
    assert await svc.run_once() == 0  # the 24 h one is 14 h late: recorded, not sent
    assert await sent_rows(sm) == 1
    clock.set(START - 45 * timedelta(minutes=1))  # 15 min late for the 1 h one: still useful
    assert await reminders(sm, rec, clock, MSK).run_once() == 1
    assert rec.sent[0][1].startswith("⏰ Напоминание: через 45 мин, в 15:00")


async def test_two_leads_due_in_one_pass_send_only_the_nearer(sm: SessionMaker) -> None:
    """Leads 120 and 60 minutes; the bot was down from 12:30 to 14:00 before a 15:00 event:
    both are due and on time — the teacher gets one «через час», not two."""
    await make_event(sm, [START], [1])
    rec = Recorder()
    svc = reminders(sm, rec, FrozenClock(START - H), MSK, (120, 60))
    assert (await svc.run_once(), await svc.run_once()) == (1, 0)
    assert [text.split(" — ")[0] for _, text in rec.sent] == ["⏰ Напоминание: через час, в 15:00"]
    assert await sent_rows(sm) == 2  # the 2-hour one recorded, never sent later


def test_the_night_is_the_mocs_own() -> None:
    """22:00–8:00 on the МОЦ's clock (Russian zones keep no summer time): 3:00 in Kamchatka
    is night though it is 18:00 in Moscow; equal hours switch the quiet off."""
    pkc, kgd = ZoneInfo("Asia/Kamchatka"), ZoneInfo("Europe/Kaliningrad")
    quiet = QuietHours()
    night = datetime(2026, 12, 8, 3, 0, tzinfo=pkc)
    assert quiet.wake(night, pkc) == datetime(2026, 12, 8, 8, 0, tzinfo=pkc)
    assert quiet.wake(night, MSK) is None
    late = datetime(2026, 6, 21, 23, 15, tzinfo=kgd)
    assert quiet.wake(late, kgd) == datetime(2026, 6, 22, 8, 0, tzinfo=kgd)
    assert quiet.wake(late.replace(hour=21), kgd) is None
    assert QuietHours(0, 0).wake(night, pkc) is None
    assert QuietHours(1, 6).wake(night, pkc) == datetime(2026, 12, 8, 6, 0, tzinfo=pkc)


def test_at_night_holds_skips_or_sends() -> None:
    quiet, at = QuietHours(), datetime(2030, 3, 9, 23, 0, tzinfo=MSK)
    assert at_night(1440, at + 24 * H, at, quiet, MSK) == "hold"  # «сегодня в 23:00» at 8:00
    assert at_night(1440, at + 13 * H, at, quiet, MSK) == "skip"  # 4 h ahead by 8:00: stale
    assert at_night(60, at + H, at, quiet, MSK) == "send"  # about to start
    assert at_night(1440, START, START - 24 * H, quiet, MSK) == "send"  # 15:00: day


async def test_two_instances_at_once_send_each_reminder_once(
    sm: SessionMaker, db_url: str
) -> None:
    users = list(range(100, 120))
    await make_event(sm, [START], users)
    other_engine = create_engine(db_url)
    clock, rec_a, rec_b = FrozenClock(START - 24 * H), Recorder(), Recorder()
    a = reminders(sm, rec_a, clock, MSK)
    b = reminders(create_sessionmaker(other_engine), rec_b, clock, MSK)
    try:
        counts = await asyncio.gather(a.run_once(), b.run_once(), a.run_once())
        again = await asyncio.gather(a.run_once(), b.run_once())
    finally:
        await other_engine.dispose()
    chats = [chat for chat, _ in rec_a.sent + rec_b.sent]
    assert sum(counts) == 20 and sorted(chats) == users and tuple(again) == (0, 0)
    assert await sent_rows(sm) == 20


async def test_only_registered_people_of_live_events(sm: SessionMaker) -> None:
    live = await make_event(sm, [START], [1, 2, 3, 4], capacity=2)  # 3 and 4 wait
    dead = await make_event(sm, [START], [5])
    async with sm() as s:
        repo = EventRepo(s)
        reg = await repo.registration(live, 2)
        assert reg is not None
        promoted = (await repo.cancel(reg, START - 48 * H, promote=True)).promoted
        assert promoted is not None and promoted.user_id == 3
        await repo.set_status(dead, EventStatus.CANCELLED)
        await s.commit()
    rec = Recorder()
    assert await reminders(sm, rec, FrozenClock(START - 24 * H), MSK).run_once() == 2
    assert sorted(chat for chat, _ in rec.sent) == [1, 3]


async def test_failures_never_stop_the_others(sm: SessionMaker) -> None:
    await make_event(sm, [START], [1, 2, 3, 4, 5, 6])
    rec = Recorder(
        {
            2: [TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user")],
            4: [TelegramRetryAfter(METHOD, "Too Many Requests", retry_after=500)],
            5: [TelegramAPIError(METHOD, "Bad Request: chat not found")],
            6: [RuntimeError("network down")],
        }
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    clock = FrozenClock(START - 24 * H)
    svc = reminders(sm, rec, clock, MSK, sleep=sleep, max_retry_wait=30)
    assert await svc.run_once() == 3
    assert sorted(chat for chat, _ in rec.sent) == [1, 3, 4] and waits == [30]
    async with sm() as s:
        assert [u.is_active for u in (await s.scalars(select(User).order_by(User.id)))] == [
            True, False, True, True, True, True,
        ]  # fmt: skip
    clock.set(START - H)
    assert await svc.run_once() == 5  # the blocked user is no longer asked


async def test_a_chat_gone_counts_as_blocked(sm: SessionMaker) -> None:
    """«chat not found» and a deactivated account are as final as a block: the Telegram
    messenger says `gone`, and the user is asked no more."""
    await make_event(sm, [START], [1, 2])
    gone = "Bad Request: user is deactivated"
    rec = Recorder({2: [TelegramBadRequest(METHOD, gone)]})
    assert await reminders(sm, rec, FrozenClock(START - 24 * H), MSK).run_once() == 1
    async with sm() as s:
        assert [u.is_active for u in (await s.scalars(select(User).order_by(User.id)))] == [
            True, False,
        ]  # fmt: skip


async def test_workshop_gets_a_reminder_per_session(sm: SessionMaker) -> None:
    starts = [START + timedelta(days=7 * i) for i in range(3)]
    await make_event(sm, starts, [1], title="Мастерская", kind="workshop")
    clock, rec = FrozenClock(START - 25 * H), Recorder()
    svc = reminders(sm, rec, clock, MSK)
    for i, start in enumerate(starts, start=1):
        for lead in (24 * H, H):
            clock.set(start - lead)
            assert (await svc.run_once(), await svc.run_once()) == (1, 0)
            assert f"<b>Мастерская</b> (занятие {i} из 3)" in rec.sent[-1][1]
    assert len(rec.sent) == 6


async def test_online_link_and_escaping(sm: SessionMaker) -> None:
    title, link = 'Урок "A & B" <новый>', "https://meet.example/r?a=1&b=2"
    await make_event(sm, [START], [1], title=title, format=EventFormat.ONLINE, place=link)
    rec = Recorder()
    leads = (120,)
    clock = FrozenClock(START - 2 * H)
    assert await reminders(sm, rec, clock, MSK, leads).run_once() == 1
    assert rec.sent[0][1] == (
        '⏰ Напоминание: через 2 ч, в 15:00 — <b>Урок "A &amp; B" &lt;новый&gt;</b>\n'
        "🔗 Ссылка для подключения: https://meet.example/r?a=1&amp;b=2"
    )


async def test_install_adds_one_interval_job(sm: SessionMaker) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start(paused=True)
    svc = reminders(sm, Recorder(), FrozenClock(START), MSK)
    try:
        install(scheduler, svc, every_seconds=30)
        install(scheduler, svc, every_seconds=30)  # a restart of the wiring replaces it
        [job] = scheduler.get_jobs()
        assert (job.id, job.max_instances, job.coalesce) == ("reminders", 1, True)
        assert job.trigger.interval == timedelta(seconds=30)
    finally:
        scheduler.shutdown(wait=False)


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(START)
    assert clock.now() == START and clock.now().tzinfo is UTC
    assert clock.advance(H) == START + H
    clock.set(START)
    assert clock.now() == START
    with pytest.raises(ValueError):
        FrozenClock(datetime(2030, 1, 1))  # naive on purpose


async def test_a_full_hall_is_reminded_at_the_shared_pace(sm: SessionMaker) -> None:
    """200 people at 9:00 must not be one burst: reminders wait for the broadcast limiter."""
    await make_event(sm, [START], list(range(1, 11)), capacity=10)
    now, waits = [0.0], []

    async def sleep(seconds: float) -> None:  # the limiter's clock moves only when it waits
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(5.0, clock=lambda: now[0], sleep=sleep)
    rec = Recorder()
    svc = reminders(sm, rec, FrozenClock(START - 24 * H), MSK, pace=limiter.acquire)
    assert await svc.run_once() == 10
    assert len(rec.sent) == 10
    assert sum(waits) == pytest.approx(
        9 / 5
    )  # ten sends at 5/s: the last one 1.8 s after the first
