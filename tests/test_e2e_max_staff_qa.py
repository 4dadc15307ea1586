"""QA of МОЦ staff who work only in MAX: the «/» hints MAX shows (PATCH /me/commands) and staff
commands typed in a MAX group — over the fake MAX server, as the person would see them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from bot.texts import broadcasts as bt
from bot.texts import max as max_texts
from storage.db import SessionMaker
from storage.models import Ticket, TicketStatus
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import answered, bot_added, max_only_bot, say, ticket_from

ADMIN = MaxUser(53_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(53_000_000_123, "Ольга", "Петрова")


@pytest.fixture
async def fake(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (server, _):
        yield server


async def test_max_shows_a_command_list_and_every_command_in_it_works(
    fake: FakeMaxServer,
) -> None:
    """Typing «/» in MAX offers the bot's commands; none of them is «Такой команды нет»."""
    listed = (await fake_me(fake))["commands"]
    names = [c["name"] for c in listed]
    assert {"start", "faq", "ask", "events", "help", "my_data", "cancel"} <= set(names)
    assert all(1 <= len(c["description"]) <= 128 for c in listed)
    fake.bot_started(MOTHER)
    await fake.wait_sent(MOTHER, 1)
    for name in names:
        replies = await say(fake, MOTHER, f"/{name}")
        assert texts.UNKNOWN_COMMAND not in replies[0].plain, name
        assert texts.ADMIN_ONLY not in replies[0].plain, name  # parents see no staff command


async def fake_me(fake: FakeMaxServer) -> dict[str, list[dict[str, str]]]:
    """What GET /me says about the bot now, as a MAX app reads it."""
    async with (
        ClientSession() as http,
        http.get(f"{fake.url}/me", headers={"Authorization": fake.token}) as response,
    ):
        return dict(await response.json())


async def test_a_max_error_on_the_command_list_does_not_stop_the_bot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """MAX answering 503 to PATCH /me/commands: no hints, but the bot still answers."""

    def failing(fake: FakeMaxServer) -> None:
        fake.fail_next(503, path="/me/commands")

    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN, prepare=failing) as (
        fake,
        _,
    ):
        fake.bot_started(MOTHER)
        assert "Кто вы?" in (await fake.wait_sent(MOTHER, 1))[0].plain
        assert [c.status for c in fake.calls_to("PATCH", "/me/commands")] == [503]


GROUP = -68_000_000_555


async def test_staff_commands_in_a_max_group_point_to_the_private_dialog(
    fake: FakeMaxServer,
) -> None:
    """/tickets in a parents' group: staff are told to ask privately (with the button), a
    parent hears «только для сотрудников» — no tickets shown to the group, and no silence."""
    await bot_added(fake, GROUP, ADMIN, "Родители 1А")
    fake.user_writes(ADMIN, "/tickets", chat_id=GROUP)
    [pointer] = await fake.wait_sent(GROUP, 1)
    assert "/tickets в личном чате" in pointer.plain
    assert "ответ увидят все участники" in pointer.plain
    [[button]] = pointer.buttons()
    assert button["type"] == "link" and button["url"] == "https://max.ru/moc_test_bot"
    fake.user_writes(MOTHER, "/report@moc_test_bot", chat_id=GROUP)
    assert (await fake.wait_sent(GROUP, 2))[1].plain == texts.ADMIN_ONLY
    fake.user_writes(ADMIN, "/web", chat_id=GROUP)  # a personal sign-in link: never here
    assert "/web в личном чате" in (await fake.wait_sent(GROUP, 3))[2].plain
    assert not any("?t=" in m.text for m in fake.sent_to(GROUP))


async def test_a_message_long_after_otvetit_is_not_sent_to_the_parent(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """«Ответить», then nothing for an hour: the staffer's next message is a question to the
    bot, as in Telegram (ANSWER_WINDOW), not an answer the parent gets out of the blue."""
    clock = FrozenClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN, clock=clock) as (fake, _):
        card = await ticket_from(fake, ADMIN, MOTHER, "можно ли привести собаку-поводыря")
        parent_had = len(fake.sent_to(MOTHER))
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, card, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN, before + 1)  # «Напишите ответ на обращение №1…»
        clock.advance(timedelta(hours=1))
        (reply,) = await say(fake, ADMIN, "как активировать сертификат")
        assert "доставлен" not in reply.plain
        assert len(fake.sent_to(MOTHER)) == parent_had
        async with sessionmaker() as session:
            ticket = await session.get(Ticket, 1)
            assert ticket is not None and ticket.status == TicketStatus.OPEN


