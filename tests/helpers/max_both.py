"""The Telegram bot and the MAX runtime of one process on one database (`both` in
tests/conftest.py), the MAX users the tests meet there, and the steps they take: one
definition for every MAX test instead of imports from another test module."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher

from bot import texts
from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.wait import until

MOTHER = MaxUser(50_000_000_123, "Ольга", "Петрова")
TEACHER_MAX = MaxUser(50_000_000_321, "Марина", "Соколова")
KNOWN = "как активировать сертификат"
UNKNOWN = "можно ли привести на занятие собаку-поводыря"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)


@dataclass
class Both:
    """The Telegram bot and the MAX runtime of one process, on one database."""

    tg: FakeTelegramServer
    max: FakeMaxServer
    settings: Settings
    sessionmaker: SessionMaker
    services: Services
    dp: Dispatcher
    bot: Bot
    task: asyncio.Task[None]
    runtime: MaxRuntime

    async def say(self, user: MaxUser, text: str, count: int = 1) -> Message:
        before = len(self.max.sent_to(user))
        self.max.user_writes(user, text)
        return (await self.max.wait_sent(user, before + count))[before]

    async def start(self, user: MaxUser, payload: str | None = None) -> Message:
        before = len(self.max.sent_to(user))
        self.max.bot_started(user, payload)
        return (await self.max.wait_sent(user, before + 1))[before]

    async def press(self, user: MaxUser, message: Message, label: str) -> str:
        return self.max.press(user, message, label)

    async def restart_max(self) -> None:
        await self.runtime.stop()
        self.runtime = new_runtime(self.services)
        await self.runtime.start()


def new_runtime(services: Services) -> MaxRuntime:
    return MaxRuntime(
        services.settings, services.sessionmaker, services.faq, services.querylog,
        services.clock, services.switchboard, poll_seconds=1, roster=services.roster,
    )  # fmt: skip


async def as_parent(h: Both, user: MaxUser = MOTHER) -> None:
    welcome = await h.start(user)
    assert "Кто вы?" in welcome.plain
    await h.press(user, welcome, texts.ROLE_TITLES["parent"])
    saved = (await h.max.wait_sent(user, 2))[-1]
    assert "Родитель" in saved.plain


async def seed_max_teacher(sm: SessionMaker, user: MaxUser) -> int:
    async with sm() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.internal("max", "user", user.user_id)
        await repo.users.touch(uid, user.first_name, user.last_name, None)
        await repo.users.set_role(uid, "teacher")
        await repo.profiles.save(
            uid, full_name="Соколова Марина Ивановна", organisation="МБОУ СОШ № 2",
            position="Учитель", contact="+7 900 000-00-01", mailing_consent=False,
        )  # fmt: skip
        await repo.commit()
        return uid


async def press_and_wait(h: Both, message: Message, label: str, count: int) -> list[Message]:
    before = len(h.max.sent_to(TEACHER_MAX))
    await h.press(TEACHER_MAX, message, label)
    return (await h.max.wait_sent(TEACHER_MAX, before + count, within=15))[before:]


async def max_form_to_position(h: Both, title: str = "Семинар") -> tuple[int, Message]:
    """A new MAX teacher opens an event's card, presses «Записаться», agrees and types a
    name and an organisation: the event's id and the question about their position."""
    from bot.texts import events as t
    from tests.helpers.events import seed_event

    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title=title)
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    return event_id, await h.say(TEACHER_MAX, "МБОУ СОШ № 2")


def labels(message: Message) -> list[str]:
    """The texts of a MAX message's buttons, row after row."""
    return [str(b["text"]) for row in message.buttons() for b in row]


async def max_answer(h: Both, callback: str) -> str:
    """The notice the bot answered a MAX press with ("" for a quiet answer), once it has."""
    await until(lambda: any(cid == callback for cid, _ in h.max.answers), 15, "the press answered")
    return str(next(b for cid, b in h.max.answers if cid == callback).get("notification") or "")


async def wait_edited(message: Message, edits: int, within: float = 15.0) -> Message:
    """Wait until the bot edited `message` more than `edits` times in all; the message."""
    deadline = asyncio.get_running_loop().time() + within
    while message.edits <= edits:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"not edited past {edits}: {message.plain!r}")
        await asyncio.sleep(0.05)
    return message


async def press_to_edit(h: Both, message: Message, label: str) -> Message:
    """Press `label` under `message` and wait until the bot edited that very message (a card's
    press turns the card, as Telegram edits it); the message, now edited."""
    edits = message.edits
    await h.press(TEACHER_MAX, message, label)
    return await wait_edited(message, edits)
