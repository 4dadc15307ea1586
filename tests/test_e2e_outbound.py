"""People first when Telegram throttles the bot (issue 9), end to end.

The fake Bot API enforces Telegram's limits (30 messages a second per bot, about one a second
into a private chat with a burst of three, 20 a minute into a group; `retry_after` as long as
the limit needs; sends before it passed are counted as early retries) and answers every send
after 80 ms. The real bot polls it: every answer, post and broadcast goes through the bot's one
outbound path (handlers/tg/outbound.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import metrics
from bot.services.faq import FaqService
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from handlers.tg.callbacks import EventCb
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    Event,
    Role,
    TeacherProfile,
    User,
)
from storage.repositories.events import EventRepo
from tests.conftest import STAFF_CHAT, TOKEN, make_settings, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage

LATENCY = 0.08
QUESTION = "как активировать сертификат"


@pytest.fixture
async def limited() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(TOKEN, latency=LATENCY) as fake:
        fake.telegram_limits()
        yield fake


@contextlib.asynccontextmanager
async def running(
    server: FakeTelegramServer, db_path: Path, faq: FaqService, **overrides: Any
) -> AsyncIterator[SessionMaker]:
    """The bot polling `server`, with its own engine (`pool_size`, `busy_timeout`… from
    overrides)."""
    engine_keys = ("pool_size", "max_overflow", "busy_timeout")
    pool = {k: overrides.pop(k) for k in engine_keys if k in overrides}
    settings = make_settings(db_path, broadcast_poll_seconds=0.2, **overrides)
    engine = create_engine(settings.database_url, **pool)
    sm = create_sessionmaker(engine)
    _bot, dp, task = await start_bot(server, settings, sm, faq)
    try:
        yield sm
    finally:
        await stop_bot(dp, task)
        await engine.dispose()


async def answered_at(server: FakeTelegramServer, chat_id: int, within: float) -> float:
    await server.next_message(chat_id, timeout=within)
    return time.monotonic()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


async def seed_groups(sm: SessionMaker, groups: list[int]) -> None:
    async with sm() as s:
        s.add_all(Chat(id=chat_id, kind="group", title=f"Класс {chat_id}") for chat_id in groups)
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in groups)
        await s.commit()


async def test_thirty_parents_are_answered_during_a_400_chat_broadcast(
    limited: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    groups = [-4_000_000 - i for i in range(400)]
    parents = [FakeUser(5_100_000 + i, f"Родитель {i}") for i in range(30)]
    earlier = [FakeUser(5_200_000 + i, f"Родитель до рассылки {i}") for i in range(30)]
    async with running(limited, db_path, faq_service) as sm:
        await seed_groups(sm, groups)
        # the same thirty questions with no broadcast running: how fast this machine answers
        asked = time.monotonic()
        for parent in earlier:
            limited.user_sends(QUESTION, user=parent)
        quiet = [t - asked for t in await asyncio.gather(*(
            answered_at(limited, p.id, 15) for p in earlier
        ))]  # fmt: skip
        async with sm() as s:
            broadcast = await create_broadcast(
                s, author_id=None, content=Content(kind="text", text="Собрание в четверг"),
                target=Target(("parents",)), at=None, now=datetime.now(UTC),
            )  # fmt: skip
            await s.commit()
        while True:  # until the broadcast is in full swing
            if sum(len(limited.sent_to(g)) for g in groups) >= 60:
                break
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        for parent in parents:
            limited.user_sends(QUESTION, user=parent)
        times = await asyncio.gather(*(answered_at(limited, p.id, 15) for p in parents))
        latencies = [t - asked for t in times]
        for parent in parents:
            assert "сертификат" in limited.sent_to(parent.id)[0].text.lower()
        # people first: the broadcast costs a person at most half a second at p95 (measured
        # against the quiet run on this machine, so a slow CI box is not a failure)
        assert p95(latencies) <= p95(quiet) + 0.5, (sorted(latencies), sorted(quiet))
        deadline = time.monotonic() + 60
        while await _state(sm, broadcast.id) != BroadcastState.DONE:
            assert time.monotonic() < deadline, "the broadcast did not finish"
            await asyncio.sleep(0.2)
    assert all(len(limited.sent_to(g)) == 1 for g in groups)  # every chat exactly once
    flood = limited.flood_stats()
    assert (flood["429_private"], flood["early_retry"]) == (0, 0), flood
    shown = metrics.render()  # /metrics: waits by priority, depth, 429s by scope, given up
    assert metrics.value("moc_outbound_wait_seconds_count", priority="person") >= 30
    assert 'moc_outbound_queue_depth{priority="person"} 0.0\n' in shown
    assert "moc_outbound_given_up_total" in shown
    assert 'moc_outbound_retry_after_total{scope="group"}' in shown


async def _state(sm: SessionMaker, broadcast_id: int) -> str:
    async with sm() as s:
        return (await s.get_one(Broadcast, broadcast_id, populate_existing=True)).state


async def seed_teachers(sm: SessionMaker, teachers: list[FakeUser], seats: int) -> int:
    """Teachers who already filled in their profile, and one event."""
    async with sm() as s:
        for teacher in teachers:
            s.add(User(id=teacher.id, first_name=teacher.first_name, role=Role.TEACHER))
        await s.flush()
        for teacher in teachers:
            profile = TeacherProfile(user_id=teacher.id, full_name=f"{teacher.first_name} Иванов")
            profile.organisation, profile.position = "ДДТ", "педагог"
            profile.contact = "+7 900 000-00-00"
            s.add(profile)
        event = Event(
            title="Семинар для педагогов",
            kind="seminar",
            starts_at=datetime.now(UTC) + timedelta(days=7),
            capacity=seats,
        )
        await EventRepo(s).add(event)
        await s.commit()
        return event.id


async def open_cards(
    server: FakeTelegramServer, teachers: list[FakeUser], event_id: int, within: float
) -> dict[int, SentMessage]:
    """The teachers open the event's deep link at once; each card and when it came."""
    for teacher in teachers:
        server.user_sends(f"/start event_{event_id}", user=teacher)
    cards = await asyncio.gather(*(server.next_message(t.id, timeout=within) for t in teachers))
    for card in cards:
        assert "Семинар для педагогов" in (card.text or ""), card.text
    return {t.id: card for t, card in zip(teachers, cards, strict=True)}


