"""A parents' group the bot lost without being told (kicked while the bot was down, the group
deleted): the first broadcast that meets the refusal tells the admins of that messenger, once,
which group it is and what to do; the next broadcast is quiet; a parent who blocked the bot is
not news; a group whose removal staff already heard of brings no second notice; /chats names
the groups the bot is no longer in — in Telegram and in MAX.

The real bot, the real MAX runtime and the jobs the dispatcher starts (the broadcast worker
wired as in production), over the fake Telegram and MAX servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.services.faq import FaqService
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast, status
from storage.db import SessionMaker
from storage.models import BroadcastState, Chat, ChatAudience, Subscription, User
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import MOTHER, Both
from tests.helpers.wait import until
from tests.test_e2e_chats import member_change

KICKED, DELETED, TOLD, ALIVE = -1001770001, -1001770002, -1001770003, -1001770004
KICKED_TITLE = "Родители 7Б <лицей & №1>"  # HTML-special: every value must be escaped
MAX_GROUP = -70_000_777_001
MAX_TITLE = "Родители 3В <МАХ & школа>"
METHODIST = MaxUser(50_000_000_777, "Ирина", "Методист")
GONE = "не дошла до"  # the notice, in either messenger


@pytest.fixture
async def h(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    """Telegram and MAX in one process, jobs on; a MAX methodist among MAX_ADMIN_IDS."""
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service,
        max_admin_ids=str(METHODIST.user_id), broadcast_poll_seconds=0.2,
    ) as both:  # fmt: skip
        yield both


async def seed_telegram(h: Both) -> None:
    """Four parents' supergroups and a parent subscribed in private."""
    titles = {
        KICKED: KICKED_TITLE, DELETED: "Родители 8А", TOLD: "Родители 9А", ALIVE: "Родители 1А"
    }  # fmt: skip
    async with h.sessionmaker() as s:
        for chat_id, title in titles.items():
            chat = Chat(id=chat_id, kind="supergroup", title=title)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience="parents")]
            s.add(chat)
            h.tg.chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        s.add(User(id=PARENT.id, first_name=PARENT.first_name))
        await s.flush()
        s.add(Subscription(user_id=PARENT.id, audience="parents"))
        await s.commit()


async def seed_max(h: Both) -> None:
    """A MAX group the methodist adds and binds, and a MAX parent subscribed in private."""
    h.max.bot_added(MAX_GROUP, METHODIST, title=MAX_TITLE)
    await h.max.wait_sent(METHODIST, 1)  # «Бота добавили…» with the audience buttons
    h.max.user_writes(METHODIST, "/bind parents", chat_id=MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, 1)
    h.max.dialog(MOTHER)
    async with h.sessionmaker() as s:
        repo = Repositories(s)
        mother = await repo.channel_ids.internal("max", "user", MOTHER.user_id)
        s.add(User(id=mother, first_name=MOTHER.first_name))
        await s.flush()
        s.add(Subscription(user_id=mother, audience="parents"))
        await s.commit()


async def broadcast(h: Both, text: str) -> None:
    """A broadcast to `parents` now, delivered by the bot's own worker to the end."""
    async with h.sessionmaker() as s:
        made = await create_broadcast(
            s, author_id=ADMIN.id, content=Content("text", text), target=Target(("parents",)),
            at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()

    async def done() -> bool:
        async with h.sessionmaker() as s:
            shown = await status(s, made.id)
        return shown is not None and shown.state == BroadcastState.DONE

    await until(done, what=f"broadcast {made.id} done")


def tg_notices(h: Both) -> list[str]:
    return [m.text for m in h.tg.sent_to(ADMIN.id) if m.text and GONE in m.text]


def max_notices(h: Both) -> list[str]:
    return [m.plain for m in h.max.sent_to(METHODIST) if GONE in m.plain]


async def test_a_lost_group_is_reported_once_and_named_in_chats(h: Both) -> None:
    await seed_telegram(h)
    await seed_max(h)
    # staff already heard of one removal: the bot was kicked and Telegram said so
    told = {"id": TOLD, "type": "supergroup", "title": "Родители 9А"}
    member_change(h.tg, told, ADMIN, "member", "kicked")
    await until(lambda: any("Бота удалили" in (m.text or "") for m in h.tg.sent_to(ADMIN.id)))
    # the others went without a word: Telegram answers 403 / 400, MAX 403
    h.tg.block(KICKED)
    h.tg.fail_next("sendMessage", status=400, description="Bad Request: chat not found",
                   chat_id=DELETED)  # fmt: skip
    h.tg.block(PARENT.id)  # blocking the bot is a parent's right, not staff's news
    h.max.block(MAX_GROUP)
    h.max.block(MOTHER)

    await broadcast(h, "Собрание в четверг")
    await until(lambda: len(tg_notices(h)) >= 2 and max_notices(h), what="the notices")
    kicked, deleted = sorted(tg_notices(h), key=lambda text: str(KICKED) not in text)
    assert f"супергруппы {KICKED_TITLE} (id {KICKED})" in kicked
    assert "Рассылки для: Родители" in kicked and "добавьте бота в группу снова" in kicked
    assert "привяжите её" in kicked
    assert f"Родители 8А (id {DELETED})" in deleted
    (in_max,) = max_notices(h)
    assert f"группы MAX {MAX_TITLE} (id {MAX_GROUP})" in in_max
    assert "добавьте бота в группу снова" in in_max
    assert not any(GONE in m.plain for m in h.max.sent_to(MOTHER))

    await broadcast(h, "Собрание перенесено на пятницу")
    await h.tg.idle()
    assert len(h.tg.sent_to(ALIVE)) == 2  # the groups still there got both
    assert len(tg_notices(h)) == 2 and len(max_notices(h)) == 1, "told once per group"
    assert not any(str(TOLD) in text for text in tg_notices(h))

    report = await telegram_chats(h)
    assert "Чаты, где бота больше нет" in report
    for title in (KICKED_TITLE, "Родители 8А", "Родители 9А", MAX_TITLE):
        assert title in report, title
    assert f"MAX, группа, {MAX_GROUP}" in report  # the id MAX shows, not the internal one
    max_report = await max_chats(h)
    assert "Чаты, где бота больше нет" in max_report
    for title in (KICKED_TITLE, "Родители 8А", "Родители 9А", MAX_TITLE):
        assert title in max_report, title


async def telegram_chats(h: Both) -> str:
    before = len(h.tg.sent_to(ADMIN.id))
    h.tg.user_sends("/chats", user=ADMIN)
    await h.tg.idle()
    return "\n".join(m.text or "" for m in h.tg.sent_to(ADMIN.id)[before:])


async def max_chats(h: Both) -> str:
    before = len(h.max.sent_to(METHODIST))
    h.max.user_writes(METHODIST, "/chats")
    replies = await h.max.wait_sent(METHODIST, before + 1)
    return "\n".join(m.plain for m in replies[before:])


async def test_many_lost_groups_are_capped_in_chats(h: Both) -> None:
    """Thirty groups the bot is no longer in: /chats names twenty and counts the rest."""
    async with h.sessionmaker() as s:
        for n in range(30):
            s.add(Chat(id=-1001880000 - n, kind="supergroup", title=f"Чат {n:02d}",
                       is_active=False))  # fmt: skip
        await s.commit()
    report = await telegram_chats(h)
    assert report.count("— Telegram, супергруппа") == 20
    assert "…и ещё 10" in report
    assert "…и ещё 10" in await max_chats(h)
