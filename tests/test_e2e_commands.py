"""The command menus and the bot's profile as Telegram clients show them, after the real bot
starts against the fake Bot API: private chats, parents' groups, group administrators, МОЦ
staff in private and in the staff group; the description and short description from settings
(a failure to set them does not stop the bot)."""

from __future__ import annotations

from pathlib import Path

from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import (
    ADMIN,
    PARENT,
    STAFF_CHAT,
    TEACHER,
    BotHarness,
    make_settings,
    start_bot,
    stop_bot,
)
from tests.fakes.telegram_api import FakeTelegramServer

GROUP = -4000000777
PRIVATE_ONLY = {"start", "menu", "ask", "events", "my_events", "my_data", "subscribe"}
GROUP_ADMIN = {"bind", "unbind", "tag", "untag"}
STAFF = {"tickets", "broadcast", "new_event", "chats"}


async def started(h: BotHarness) -> FakeTelegramServer:
    await h.say(PARENT, "/help")  # answered: startup (menus, profile) is over
    return h.server


async def test_each_scope_sees_its_own_commands(harness: BotHarness) -> None:
    server = await started(harness)
    parent = set(server.visible_commands(PARENT.id))
    assert parent >= PRIVATE_ONLY and not parent & (GROUP_ADMIN | STAFF)
    staff_private = set(server.visible_commands(ADMIN.id))
    assert staff_private >= (PRIVATE_ONLY | STAFF)

    in_group = set(server.visible_commands(GROUP, PARENT.id))
    assert in_group and not in_group & (PRIVATE_ONLY | GROUP_ADMIN | STAFF)
    server.set_member_status(GROUP, TEACHER.id, "administrator")
    group_admin = set(server.visible_commands(GROUP, TEACHER.id))
    assert group_admin >= GROUP_ADMIN and not group_admin & (PRIVATE_ONLY | STAFF)

    staff_group = set(server.visible_commands(STAFF_CHAT, ADMIN.id))
    assert "tickets" in staff_group and not staff_group & PRIVATE_ONLY


async def test_description_and_short_description_come_from_settings(
    harness: BotHarness,
) -> None:
    server = await started(harness)
    description = server.settings[("description", "")]
    short = server.settings[("short_description", "")]
    assert "МОЦ города N" in description and "сертификат" in description
    assert 0 < len(short) <= 120 and "МОЦ города N" in short


async def test_own_texts_and_a_failure_to_set_them(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    settings = make_settings(
        db_path, bot_description="Бот МОЦ Энска: сертификаты и семинары.",
        bot_short_description="МОЦ Энска",
    )  # fmt: skip
    server.fail_next("setMyDescription", status=400, description="Bad Request: oops")
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    try:
        await started(h)  # the bot answers although one profile call failed
        assert server.settings.get(("short_description", "")) == "МОЦ Энска"
        assert ("description", "") not in server.settings
    finally:
        await stop_bot(dp, task)