async def test_two_hundred_teachers_press_register_and_each_is_told(
    limited: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    teachers = [FakeUser(5_200_000 + i, f"Педагог {i}") for i in range(200)]
    async with running(limited, db_path, faq_service) as sm:
        event_id = await seed_teachers(sm, teachers, seats=30)
        cards = await open_cards(limited, teachers, event_id, within=60)
        pressed = time.monotonic()
        data = EventCb(action="reg", id=event_id).pack()
        for teacher in teachers:
            limited.press_data(cards[teacher.id], data, user=teacher)
        told = await asyncio.gather(*(limited.next_message(t.id, timeout=90) for t in teachers))
        assert time.monotonic() - pressed <= 90
    outcomes = Counter(
        "registered" if "Вы записаны" in (m.text or "") else
        "waiting" if "листе ожидания" in (m.text or "") else m.text
        for m in told
    )  # fmt: skip
    assert outcomes == {"registered": 30, "waiting": 170}
    assert limited.flood_stats()["early_retry"] == 0, limited.flood_stats()


async def test_a_flood_of_follow_ups_does_not_keep_the_next_ticket_from_staff(
    limited: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    talker, next_parent = FakeUser(5_300_001, "Болтун"), FakeUser(5_300_002, "Ольга")
    async with running(limited, db_path, faq_service):
        limited.user_sends("/ask", user=talker)
        await limited.next_message(talker.id)
        limited.user_sends("можно ли заниматься в двух кружках сразу", user=talker)
        await limited.next_message(talker.id)
        for i in range(30):
            limited.user_sends(f"и ещё уточнение номер {i}", user=talker)
        await asyncio.sleep(1.0)
        limited.user_sends("/ask", user=next_parent)
        await limited.next_message(next_parent.id, timeout=30)
        asked = time.monotonic()
        limited.user_sends("где получить справку для бассейна", user=next_parent)
        reply = await limited.next_message(next_parent.id, timeout=30)
        posted_then = _card_for(limited, "справку для бассейна") is not None
        while _card_for(limited, "справку для бассейна") is None:
            assert time.monotonic() - asked < 120, "the second ticket never reached staff"
            await asyncio.sleep(0.2)
        await limited.idle(quiet=1.0, timeout=60)
    # «передал специалисту» only when staff really had it
    assert ("Передал ваш вопрос" in (reply.text or "")) == posted_then, reply.text
    follow_up_posts = [m for m in limited.sent_to(STAFF_CHAT) if "уточнение" in (m.text or "")]
    assert 1 <= len(follow_up_posts) < 10  # batched, not one post per message
    noted = "\n".join(m.text or "" for m in follow_up_posts)
    flood = limited.flood_stats()
    # never into the chat before its retry_after; our pace and the fake's sliding minute may
    # disagree by a post at a window's edge on a loaded machine: such a 429 is waited out
    assert flood["early_retry"] == 0 and flood["429_group"] <= 2, flood
    assert "номер 0" in noted


def _card_for(server: FakeTelegramServer, question: str) -> SentMessage | None:
    return next((m for m in server.sent_to(STAFF_CHAT) if question in (m.text or "")), None)


@pytest.mark.parametrize("pool", [{}, {"pool_size": 2, "max_overflow": 0}], ids=["pool", "tiny"])
async def test_two_hundred_teachers_open_a_deep_link_twenty_at_a_time(
    limited: FakeTelegramServer,
    db_path: Path,
    sqlite_or_pg_url: str,
    faq_service: FaqService,
    pool: dict[str, int],
) -> None:
    """The freeze of issue 9: each update held a connection and waited for a second one (its
    dialog state). With a pool of two the updates queue for it; they never wait on themselves."""
    teachers = [FakeUser(5_400_000 + i, f"Учитель {i}") for i in range(200)]
    async with running(limited, db_path, faq_service, database_url=sqlite_or_pg_url, **pool) as sm:
        event_id = await seed_teachers(sm, teachers, seats=30)
        for start in range(0, 200, 20):
            batch = teachers[start : start + 20]
            began = time.monotonic()
            await open_cards(limited, batch, event_id, within=5)
            assert time.monotonic() - began <= 5
        async with sm() as s:
            assert (await s.scalars(select(User.id))).all()  # the database still answers


async def test_a_ticket_the_staff_chat_cannot_take_now_is_posted_later(
    limited: FakeTelegramServer, db_path: Path, faq_service: FaqService
) -> None:
    parent = FakeUser(5_500_001, "Ирина")
    async with running(limited, db_path, faq_service, staff_post_wait_seconds=1.0):
        limited.fail_next("sendMessage", status=429, retry_after=4, chat_id=STAFF_CHAT)
        limited.user_sends("/ask", user=parent)
        await limited.next_message(parent.id)
        limited.user_sends("можно ли перенести сертификат в другой район", user=parent)
        reply = await limited.next_message(parent.id, timeout=10)
        assert "в ближайшее время" in (reply.text or "") and "Передал" not in (reply.text or "")
        assert _card_for(limited, "другой район") is None
        card = await limited.next_message(STAFF_CHAT, timeout=20)  # the relay, after the pause
    assert "другой район" in (card.text or "")
    to_staff = [c for c in limited.calls if c.params.get("chat_id") == STAFF_CHAT]
    refused, posted = to_staff[0], to_staff[-1]
    assert refused.error_code == 429 and posted.ok
    assert posted.at - refused.at >= 4.0  # nothing into the chat before retry_after passed
