"""An outside QA pass over broadcasts to Telegram and MAX at once, through the real worker, the
real channels and the fake Bot API and MAX servers: what the methodologist who sent it reads
afterwards must say where the messages went and where they did not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select, update

from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.ids import internal
from bot.texts import broadcasts as tb
from broadcasts import service
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options
from broadcasts.service import Target, create_broadcast
from broadcasts.worker import BroadcastWorker
from storage.models import BroadcastState, Chat, ChatAudience, Delivery, DeliveryStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, BotHarness
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.browser import browser_or_skip, chromium, login_link
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.test_max_groups import ADMIN as MAX_ADMIN
from tests.test_max_groups import GROUP, NOW, OTHER, TG_GROUP, World
from tests.test_max_groups import world as world  # a fixture

HOUR = timedelta(hours=1)
AUTHOR = 1000  # a methodologist in Telegram


async def deliver_and_report(world: World, settings: Settings) -> str:
    """Deliver what is due with the real worker and the channels `settings` configure; the
    final report the author got in Telegram."""
    async with FakeTelegramServer() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(settings, world.sm, bot)
        worker = BroadcastWorker(
            world.sm, channel, FrozenClock(NOW), instance_id="qa",
            options=Options(retry_base_seconds=0.01, check_every=0.1),
            limiter=RateLimiter(200.0),
        )  # fmt: skip
        try:
            await worker.run_once()
        finally:
            if client is not None:
                await client.close()
            await bot.session.close()
        assert len(tg.sent_to(TG_GROUP)) == 1
        (report,) = [m.text for m in tg.sent_to(AUTHOR) if "завершена" in m.text]
    return report


async def parents_in_both(world: World, max_groups: tuple[int, ...]) -> None:
    """A Telegram group and these MAX groups bound to «parents»; a broadcast to them, due now."""
    for group in max_groups:
        world.max.bot_added(group, by=MAX_ADMIN)
        world.max.user_writes(MAX_ADMIN, "/bind parents", chat_id=group)
    await world.pump()
    async with world.sm() as s:
        chat = Chat(id=TG_GROUP, kind="supergroup", title="Родители TG")
        chat.audiences = [ChatAudience(chat_id=TG_GROUP, audience="parents")]
        s.add(chat)
        await s.flush()
        await create_broadcast(
            s, author_id=AUTHOR, content=Content("text", "Собрание в четверг"),
            target=Target(("parents",), include_private=False), at=None, now=NOW,
        )  # fmt: skip
        await s.commit()


async def test_the_final_report_says_that_the_max_groups_are_where_it_failed(
    world: World,
) -> None:
    """«Родителям» goes to a Telegram group and two MAX groups; MAX lost one of them (403).
    «Доставлено: 2 из 3» alone reads as a Telegram problem; the report names the messenger,
    as /broadcasts and the panel already do."""
    await parents_in_both(world, (GROUP, OTHER))
    world.max.block(OTHER)

    report = await deliver_and_report(world, world.settings)
    assert "Доставлено: 2 из 3" in report
    assert "Telegram: доставлено 1 из 1 · заблокировали 0" in report
    assert "MAX: доставлено 1 из 2 · заблокировали 1" in report


async def test_max_groups_in_a_bot_without_max_token_are_explained_in_the_report(
    world: World,
) -> None:
    """MAX_BOT_TOKEN was taken out of .env (or a second instance runs without it) while MAX
    groups stay bound: the report must say why MAX got nothing, in the staff's words, not
    «другая ошибка: канал max не настроен»."""
    await parents_in_both(world, (GROUP,))
    telegram_only = world.settings.model_copy(update={"max_bot_token": None})
    report = await deliver_and_report(world, telegram_only)
    assert "Доставлено: 1 из 2" in report
    assert "MAX: доставлено 0 из 1 · заблокировали 0 · ошибок 1" in report
    assert "другая ошибка" not in report
    assert "MAX не подключён к боту (MAX_BOT_TOKEN) — 1" in report


async def test_the_panel_updates_the_per_messenger_line_while_it_is_sending(
    harness: BotHarness, panel: None
) -> None:
    """A broadcast page opened while it is sending: the totals tick every 2 s, and the line
    «Telegram: … · MAX: …» under them must tick with them, not stay at «0 из 1» until the end."""
    async_playwright = browser_or_skip()
    now = datetime.now(UTC)
    max_group = internal(7, "chat")
    async with harness.sessionmaker() as session:
        chat = Chat(id=TG_GROUP, kind="supergroup", title="Родители 1А")
        chat.audiences = [ChatAudience(chat_id=TG_GROUP, audience="parents")]
        session.add(chat)
        await session.flush()
        b = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание в четверг"),
            target=service.Target(("parents",), include_private=False), at=None, now=now,
        )  # fmt: skip
        # another instance is sending it (a live heartbeat): this bot's worker leaves it be
        b.state, b.claimed_by, b.heartbeat_at = BroadcastState.SENDING, "other", now + HOUR
        await Repositories(session).deliveries.materialise(
            b.id, [(TG_GROUP, False), (max_group, False)], now
        )
        await session.commit()
    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page()
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.goto(page.url.replace("/web/tickets", f"/web/broadcasts/{b.id}"))
        line = page.locator("#progress p", has_text="MAX:")
        assert "MAX: доставлено 0 из 1" in (await line.inner_text())
        async with harness.sessionmaker() as session:
            await session.execute(
                update(Delivery).where(Delivery.broadcast_id == b.id)
                .values(status=DeliveryStatus.SENT)
            )  # fmt: skip
            await session.commit()
        sent = page.locator("#progress [data-field=sent]")
        await page.wait_for_function(
            "el => el.textContent === '2'", arg=await sent.element_handle(), timeout=15_000
        )
        shown = await line.inner_text()
        assert "Telegram: доставлено 1 из 1" in shown and "MAX: доставлено 1 из 1" in shown
        assert (
            await page.locator("#progress [data-field=state_label]").inner_text()
            == (tb.STATE_LABELS[BroadcastState.SENDING])
        )  # still the same page, not the reload at the end


async def in_flight(world: World) -> None:
    """Until the courier has claimed the row (committed before its send goes out)."""
    for _ in range(200):
        async with world.sm() as s:
            found = await s.scalar(
                select(Delivery.id).where(Delivery.status == DeliveryStatus.SENDING)
            )
        if found is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the worker never started sending")


async def test_a_cancel_that_comes_while_the_last_message_is_in_flight_still_gets_a_report(
    world: World,
) -> None:
    """The methodologist presses «Отменить» as the last group is being sent to: the message
    arrives, nothing was left to stop, and the worker found the broadcast cancelled when it
    went to close it. The bot told the canceller «отменена», and the worker's report is what
    says how far it got; without it the author hears nothing more, ever."""
    await parents_in_both(world, ())
    async with FakeTelegramServer() as tg:
        tg.latency = 1.0  # the send to the group is in flight for a second
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(world.settings, world.sm, bot)
        worker = BroadcastWorker(
            world.sm, channel, FrozenClock(NOW), instance_id="qa",
            options=Options(check_every=5.0), limiter=RateLimiter(200.0),
        )  # fmt: skip
        try:
            running = asyncio.create_task(worker.run_once())
            await in_flight(world)
            async with world.sm() as s:
                assert await service.cancel_broadcast(s, 1)
                await s.commit()
            await asyncio.wait_for(running, 15)
        finally:
            if client is not None:
                await client.close()
            await bot.session.close()
        assert len(tg.sent_to(TG_GROUP)) == 1
        reports = [m.text for m in tg.sent_to(AUTHOR)]
    assert len(reports) == 1, reports
    assert reports[0].startswith("⛔ Рассылка №1 отменена")
    assert "Доставлено: 1 из 1" in reports[0] and "Не отправлено: 0" in reports[0]


async def test_a_cancelled_broadcast_does_not_say_its_unsent_messages_are_queued(
    harness: BotHarness, panel: None
) -> None:
    """Cancelled after one of three groups: the other two will never get it. /broadcasts and
    the panel said «в очереди 2» (queued: still going) while the report said «Не отправлено»."""
    async_playwright = browser_or_skip()
    now = datetime.now(UTC)
    groups = (TG_GROUP, TG_GROUP - 1, TG_GROUP - 2)
    async with harness.sessionmaker() as session:
        for n, group in enumerate(groups):
            chat = Chat(id=group, kind="supergroup", title=f"Родители {n + 1}А")
            chat.audiences = [ChatAudience(chat_id=group, audience="parents")]
            session.add(chat)
        await session.flush()
        b = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание в четверг"),
            target=service.Target(("parents",), include_private=False), at=None, now=now,
        )  # fmt: skip
        b.state = BroadcastState.CANCELLED
        await Repositories(session).deliveries.materialise(b.id, [(g, False) for g in groups], now)
        await session.execute(
            update(Delivery)
            .where(Delivery.broadcast_id == b.id, Delivery.chat_id == TG_GROUP)
            .values(status=DeliveryStatus.SENT)
        )
        await session.commit()

    listing = await harness.say(ADMIN, "/broadcasts")
    assert "Доставлено 1 из 3" in listing.text
    assert "в очереди" not in listing.text and "не отправлено 2" in listing.text

    link = await login_link(harness, ADMIN)
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page()
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.goto(page.url.replace("/web/tickets", f"/web/broadcasts/{b.id}"))
        progress = await page.locator("#progress").inner_text()
        assert "в очереди" not in progress and "не отправлено 2" in progress
        table = await page.locator("table.grid").inner_text()
        assert "в очереди" not in table and table.count("не отправлено") == 2
