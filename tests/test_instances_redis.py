"""Two webhook instances behind a load balancer, sharing one database and one Redis: what one
process used to keep to itself must hold for both.

The instances here are two complete Dispatchers (Telegram) or two MAX runtimes with their own
webhook listeners, in this test process; the load balancer is played by choosing, update by
update, which instance gets it (Telegram: `feed_raw_update`, as the webhook route does; MAX:
the fake MAX posting to whichever listener its subscription names at that moment).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import StorageKey

from bot import texts
from bot.app.factory import Services, create_bot, create_dispatcher, create_fsm_storage
from bot.app.max_runtime import MaxRuntime
from bot.app.web import MaxWebServer
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import chats as t
from handlers import errors
from handlers.tg import resilient_fsm
from handlers.tg.resilient_fsm import ResilientRedisStorage
from storage.db import SessionMaker
from tests import pg
from tests.conftest import ADMIN, PARENT, make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, member_payload
from tests.helpers.max_both import MOTHER
from tests.helpers.wait import until

pytestmark = pytest.mark.redis

GROUP = -4_000_000_777  # a Telegram parents' group
MAX_GROUP = -70_000_000_555  # a MAX parents' group
PARENTS = [FakeUser(7_300_000_000 + n, f"Родитель {n}") for n in range(30)]
MAX_PARENTS = [MaxUser(50_000_003_000 + n, f"Родитель {n}") for n in range(30)]


# --- Telegram: two dispatchers -------------------------------------------------------------


@asynccontextmanager
async def telegram_instance(
    server: FakeTelegramServer, settings: Settings, sm: SessionMaker, faq: FaqService
) -> AsyncIterator[tuple[Bot, Dispatcher]]:
    """One webhook instance: its own Bot, Dispatcher and Services (the process's memory)."""
    bot = create_bot(settings, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))
    dp = create_dispatcher(Services(settings, sm, faq), jobs=False)
    await dp.emit_startup(bot=bot, dispatcher=dp, **dp.workflow_data)
    try:
        yield bot, dp
    finally:
        await dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data)
        await dp.storage.close()
        await bot.session.close()


