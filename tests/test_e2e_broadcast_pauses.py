"""A broadcast interrupted half-way (the bot was down) and what its author hears after the
restart, through the real bot, the fake Bot API and the real worker at a frozen clock:

- cancelled while nobody was sending it (the panel or the CLI, the bot down): the final report
  still comes, «⛔ … отменена … Доставлено: 1 из 4»;
- paused a few minutes: the rest go on by themselves, as before;
- paused three days: nothing more goes until the author answers «Досылать» (the rest go, then
  the report) or «Не досылать» (nothing more goes; the cancel's report).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.texts import broadcasts as texts_b
from broadcasts.content import Content
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Delivery, DeliveryStatus
from tests.conftest import ADMIN, PARENT
from tests.fakes.telegram_api import SentMessage
from tests.test_e2e_broadcasts import NOW, PARENT_GROUPS, Staff, txt
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

FIRST, *REST = PARENT_GROUPS  # FIRST got the message before the bot went down
NEWS = "Собрание завтра в 18:00"


async def interrupted(
    sm: SessionMaker, paused: timedelta, state: str = BroadcastState.SENDING, repeat: str = ""
) -> int:
    """ADMIN's broadcast to the parents' groups and PARENT, stopped `paused` ago after its
    first message (the worker gave its claim up on the way down); `state` CANCELLED: a staffer
    cancelled it in the panel meanwhile."""
    stopped = NOW - paused
    async with sm() as session:
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", NEWS).to_json(), audiences="parents",
            state=state, scheduled_at=stopped - timedelta(minutes=1), created_at=stopped,
            started_at=stopped - timedelta(minutes=1), heartbeat_at=stopped, repeat=repeat,
            finished_at=stopped if state == BroadcastState.CANCELLED else None,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        ledger = [(FIRST, False, DeliveryStatus.SENT), (PARENT.id, True, DeliveryStatus.PENDING)]
        ledger += [(group, False, DeliveryStatus.PENDING) for group in REST]
        session.add_all(
            Delivery(broadcast_id=broadcast.id, chat_id=chat, is_private=private, status=status)
            for chat, private, status in ledger
        )
        await session.commit()
        return broadcast.id


def news_count(h: Staff) -> int:
    return sum(1 for chat in [*REST, PARENT.id] for m in h.server.sent_to(chat) if txt(m) == NEWS)


async def state_of(h: Staff, bid: int) -> str:
    async with h.sessionmaker() as session:
        return str(await session.scalar(select(Broadcast.state).where(Broadcast.id == bid)))


async def question(h: Staff, bid: int) -> SentMessage:
    asked = await h.server.next_message(ADMIN.id, timeout=10)
    assert txt(asked).startswith(f"⏸ Рассылка №{bid} прервалась")
    assert "Доставлено 1 из 4" in txt(asked) and "Досылать?" in txt(asked)
    assert asked.inline_texts == [texts_b.BTN_RESUME, texts_b.BTN_DROP]
    return asked


async def test_a_broadcast_cancelled_while_the_bot_was_down_is_still_reported(
    harness: Staff,
) -> None:
    h = harness
    bid = await interrupted(h.sessionmaker, timedelta(hours=1), BroadcastState.CANCELLED)
    report = txt(await h.server.next_message(ADMIN.id, timeout=10))
    assert report.startswith(f"⛔ Рассылка №{bid} отменена")
    assert "Доставлено: 1 из 4" in report and "Не отправлено: 3" in report
    await asyncio.sleep(1)  # five more passes of the worker: reported once, nothing sent
    assert len(h.server.sent_to(ADMIN.id)) == 1 and news_count(h) == 0


async def test_a_short_pause_resumes_by_itself(harness: Staff) -> None:
    h = harness
    bid = await interrupted(h.sessionmaker, timedelta(minutes=10))
    report = txt(await h.server.next_message(ADMIN.id, timeout=10))
    assert report.startswith(f"✅ Рассылка №{bid} завершена") and "Доставлено: 4 из 4" in report
    assert news_count(h) == 3


async def test_after_three_days_the_author_decides_to_send_the_rest(harness: Staff) -> None:
    h = harness
    bid = await interrupted(h.sessionmaker, timedelta(days=3))
    asked = await question(h, bid)
    await asyncio.sleep(1)
    assert news_count(h) == 0 and await state_of(h, bid) == BroadcastState.HELD
    listing = txt(await h.say(ADMIN, "/broadcasts", within=15))
    assert texts_b.STATE_LABELS["held"] in listing

    h.server.press(asked, texts_b.BTN_RESUME, user=ADMIN)
    report = txt(await h.server.next_message(ADMIN.id, timeout=10))
    assert report.startswith(f"✅ Рассылка №{bid} завершена") and "Доставлено: 4 из 4" in report
    assert news_count(h) == 3
    assert txt(h.server.sent_to(ADMIN.id)[0]).startswith(f"▶️ Рассылка №{bid} досылается")


async def test_after_three_days_the_author_decides_not_to(harness: Staff) -> None:
    """A weekly one: its stale rest is not sent, but next week goes as usual."""
    h = harness
    bid = await interrupted(h.sessionmaker, timedelta(days=3), repeat="weekly")
    asked = await question(h, bid)
    h.server.press(asked, texts_b.BTN_DROP, user=ADMIN)
    report = txt(await h.server.next_message(ADMIN.id, timeout=10))
    assert report.startswith(f"⛔ Рассылка №{bid} отменена") and "Не отправлено: 3" in report
    assert news_count(h) == 0 and await state_of(h, bid) == BroadcastState.CANCELLED
    (answered,) = [m for m in h.server.sent_to(ADMIN.id) if m.message_id == asked.message_id]
    assert txt(answered).startswith(f"⛔ Рассылка №{bid} не будет дослана (Анна Методист)")
    # 28.11 11:59 in Moscow, three days ago, and a week on
    assert "Еженедельные повторы идут дальше: следующая отправка 05.12.2026 11:59" in txt(answered)
    async with h.sessionmaker() as session:
        following = await session.scalar(select(Broadcast).where(Broadcast.id != bid))
    assert following is not None and following.state == BroadcastState.SCHEDULED
    assert answered.inline_texts == []  # the question is answered: nothing left to press twice
    await asyncio.sleep(1)
    assert news_count(h) == 0
