"""The chat registry through the real bot: added to a group → admins told → /bind; a parent
cannot bind; the group becomes a supergroup and the registry follows; the bot is kicked;
/chats; a private subscriber unsubscribes with one tap; a user blocks the bot."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Router
from sqlalchemy import select

import bot.app.factory
import handlers
from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import chats as t
from handlers import chats
from storage.db import SessionMaker
from storage.models import Chat, Subscription, User
from storage.repositories.chats import ChatRepo, audiences_of, tags_of
from tests.conftest import ADMIN, PARENT, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage, member_payload

GROUP, SUPER, CHANNEL = -4000000123, -1001000000123, -1002000000555
TITLE = "Родители 5А & <школа №5>"  # HTML-special on purpose: every value must be escaped


@pytest.fixture
async def harness(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[BotHarness]:
    """The real bot with the chats router before `staff`, unless handlers already has it."""
    original = handlers.get_routers

    def with_chats() -> list[Router]:
        routers = original()
        if any(r.name == chats.__name__ for r in routers):
            return routers
        at = next(i for i, r in enumerate(routers) if r.name == "handlers.staff")
        return [*routers[:at], chats.create_router(), *routers[at:]]

    monkeypatch.setattr(handlers, "get_routers", with_chats)
    monkeypatch.setattr(bot.app.factory, "get_routers", with_chats)  # bound there at import time
    tg_bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    h = BotHarness(server, settings, sessionmaker, dp, tg_bot, task)
    yield h
    await stop_bot(h.dp, h.task)


def member_change(
    server: FakeTelegramServer, chat: dict[str, Any], by: FakeUser, old: str, new: str
) -> None:
    """Telegram's my_chat_member: the bot's own status in `chat` changed from old to new."""
    me = {"id": server.bot_id, "is_bot": True, "first_name": "Test bot",
          "username": server.bot_username}  # fmt: skip
    server.push_update({"my_chat_member": {
        "chat": chat, "from": by.as_dict(), "date": int(time.time()),
        "old_chat_member": member_payload(old, me), "new_chat_member": member_payload(new, me),
    }})  # fmt: skip


def in_group(h: BotHarness, user: FakeUser, text: str | None, **extra: Any) -> None:
    h.server.user_sends(
        text, user=user, chat_id=GROUP, chat_type="group", chat_title=TITLE, extra=extra or None
    )


def shown(message: SentMessage) -> str:
    """What the user sees (text or caption); "" for a message without either."""
    return message.text or ""


async def chat_row(h: BotHarness, chat_id: int) -> Chat:
    async with h.sessionmaker() as session:
        chat = await session.get(Chat, chat_id)
    assert chat is not None
    return chat


async def test_group_added_bound_migrated_kicked(harness: BotHarness) -> None:
    h = harness
    member_change(
        h.server, {"id": GROUP, "type": "group", "title": TITLE}, PARENT, "left", "member"
    )
    note = await h.server.next_message(ADMIN.id)
    assert TITLE in shown(note) and "Мария Иванова" in shown(note) and str(GROUP) in shown(note)
    assert {"Родители", "Педагоги", "Руководители", "Сотрудники МОЦ"} <= set(note.inline_texts)
    assert "или напишите в самом чате /bind@moc_test_bot parents." in shown(note)
    chat = await chat_row(h, GROUP)
    assert (chat.is_active, chat.added_by, audiences_of(chat)) == (True, PARENT.id, [])

    in_group(h, ADMIN, "/bind@moc_test_bot parents school5")
    reply = await h.server.next_message(GROUP)
    assert "Родители" in shown(reply) and "school5" in shown(reply) and TITLE in shown(reply)
    chat = await chat_row(h, GROUP)
    assert (audiences_of(chat), tags_of(chat)) == (["parents"], ["school5"])

    in_group(h, PARENT, "/bind teachers")
    assert shown(await h.server.next_message(GROUP)) == t.BIND_STAFF_ONLY
    in_group(h, PARENT, "/tag hacked")  # refused too, quietly: the refusal is right above
    await h.server.idle()
    assert h.server.drain(GROUP) == []
    # a group admin writing anonymously comes as GroupAnonymousBot on behalf of the group
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}  # fmt: skip
    group = {"id": GROUP, "type": "group", "title": TITLE}
    in_group(h, PARENT, "/bind teachers", **{"from": anonymous, "sender_chat": group})
    told = shown(await h.server.next_message(GROUP))
    assert "анонимно" in told and "/chats" in told
    chat = await chat_row(h, GROUP)
    assert (audiences_of(chat), tags_of(chat)) == (["parents"], ["school5"])

    in_group(h, ADMIN, None, migrate_to_chat_id=SUPER)
    h.server.migrate(GROUP, SUPER)
    h.server.user_sends(
        None, user=ADMIN, chat_id=SUPER, chat_type="supergroup",
        extra={"migrate_from_chat_id": GROUP},
    )  # fmt: skip
    await h.server.idle()
    old, new = await chat_row(h, GROUP), await chat_row(h, SUPER)
    assert (old.is_active, old.migrated_to) == (False, SUPER)
    assert (new.is_active, new.kind, new.title) == (True, "supergroup", TITLE)
    assert (audiences_of(new), tags_of(new)) == (["parents"], ["school5"])

    report = await h.say(ADMIN, "/chats")
    assert "Родители: чатов 1" in shown(report) and "Педагоги: чатов 0" in shown(report)
    assert TITLE in shown(report) and str(SUPER) in shown(report) and "#school5" in shown(report)
    assert "группа стала супергруппой — 1" in shown(report)

    super_chat = {"id": SUPER, "type": "supergroup", "title": TITLE}
    member_change(h.server, super_chat, ADMIN, "member", "kicked")
    await h.server.idle()
    assert not (await chat_row(h, SUPER)).is_active
    gone = await h.server.next_message(ADMIN.id)  # it got broadcasts: staff are told
    assert "Бота удалили из супергруппы" in shown(gone) and str(SUPER) in shown(gone)
    report = await h.say(ADMIN, "/chats")
    assert "Родители: чатов 0" in shown(report) and "Неактивных: 2" in shown(report)


async def test_audience_buttons_in_the_group_are_for_admins_only(harness: BotHarness) -> None:
    h = harness
    in_group(h, ADMIN, "/bind")
    picker = await h.server.next_message(GROUP)
    h.server.press(picker, "Педагоги", user=PARENT)
    refusal = await h.server.callback_answer()
    assert refusal.params.get("text") == texts.ADMIN_ONLY and refusal.params.get("show_alert")
    async with h.sessionmaker() as session:
        assert await session.get(Chat, GROUP) is None

    h.server.press(picker, "Педагоги", user=ADMIN)
    toast = await h.server.callback_answer()  # plain text: the title is not HTML-escaped
    assert toast.params.get("text") == f"Чат «{TITLE}»: Педагоги."
    await h.server.idle()
    assert audiences_of(await chat_row(h, GROUP)) == ["teachers"]
    assert "✅ Педагоги" in h.server.messages[(GROUP, picker.message_id)].inline_texts

    in_group(h, ADMIN, "/unbind teachers")
    reply = await h.server.next_message(GROUP)
    assert "получает рассылки для: нет" in shown(reply)
    assert audiences_of(await chat_row(h, GROUP)) == []


async def test_channel_bound_from_the_admins_private_chat(harness: BotHarness) -> None:
    h = harness
    channel = {"id": CHANNEL, "type": "channel", "title": "Новости МОЦ"}
    member_change(h.server, channel, ADMIN, "left", "administrator")
    note = await h.server.next_message(ADMIN.id)
    assert "канал" in shown(note)
    # nobody can type a command in a channel: its posts come from the channel itself
    assert "/bind" not in shown(note) and shown(note).rstrip().endswith("убирает её).")

    h.server.press_data(note, note.button("Руководители").callback_data or "", user=PARENT)
    assert (await h.server.callback_answer()).params.get("text") == texts.ADMIN_ONLY
    assert audiences_of(await chat_row(h, CHANNEL)) == []

    h.server.press(note, "Руководители", user=ADMIN)
    assert "Руководители" in (await h.server.callback_answer()).params.get("text", "")
    assert audiences_of(await chat_row(h, CHANNEL)) == ["directors"]
    await h.server.idle()  # the toast comes before the edit that ticks the button
    h.server.press(note, "✅ Руководители", user=ADMIN)  # a second tap takes it back
    await h.server.callback_answer()
    assert audiences_of(await chat_row(h, CHANNEL)) == []


async def test_subscribe_then_unsubscribe_button(harness: BotHarness) -> None:
    h = harness
    assert "выберите, кто вы" in shown(await h.say(PARENT, "/subscribe"))
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.server.callback_answer()  # the role button's own answer
    subscribed = await h.say(PARENT, "/subscribe")
    assert "подписаны" in shown(subscribed) and "Родители" in shown(subscribed)
    assert "уже подписаны" in shown(await h.say(PARENT, "/subscribe"))
    assert await subscriptions(h) == ["parents"]

    h.server.press_data(subscribed, "unsub:parents", user=PARENT)
    toast = await h.server.callback_answer()
    assert "отписались" in toast.params.get("text", "")
    confirm = await h.server.next_message(PARENT.id)
    assert "отписались" in shown(confirm) and "/subscribe" in shown(confirm)
    assert await subscriptions(h) == []

    h.server.press_data(subscribed, "unsub:parents", user=PARENT)
    assert (await h.server.callback_answer()).params.get("text") == "Вы уже отписаны."
    assert "не подписаны" in shown(await h.say(PARENT, "/unsubscribe"))


async def test_private_block_and_unblock(harness: BotHarness) -> None:
    h = harness
    await h.say(PARENT, "/start")
    h.server.user_blocks(PARENT)
    await h.server.idle()
    assert not await is_active(h, PARENT.id)

    h.server.unblock(PARENT.id)
    member_change(h.server, {"id": PARENT.id, "type": "private", "first_name": "Мария"},
                  PARENT, "kicked", "member")  # fmt: skip
    await h.server.idle()
    assert await is_active(h, PARENT.id)


async def test_long_registry_is_split_between_lines(harness: BotHarness) -> None:
    h = harness
    async with h.sessionmaker() as session:
        repo = ChatRepo(session)
        for n in range(60):
            await repo.upsert(-5000 - n, "supergroup", f"Чат №{n} " + "Родители & дети " * 12)
            await repo.bind(-5000 - n, "parents")
            await repo.add_tags(-5000 - n, [f"school{n}"])
        await session.commit()
    first = await h.say(ADMIN, "/chats")
    await h.server.idle()
    parts = [first, *h.server.drain(ADMIN.id)]
    assert len(parts) >= 3 and all(len(shown(p)) <= 4096 for p in parts)
    everything = "\n".join(shown(p) for p in parts)
    assert all(f"#school{n}" in everything for n in range(60))
    assert "Родители: чатов 60" in shown(first)


async def test_non_admin_gets_no_registry(harness: BotHarness) -> None:
    assert shown(await harness.say(PARENT, "/chats")) == texts.ADMIN_ONLY


async def subscriptions(h: BotHarness) -> list[str]:
    async with h.sessionmaker() as session:
        rows = await session.scalars(
            select(Subscription.audience).where(Subscription.user_id == PARENT.id)
        )
        return list(rows.all())


async def is_active(h: BotHarness, user_id: int) -> bool:
    async with h.sessionmaker() as session:
        user = await session.get(User, user_id)
    assert user is not None
    return user.is_active