async def test_thirty_starts_through_two_telegram_instances_get_one_pointer(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """Thirty parents type /start in their group within a minute; the load balancer sends
    every other update to the second instance. The group reads one «write to me privately»,
    not one from each instance; a question to the bot by name still gets its own."""
    settings = make_settings(db_path, redis_url=redis_url)
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        b = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        feeds = []
        for n, parent in enumerate(PARENTS):
            bot, dp = (a, b)[n % 2]
            update = server.user_sends(
                "/start", user=parent, chat_id=GROUP, chat_type="group", chat_title="Родители 5А"
            )  # fmt: skip
            feeds.append(dp.feed_raw_update(bot, update))
        await asyncio.gather(*feeds)
        assert [m.text for m in server.sent_to(GROUP)] == [t.IN_GROUP]

        me = f"@{server.bot_username}"
        question: dict[str, Any] = {
            "entities": [{"type": "mention", "offset": 0, "length": len(me)}]
        }
        update = server.user_sends(
            f"{me}, как активировать сертификат?", user=ADMIN, chat_id=GROUP,
            chat_type="group", extra=question,
        )  # fmt: skip
        await b[1].feed_raw_update(b[0], update)
        assert [m.text for m in server.sent_to(GROUP)] == [t.IN_GROUP] * 2


def bot_added_by(server: FakeTelegramServer, chat_id: int, by: FakeUser) -> dict[str, Any]:
    """Telegram's my_chat_member: `by` added the bot to a supergroup."""
    me = {"id": server.bot_id, "is_bot": True, "first_name": "Test bot",
          "username": server.bot_username}  # fmt: skip
    chat = {"id": chat_id, "type": "supergroup", "title": f"Группа {-chat_id % 1000}"}
    return server.push_update({"my_chat_member": {
        "chat": chat, "from": by.as_dict(), "date": int(time.time()),
        "old_chat_member": member_payload("left", me),
        "new_chat_member": member_payload("member", me),
    }})  # fmt: skip


async def test_strangers_adding_the_bot_through_two_instances_make_one_notice_an_hour(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """Anyone may add the bot to any group; admins hear of strangers' additions once an hour,
    with a count of the rest. Five additions split between two instances made a notice from
    each; now one, and the next one (after the hour) counts the four held back by both."""
    stranger = FakeUser(7_300_001_000, "Пётр")
    settings = make_settings(db_path, redis_url=redis_url)
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        b = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        for n in range(5):
            bot, dp = (a, b)[n % 2]
            await dp.feed_raw_update(bot, bot_added_by(server, -1_003_100_000_000 - n, stranger))
        notes = server.drain(ADMIN.id)
        assert len(notes) == 1, [m.text for m in notes]

        await pg.delete_redis_keys(redis_url, "moc:strangers:tg")  # the hour has passed
        await b[1].feed_raw_update(b[0], bot_added_by(server, -1_003_100_000_100, stranger))
        (later,) = server.drain(ADMIN.id)
        assert "не сотрудники после прошлого такого сообщения: 4" in (later.text or "")


async def test_a_flood_through_two_instances_meets_one_limit_and_one_note(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """A parent sends eight messages in a second (THROTTLE_BURST=3), the load balancer
    alternating between instances: three are answered and one «вы пишете очень быстро» is
    said. Each instance used to count only its own half: all eight answered."""
    settings = make_settings(db_path, redis_url=redis_url, throttle_rate=0.05, throttle_burst=3)
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        b = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        for n in range(8):
            bot, dp = (a, b)[n % 2]
            await dp.feed_raw_update(bot, server.user_sends("/help", user=PARENT))
        said = [m.text or "" for m in server.sent_to(PARENT.id)]
        assert len(said) == 4 and said[-1] == texts.THROTTLED, said


async def test_a_failure_on_two_instances_reaches_admins_once(
    server: FakeTelegramServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Questions start failing (the same error) on every instance: each asker hears the
    apology, and the admins get one «⚠️ Ошибка» a minute for all instances, not one each."""

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("matcher broken")

    monkeypatch.setattr(faq_service.matcher, "search", broken)
    settings = make_settings(db_path, redis_url=redis_url)
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        b = await stack.enter_async_context(
            telegram_instance(server, settings, sessionmaker, faq_service)
        )
        asker = FakeUser(7_300_002_000, "Мария")
        await a[1].feed_raw_update(a[0], server.user_sends("как получить сертификат", user=PARENT))
        # the other instance is another process: what it remembers of notices is its own
        monkeypatch.setattr(errors, "_last_notice", {})
        await b[1].feed_raw_update(b[0], server.user_sends("как получить сертификат", user=asker))
        assert [m.text for m in server.sent_to(PARENT.id)][-1] == texts.ERROR
        assert [m.text for m in server.sent_to(asker.id)][-1] == texts.ERROR
        notices = [m.text or "" for m in server.sent_to(ADMIN.id)]
        assert len(notices) == 1 and "RuntimeError" in notices[0], notices


# --- MAX: two runtimes with their own webhook listeners ------------------------------------


class Balanced:
    """Two MAX webhook instances; `to(i)` points the fake MAX's subscription at instance i,
    as a load balancer picking it for the next update."""

    def __init__(self, fake: FakeMaxServer, servers: list[MaxWebServer]) -> None:
        self.fake, self.servers = fake, servers

    def to(self, i: int) -> None:
        url = f"http://127.0.0.1:{self.servers[i].port}/max/hook"
        self.fake.subscriptions[:] = [{**self.fake.subscriptions[0], "url": url}]


@asynccontextmanager
async def two_max_instances(
    fake: FakeMaxServer, db_path: Path, sm: SessionMaker, faq: FaqService, redis_url: str,
    **overrides: Any,
) -> AsyncIterator[Balanced]:  # fmt: skip
    settings = make_settings(
        db_path, bot_token=None, max_bot_token=fake.token, max_api_url=fake.url,
        max_webhook_url="https://bot.example.org/max/hook", max_webhook_secret="max-secret_1234",
        web_port=0, redis_url=redis_url, **overrides,
    )  # fmt: skip
    async with AsyncExitStack() as stack:
        servers = []
        for _ in range(2):
            services = Services(settings, sm, faq)
            runtime = MaxRuntime(
                settings, sm, faq, services.querylog, services.clock, services.switchboard,
                roster=services.roster,
            )  # fmt: skip
            server = MaxWebServer(settings, runtime.dispatcher.feed, sm)
            await server.start()
            stack.push_async_callback(server.stop)
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            servers.append(server)
        yield Balanced(fake, servers)


async def test_thirty_starts_through_two_max_instances_get_one_pointer(
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """The same busy parents' group in MAX, its updates split between two instances."""
    max_server.add_group(MAX_GROUP, owner=MAX_PARENTS[0])
    async with two_max_instances(max_server, db_path, sessionmaker, faq_service, redis_url) as lb:
        for n, parent in enumerate(MAX_PARENTS):
            lb.to(n % 2)
            max_server.user_writes(parent, "/start", chat_id=MAX_GROUP)
        await until(
            lambda: len(max_server.webhook_deliveries) >= len(MAX_PARENTS), 20, "30 delivered"
        )
        await asyncio.sleep(0.5)  # a second pointer would be on its way
        assert [m.plain for m in max_server.sent_to(MAX_GROUP)] == [t.IN_GROUP]


async def test_one_persons_messages_to_two_max_instances_are_answered_in_order(
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """A mother asks two questions in a row; the load balancer gives the first to one
    instance and the second to the other, and MAX makes the first answer wait (429). She
    must read the answers in the order she asked, not the second first: her second message
    waits for her first on every instance, as Telegram's do."""
    async with two_max_instances(max_server, db_path, sessionmaker, faq_service, redis_url) as lb:
        lb.to(0)
        max_server.bot_started(MOTHER)
        await max_server.wait_sent(MOTHER, 1)
        before = len(max_server.sent_to(MOTHER))
        tried = len(max_server.calls_to("POST", "/messages"))

        max_server.fail_next(429, "too.many.requests", "Too many requests")
        max_server.user_writes(MOTHER, "как активировать сертификат")
        refused = lambda: len(max_server.calls_to("POST", "/messages")) > tried  # noqa: E731
        await until(refused, 10, "the first answer refused")
        lb.to(1)
        max_server.user_writes(MOTHER, "/help")
        answers = (await max_server.wait_sent(MOTHER, before + 2, within=20))[before:]
        said = [("Что я умею" in m.plain, "сертификат" in m.plain.lower()) for m in answers]
        assert said == [(False, True), (True, True)], [m.plain[:60] for m in answers]


# --- a lock that outlives its time -----------------------------------------------------------


async def test_an_update_outliving_its_lock_leaves_the_dialog_state_in_redis(
    db_path: Path, sessionmaker: SessionMaker, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update that runs longer than its person's lock (a long report, a slow MAX) finds the
    lock expired when it lets go. Redis is fine: the next message must still find its dialog
    step there, not be answered for 15 s as if Redis were down."""
    monkeypatch.setattr(resilient_fsm, "LOCK_SECONDS", 0.2)
    storage = create_fsm_storage(make_settings(db_path, redis_url=redis_url), sessionmaker)
    assert isinstance(storage, ResilientRedisStorage)
    isolation = storage.create_isolation()
    key = StorageKey(bot_id=123456, chat_id=PARENT.id, user_id=PARENT.id)
    try:
        async with isolation.lock(key):
            await asyncio.sleep(0.5)  # the lock expired meanwhile
        await storage.set_state(key, "Ask:question")
        assert await storage.get_state(key) == "Ask:question"
    finally:
        await storage.close()


async def test_a_flood_through_two_max_instances_meets_one_limit(
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    redis_url: str,
) -> None:
    """The same in MAX: eight messages through two instances, three answered, one note."""
    async with two_max_instances(
        max_server, db_path, sessionmaker, faq_service, redis_url,
        throttle_rate=0.05, throttle_burst=3,
    ) as lb:  # fmt: skip
        for n in range(8):
            lb.to(n % 2)
            max_server.user_writes(MOTHER, "/help")
            await until(lambda n=n: len(max_server.webhook_deliveries) > n, 10, "delivered")
        await max_server.wait_sent(MOTHER, 4)
        await asyncio.sleep(0.5)  # more answers would be on their way
        said = [m.plain for m in max_server.sent_to(MOTHER)]
        assert len(said) == 4 and said[-1] == texts.THROTTLED, said