async def test_a_stale_staff_button_says_what_to_type_in_max(fake: FakeMaxServer) -> None:
    """A stale «Дальше »» under /faq_drafts: the notice names the word MAX reads («меню»),
    not Telegram's /menu, and that word brings fresh buttons."""
    fake.bot_started(ADMIN)
    greeting = (await fake.wait_sent(ADMIN, 1))[0]
    callback = fake.press_payload(ADMIN, greeting, "fqd:старая")
    notice = await answered(fake, callback)
    assert notice == max_texts.STALE_BUTTON and "/menu" not in notice
    (menu,) = await say(fake, ADMIN, "меню")
    assert menu.buttons()


async def test_subscribe_before_a_role_offers_the_role_buttons(fake: FakeMaxServer) -> None:
    """/subscribe with no role yet: MAX gets the «Кто вы?» buttons with it, not «— /start»."""
    fake.bot_started(MOTHER)
    await fake.wait_sent(MOTHER, 1)
    (need,) = await say(fake, MOTHER, "/subscribe")
    assert "/start" not in need.plain and "кнопкой ниже" in need.plain
    fake.press(MOTHER, need, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 3)
    (subscribed,) = await say(fake, MOTHER, "/subscribe")
    assert subscribed.plain.startswith("🔔 Вы подписаны на новости МОЦ")


async def test_a_report_max_will_not_take_is_said_not_silent(fake: FakeMaxServer) -> None:
    """/report while MAX answers 503 to every upload: the staffer hears that the file did not
    go (before, the bot went silent and the staffer waited for an .xlsx that never came)."""
    fake.bot_started(ADMIN)
    await fake.wait_sent(ADMIN, 1)
    fake.fail_next(503, path="/uploads", times=3)
    (said,) = await say(fake, ADMIN, "/report 2026-01-01 2026-12-31")
    assert said.plain == max_texts.FILE_NOT_SENT
    (sheet,) = await say(fake, ADMIN, "/report 2026-01-01 2026-12-31")  # MAX is back
    assert [a["type"] for a in sheet.attachments] == ["file"]


async def test_the_staff_menu_in_max_has_the_tickets_button(fake: FakeMaxServer) -> None:
    """Telegram staff have «📨 Обращения» and «📣 Рассылка» on their keyboard; MAX staff get
    them under the menu, and «📣 Рассылка» opens a new broadcast as Telegram's does (the list
    is /broadcasts there and here). A parent sees neither, and a forged press is refused."""
    await ticket_from(fake, ADMIN, MOTHER, "можно ли привести собаку-поводыря")
    welcome = fake.sent_to(ADMIN)[0]
    fake.press(ADMIN, welcome, texts.ROLE_TITLES["staff"])
    await fake.wait_sent(ADMIN, 3)
    (menu,) = await say(fake, ADMIN, "меню")
    labels = [b["text"] for row in menu.buttons() for b in row]
    assert texts.BTN_TICKETS in labels and texts.BTN_BROADCAST in labels
    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, menu, texts.BTN_TICKETS)
    header, card = (await fake.wait_sent(ADMIN, before + 2))[before:]
    assert header.plain == "Открытые обращения (1):" and "собаку-поводыря" in card.plain
    fake.press(ADMIN, menu, texts.BTN_BROADCAST)  # as Telegram's button: a new broadcast
    asked = (await fake.wait_sent(ADMIN, before + 3))[-1]
    assert asked.plain.startswith("📣 Новая рассылка") and "Пришлите текст" in asked.plain
    (cancelled,) = await say(fake, ADMIN, "Отмена")
    assert cancelled.plain == bt.DIALOG_CANCELLED
    (listing,) = await say(fake, ADMIN, "/broadcasts")
    assert listing.plain == max_texts.BROADCASTS_EMPTY

    (parents,) = await say(fake, MOTHER, "меню")
    assert texts.BTN_TICKETS not in str(parents.buttons())
    forged = fake.press_payload(MOTHER, parents, "sdk:tickets")
    assert await answered(fake, forged) == texts.ADMIN_ONLY


async def test_a_listed_command_pressed_in_a_group_gets_the_pointer(fake: FakeMaxServer) -> None:
    """MAX shows the «/» list in groups too: a parent tapping /faq or /events there is sent
    to the private dialog, as /start and /help are, instead of getting silence."""
    for n, command in enumerate(("/faq", "/events@moc_test_bot")):
        group = GROUP - n  # one pointer per group per few minutes: a group each
        await bot_added(fake, group, ADMIN, f"Родители {n + 1}А")
        fake.user_writes(MOTHER, command, chat_id=group)
        pointer = (await fake.wait_sent(group, 1))[-1]
        assert pointer.plain.startswith("Я бот МОЦ"), command
        assert pointer.buttons()[0][0]["url"] == "https://max.ru/moc_test_bot"
