"""The Messenger port over MAX: ids mapped, long texts split with the buttons last, errors
translated (403 → gone, a 429 beyond the caller's patience → Deferred, else waited out)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.messages import Button, Deferred, Unreachable, patience
from bot.core.metrics import REGISTRY
from handlers.max.client import MaxClient
from handlers.max.messenger import MaxMessenger
from handlers.max.pacing import MaxPacer
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser

PARENT = MaxUser(50_000_000_321, "Мария")


@pytest.fixture
async def fake() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as server:
        yield server


async def setup(
    fake: FakeMaxServer, sessionmaker: SessionMaker, **options: Any
) -> tuple[MaxMessenger, int]:
    async with sessionmaker() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.internal("max", "user", PARENT.user_id)
        await repo.commit()
    fake.dialog(PARENT)
    client = MaxClient(fake.token, base_url=fake.url)
    return MaxMessenger(client, sessionmaker, MaxPacer(30), **options), uid


class Minutes:
    """MAX's 429 pauses added up instead of waited (the requests themselves are real HTTP)."""

    def __init__(self) -> None:
        self.slept = 0.0

    async def sleep(self, seconds: float) -> None:
        self.slept += seconds
        await asyncio.sleep(0)


def given_up() -> float:
    return REGISTRY.get_sample_value("moc_outbound_given_up_total", {"priority": "max"}) or 0.0


async def test_a_long_text_is_split_with_buttons_under_the_last_part(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    messenger, uid = await setup(fake, sessionmaker)
    text = "\n\n".join(f"<b>Абзац {n}</b> " + "слово " * 150 for n in range(12))
    ref = await messenger.send(uid, text, ((Button("Дальше", "faq:cats:"),),))
    parts = fake.sent_to(PARENT)
    assert len(parts) >= 2 and all(len(p.text) <= 4000 for p in parts)
    assert [bool(p.buttons()) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert fake.calls_to("POST", "/messages")[0].query == {"user_id": str(PARENT.user_id)}
    assert ref.chat_id == uid and ref.ref == parts[-1].mid
    await messenger.edit(ref, "Изменено")
    assert fake.messages[ref.ref].text == "Изменено"
    with pytest.raises(Unreachable):  # one message cannot hold it: never cut, sent anew
        await messenger.edit(ref, text)
    assert fake.messages[ref.ref].text == "Изменено"
    await messenger.client.close()


async def test_blocked_is_gone_and_a_long_429_is_deferred(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    messenger, uid = await setup(fake, sessionmaker)
    fake.fail_next(429, "too.many.requests", times=1)
    with patience(0.5), pytest.raises(Deferred):
        await messenger.send(uid, "Привет")
    assert fake.sent_to(PARENT) == []

    fake.fail_next(429, "too.many.requests", times=1)
    await messenger.send(uid, "Привет")  # no patience asked: waited out (≥ 1 s)
    assert len(fake.sent_to(PARENT)) == 1

    fake.block(PARENT)
    with pytest.raises(Unreachable) as caught:
        await messenger.send(uid, "Привет")
    assert caught.value.gone
    await messenger.client.close()


async def test_an_answer_waits_out_eight_minutes_of_429s_and_arrives(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    """MAX answers 429 thirteen times (1+2+…+32 s, then a minute each: about eight minutes),
    then recovers: the answer arrives. It used to be dropped at the twelfth 429."""
    time = Minutes()
    messenger, uid = await setup(fake, sessionmaker, give_up=600.0, sleep=time.sleep)
    fake.fail_next(429, "too.many.requests", times=13)
    before = given_up()
    await messenger.send(uid, "Ответ специалиста")
    assert [m.plain for m in fake.sent_to(PARENT)] == ["Ответ специалиста"]
    refused = [c for c in fake.calls_to("POST", "/messages") if c.status == 429]
    assert len(refused) == 13 and 480 <= time.slept < 600
    assert given_up() == before
    await messenger.client.close()


async def test_past_the_give_up_time_the_answer_is_deferred_loudly(
    fake: FakeMaxServer, sessionmaker: SessionMaker, caplog: pytest.LogCaptureFixture
) -> None:
    """As Telegram's outbound path: after OUTBOUND_GIVE_UP_SECONDS of 429s the message is
    given up with an error in the log and the counter, never quietly; the next one goes."""
    time = Minutes()
    messenger, uid = await setup(fake, sessionmaker, give_up=100.0, sleep=time.sleep)
    fake.fail_next(429, "too.many.requests", times=7)  # 1+2+…+32 s, then a minute: past 100
    before = given_up()
    with caplog.at_level(logging.ERROR), pytest.raises(Deferred):
        await messenger.send(uid, "Ответ специалиста")
    assert fake.sent_to(PARENT) == [] and time.slept <= 100
    assert given_up() == before + 1
    assert any("given up" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    await messenger.send(uid, "Следующий ответ")  # MAX recovered: nothing is stuck
    assert [m.plain for m in fake.sent_to(PARENT)] == ["Следующий ответ"]
    await messenger.client.close()


async def test_a_broadcast_takes_only_the_slots_people_leave_unused() -> None:
    """Replies reserve MAX_RATE slots ahead; a broadcast's spare slot comes after all of
    them, so the two together never go faster than MAX_RATE."""
    now = [100.0]
    pacer = MaxPacer(10, clock=lambda: now[0])  # one slot every 0.1 s
    for person in range(5):
        assert pacer.reserve(person) == pytest.approx(person * 0.1)
    spare = asyncio.create_task(pacer.acquire_spare(99))
    await asyncio.sleep(0.02)
    assert not spare.done()  # the five replies hold the pace until 100.5
    now[0] = 100.5
    await asyncio.wait_for(spare, 1)
    assert pacer.reserve(6) == pytest.approx(0.1)  # the broadcast's slot was taken


async def test_a_sends_429_slows_the_whole_max_pace_an_edits_does_not(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    """A send is kept to two a second in its chat, so its 429 is MAX refusing the bot: every
    chat slows down. An edit is not paced: a parent flipping pages fast meets his own chat's
    limit, which must not halve a broadcast's pace for everyone."""
    messenger, uid = await setup(fake, sessionmaker, sleep=Minutes().sleep)
    page = await messenger.send(uid, "Страница 1")
    fake.fail_next(429, "too.many.requests", "Too many requests")  # the edit's PUT
    await messenger.edit(page, "Страница 2")
    assert messenger.pacer.rate() == pytest.approx(30), "an edit's 429 is its chat's"
    fake.fail_next(429, "too.many.requests", "Too many requests")  # the send's POST
    await messenger.send(uid, "Ответ")
    assert messenger.pacer.rate() == pytest.approx(15, abs=0.5), "a send's 429 is everyone's"
    assert [m.plain for m in fake.sent_to(PARENT)] == ["Страница 2", "Ответ"]
    await messenger.client.close()
