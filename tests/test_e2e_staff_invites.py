"""Issue 14: staff without restarts. An owner (ADMIN_IDS) makes an invite link with /invite,
another person opens it and is staff at once (admin commands, /web); a used, expired or
forged link is refused in Russian; the owner removes them on the panel's «Сотрудники» page
and their commands and panel session stop working; non-owners can neither invite nor
remove; every change is in the audit log."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot import texts
from bot.app.panel import start_panel_server
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.staff import members
from bot.texts import staff as t
from handlers.tg.callbacks import StaffCb
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from storage.models import AuditEntry, StaffMember
from storage.repositories import Repositories
from tests.conftest import (
    ADMIN,
    PARENT,
    TEACHER,
    BotHarness,
    make_settings,
    start_bot,
    stop_bot,
)
from tests.fakes.telegram_api import FakeTelegramServer

INVITE = re.compile(r"https://t\.me/moc_test_bot\?start=staff_([A-Za-z0-9_-]+)")
LOGIN = re.compile(r"(http://\S+/web/login\?t=\S+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_port=_free_port())


@pytest.fixture
async def panel(harness: BotHarness) -> AsyncIterator[str]:
    """The panel of the same process: it shares the bot's roster (Services.roster)."""
    runner = await start_panel_server(
        harness.settings, harness.sessionmaker, TelegramMessenger(harness.bot), SystemClock(),
        roster=harness.dp.workflow_data["roster"],
    )  # fmt: skip
    assert runner is not None
    yield harness.settings.panel_url
    await runner.cleanup()


async def invite(harness: BotHarness) -> str:
    sent = await harness.say(ADMIN, "/invite")
    found = INVITE.search(sent.text or "")
    assert found is not None, sent.text
    assert "открывается один раз" in (sent.text or "")
    return found.group(1)


async def join(harness: BotHarness, token: str) -> None:
    joined = await harness.say(TEACHER, f"/start staff_{token}")
    assert joined.text == t.INVITE_OUTCOMES["joined"]


async def open_panel(harness: BotHarness, http: aiohttp.ClientSession, who: object) -> str:
    """/web in the bot → open the link; the CSRF token of the new session."""
    sent = await harness.say(who, "/web")  # type: ignore[arg-type]
    found = LOGIN.search(sent.text or "")
    assert found is not None, sent.text
    assert (await http.get(found.group(1))).status == 200
    page = await http.get(f"{harness.settings.panel_url}/web/staff")
    assert page.status == 200
    token = CSRF.search(await page.text())
    assert token is not None
    return token.group(1)


async def test_an_invited_person_is_staff_at_once(harness: BotHarness) -> None:
    assert (await harness.say(TEACHER, "/tickets")).text == texts.ADMIN_ONLY
    token = await invite(harness)
    await join(harness, token)

    assert (await harness.say(TEACHER, "/tickets")).text != texts.ADMIN_ONLY
    web = await harness.say(TEACHER, "/web")
    assert LOGIN.search(web.text or "") is not None
    menu = await harness.server.wait_for(
        "setMyCommands", lambda c: (c.params.get("scope") or {}).get("chat_id") == TEACHER.id
    )
    assert "tickets" in str(menu.params["commands"])

    again = await harness.say(PARENT, f"/start staff_{token}")
    assert again.text == t.INVITE_OUTCOMES["used"]
    assert (await harness.say(PARENT, "/tickets")).text == texts.ADMIN_ONLY
    assert (await harness.say(TEACHER, f"/start staff_{token}")).text == t.INVITE_OUTCOMES[
        "already"
    ]

    async with harness.sessionmaker() as session:
        member = await session.get(StaffMember, TEACHER.id)
        assert member is not None and member.added_by == ADMIN.id
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "staff.invite" in actions and "staff.add" in actions


async def test_forged_and_expired_links_are_refused(harness: BotHarness) -> None:
    token = await invite(harness)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = await harness.say(PARENT, f"/start staff_{forged}")
    assert refused.text == t.INVITE_OUTCOMES["forged"]
    assert (await harness.say(PARENT, "/start staff_nonsense")).text == t.INVITE_OUTCOMES["forged"]
    async with harness.sessionmaker() as session:  # an invite made 25 hours ago
        old = await members.invite(
            Repositories(session), harness.settings, ADMIN.id,
            SystemClock().now() - timedelta(hours=25),
        )  # fmt: skip
    expired = await harness.say(PARENT, f"/start staff_{old.token}")
    assert expired.text == t.INVITE_OUTCOMES["expired"]
    assert (await harness.say(PARENT, "/tickets")).text == texts.ADMIN_ONLY


