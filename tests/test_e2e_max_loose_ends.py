"""Issue 11, loose ends: the contact request as a neutral button paced like any message, the
real MAX id on the staff card, and /forget_me redacting MAX admins' posts after a restart —
over the fake MAX and Telegram servers (real HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot import texts
from bot.app.factory import Services, create_bot
from bot.app.max_runtime import MaxRuntime
from bot.core.messages import Button, rows
from bot.services.faq import FaqService
from bot.texts import events as t
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from tests.conftest import PARENT, STAFF_CHAT, make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_bot import max_settings
from tests.helpers.max_both import (
    KNOWN,
    MOTHER,
    UNKNOWN,
    Both,
    as_parent,
    max_form_to_position,
    new_runtime,
    press_and_wait,
)
from tests.helpers.wait import until

ADMIN_MAX = MaxUser(50_000_000_001, "Анна", "Методист")


async def test_the_contact_request_is_a_neutral_button_paced_through_a_429(both: Both) -> None:
    """«Отправить мой номер» goes through the messenger like every message: MAX's 429 on it
    is waited out (the old direct client call failed and the teacher got an apology)."""
    h = both
    _, position = await max_form_to_position(h)
    h.max.fail_next(429, "too.many.requests")  # MAX refuses the contact question once
    (contact,) = await press_and_wait(h, position, t.POSITIONS[0], 1)
    assert "телефон" in contact.plain.lower()
    assert contact.button(t.BTN_SHARE_PHONE)["type"] == "request_contact"
    refused = [c for c in h.max.calls_to("POST", "/messages") if c.status == 429]
    assert len(refused) == 1


async def test_telegram_renders_the_contact_button_as_a_reply_keyboard(
    server: FakeTelegramServer, db_path: Any
) -> None:
    settings = make_settings(db_path)
    bot: Bot = create_bot(
        settings, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url))
    )
    try:
        messenger = TelegramMessenger(bot)
        await messenger.send(PARENT.id, "Ваш телефон?", rows(Button.contact(t.BTN_SHARE_PHONE)))
        sent = await server.next_message(PARENT.id)
        assert sent.reply_markup is not None
        assert sent.reply_markup["keyboard"][0][0]["request_contact"] is True
        assert server.reply_keyboard(PARENT.id) == [[t.BTN_SHARE_PHONE]]
        with pytest.raises(ValueError, match="contact"):
            await messenger.send(
                PARENT.id, "x", rows(Button.contact("Номер"), Button("Да", action="y"))
            )
    finally:
        await bot.session.close()


async def test_the_staff_card_shows_the_real_max_id(both: Both) -> None:
    h = both
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    post = await h.tg.next_message(STAFF_CHAT)
    assert f"MAX, id {MOTHER.user_id}" in post.text, post.text


@pytest.fixture
async def max_only(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[tuple[FakeMaxServer, Services]]:
    """No BOT_TOKEN: MAX_ADMIN_IDS admins are МОЦ staff and get tickets privately."""
    settings = max_settings(db_path, max_server, ADMIN_MAX)
    yield max_server, Services(settings, sessionmaker, faq_service)


async def ticket_to_max_admin(fake: FakeMaxServer) -> Message:
    """A parent's unknown question handed to a specialist; the admin's post."""
    fake.bot_started(ADMIN_MAX)  # MAX lets a bot write only to who started it
    await fake.wait_sent(ADMIN_MAX, 1)
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 2)
    fake.user_writes(MOTHER, UNKNOWN)
    unknown = (await fake.wait_sent(MOTHER, 3))[-1]
    fake.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await fake.wait_sent(MOTHER, 4))[-1].plain
    return (await fake.wait_sent(ADMIN_MAX, 2))[-1]


async def test_forget_me_redacts_max_admins_posts_after_a_restart(
    max_only: tuple[FakeMaxServer, Services],
) -> None:
    fake, services = max_only
    runtime: MaxRuntime = new_runtime(services)
    await runtime.start()
    try:
        post = await ticket_to_max_admin(fake)
        assert "Ольга Петрова" in post.plain and UNKNOWN in post.plain
        await runtime.stop()
        runtime = new_runtime(services)  # a new process on the same database
        await runtime.start()
        fake.user_writes(MOTHER, "/forget_me")
        confirm = (await fake.wait_sent(MOTHER, 5))[-1]
        fake.press(MOTHER, confirm, texts.BTN_FORGET_YES)
        assert texts.FORGOTTEN[:20] in (await fake.wait_sent(MOTHER, 6))[-1].plain
        # the redaction follows the reply to the asker
        await until(lambda: post.edits, what="the admin's post redacted")
        assert post.edits == 1, "the admin's post was edited by its stored mid"
        assert "Ольга" not in post.plain and UNKNOWN not in post.plain
        assert "удалил свои данные" in post.plain
    finally:
        await runtime.stop()


async def settled(fake: FakeMaxServer, user: MaxUser, before: int) -> list[str]:
    """What the bot said after `before`, once nothing new came for three seconds (two
    messages a second into one chat: twenty answers take a while)."""
    count, quiet = -1, 0.0
    while quiet < 3.0:
        await asyncio.sleep(0.25)
        now = len(fake.sent_to(user))
        count, quiet = now, (quiet + 0.25 if now == count else 0.0)
    return [m.plain for m in fake.sent_to(user)[before:]]


async def test_a_flood_in_max_is_held_with_one_russian_note(both: Both) -> None:
    """Telegram's rule for MAX: past THROTTLE_BURST messages the bot says «Вы пишете очень
    быстро» once and drops the rest; a press over the limit gets the note as its answer."""
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    menu = h.max.sent_to(MOTHER)[-1]  # «Роль сохранена» with the FAQ sections
    for _ in range(32):  # the tests' THROTTLE_BURST is 20
        h.max.user_writes(MOTHER, "/help")
    callback = h.max.press(MOTHER, menu, menu.buttons()[0][0]["text"])
    replies = await settled(h.max, MOTHER, before)
    notes = [r for r in replies if r == texts.THROTTLED]
    assert len(notes) == 1, (len(replies), [r[:20] for r in replies])
    assert 16 <= len(replies) - 1 <= 28, "the burst went through, the rest was dropped"
    assert dict(h.max.answers)[callback].get("notification") == texts.THROTTLED


async def test_a_forwarded_question_is_read_like_a_typed_one(both: Both) -> None:
    """A parent forwards a question from the class chat to the bot: MAX puts the forwarded
    text in `link.message` and leaves the body empty, so the bot saw an empty message and
    answered «только текст». Telegram keeps a forward's text in the message itself."""
    h = both
    await as_parent(h)
    group = h.max.add_group(-70_000_000_123, "Родители 3Б")
    neighbour = MaxUser(50_000_000_777, "Ирина", "Соседка")
    original = h.max.user_writes(neighbour, KNOWN, chat_id=group.chat_id)
    before = len(h.max.sent_to(MOTHER))
    h.max.user_forwards(MOTHER, original)
    (answer,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert "активир" in answer.plain.lower()
    assert "текст" not in answer.plain.lower()[:60]