async def test_non_owner_staff_cannot_invite_or_remove(harness: BotHarness) -> None:
    await join(harness, await invite(harness))
    assert (await harness.say(TEACHER, "/invite")).text == t.INVITE_OWNERS_ONLY
    listing = await harness.say(TEACHER, "/staff")
    assert "Анна Методист" in (listing.text or "") and not listing.reply_markup
    # a forged «Удалить» press: the owner role is checked on the server
    harness.server.press_data(listing, StaffCb(person=ADMIN.id).pack(), user=TEACHER)
    answer = await harness.server.callback_answer()
    assert answer.params.get("text") == t.INVITE_OWNERS_ONLY
    assert (await harness.say(PARENT, "/invite")).text == t.INVITE_OWNERS_ONLY


async def test_owner_removes_staff_on_the_page(harness: BotHarness, panel: str) -> None:
    await join(harness, await invite(harness))
    jar = aiohttp.CookieJar(unsafe=True)
    async with (
        aiohttp.ClientSession(cookie_jar=jar) as teacher,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as owner,
    ):
        teacher_csrf = await open_panel(harness, teacher, TEACHER)
        page = await (await teacher.get(f"{panel}/web/staff")).text()
        assert "Удалить" not in page and "Пригласить сотрудника" not in page
        for path, data in (("invite", {}), ("remove", {"person": str(ADMIN.id)})):
            refused = await teacher.post(
                f"{panel}/web/staff/{path}", data={"csrf": teacher_csrf, **data}
            )
            assert refused.status == 403

        owner_csrf = await open_panel(harness, owner, ADMIN)
        page = await (await owner.get(f"{panel}/web/staff")).text()
        assert "Пётр Сидоров" in page and "Удалить" in page
        made = await owner.post(f"{panel}/web/staff/invite", data={"csrf": owner_csrf})
        assert INVITE.search(await made.text()) is not None
        removed = await owner.post(
            f"{panel}/web/staff/remove", data={"csrf": owner_csrf, "person": str(TEACHER.id)}
        )
        text = await removed.text()
        assert removed.status == 200 and "Сотрудник удалён" in text
        assert "удалил(а) сотрудника" in text and "добавил(а) сотрудника" in text
        assert "создал(а) ссылку-приглашение" in text

        gone = await teacher.get(f"{panel}/web/tickets", allow_redirects=False)
        assert gone.status == 303 and gone.headers["Location"] == "/web/signin"
        # an owner stays: removing one is refused
        kept = await owner.post(
            f"{panel}/web/staff/remove", data={"csrf": owner_csrf, "person": str(ADMIN.id)}
        )
        assert "Владельца удалить нельзя" in await kept.text()

    assert (await harness.say(TEACHER, "/tickets")).text == texts.ADMIN_ONLY
    assert (await harness.say(TEACHER, "/web")).text == texts.ADMIN_ONLY
    await harness.server.wait_for(
        "deleteMyCommands", lambda c: (c.params.get("scope") or {}).get("chat_id") == TEACHER.id
    )


async def test_owner_removes_staff_in_the_bot(harness: BotHarness) -> None:
    await join(harness, await invite(harness))
    listing = await harness.say(ADMIN, "/staff")
    assert "Пётр Сидоров — сотрудник" in (listing.text or "")
    harness.server.press(listing, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    answer = await harness.server.callback_answer()
    assert answer.params.get("text") == t.REMOVE_OUTCOMES["removed"]
    assert (await harness.say(TEACHER, "/tickets")).text == texts.ADMIN_ONLY


async def test_staff_get_the_mini_app_menu_button_under_https(
    server: FakeTelegramServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    settings = make_settings(db_path, web_public_url="https://moc.example.org")
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)
    try:
        owner = await server.wait_for(
            "setChatMenuButton", lambda c: c.params["chat_id"] == ADMIN.id
        )
        button = owner.params["menu_button"]
        assert button["type"] == "web_app"
        assert button["web_app"]["url"] == "https://moc.example.org/web/webapp"
        await join(harness, await invite(harness))
        newcomer = await server.wait_for(
            "setChatMenuButton", lambda c: c.params["chat_id"] == TEACHER.id
        )
        assert newcomer.params["menu_button"]["type"] == "web_app"
        listing = await harness.say(ADMIN, "/staff")
        server.press(listing, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
        removed = await server.wait_for(
            "setChatMenuButton", lambda c: c.params["chat_id"] == TEACHER.id
        )
        assert removed.params["menu_button"]["type"] == "default"
        menus = [c for c in server.calls if c.method.lower() == "setchatmenubutton"]
        assert all(c.params["chat_id"] in (ADMIN.id, TEACHER.id) for c in menus)
    finally:
        await stop_bot(dp, task)
