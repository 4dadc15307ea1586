"""The one factory that builds Bot and Dispatcher for the runner, the CLI chat and the tests."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods.base import Response
from aiogram.types import Message

from bot.app.jobs import register_jobs
from bot.app.polling import SkipUnparsableUpdates
from bot.core import incoming
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from bot.services.chats.notice_gate import STRANGER_NOTICE_EVERY, NoticeGate
from bot.services.chats.pointers import PointerGate, Stamps
from bot.services.chats.room_notes import RoomNotes
from bot.services.faq import FaqService
from bot.services.faq.learning import refresh
from bot.services.faq.querylog import QueryLog
from bot.services.outbox import Outbox
from bot.services.staff.roster import Roster
from broadcasts.limiter import RateLimiter
from handlers import get_routers
from handlers.tg import staff_menu
from handlers.tg.callback_guard import CallbackGuard
from handlers.tg.commands import set_commands, set_profile
from handlers.tg.dedupe import UpdateDedupe
from handlers.tg.fsm import SqlStorage
from handlers.tg.messenger import TelegramMessenger
from handlers.tg.middlewares import (
    DatabaseMiddleware,
    MenuLeavesDialog,
    MetricsMiddleware,
    SkipPrivateServiceMessages,
    ThrottlingMiddleware,
    UserMiddleware,
)
from handlers.tg.outbound import Outbound, keep_waiting, redis_gate
from handlers.tg.outbound import install as install_outbound
from handlers.tg.outbound import of as outbound_of
from storage.db import (
    SessionMaker,
    create_engine,
    create_sessionmaker,
    is_sqlite,
    release_idle_transaction,
)
from storage.repositories import Repositories

log = logging.getLogger(__name__)


def create_bot(
    settings: Settings, session: BaseSession | None = None, *, outbound: bool = True
) -> Bot:
    """A Bot with HTML by default; TELEGRAM_API_URL points it at a self-hosted Bot API.

    Every message it writes into a chat goes through one paced, prioritised path
    (handlers/tg/outbound.py); `outbound=False` is the old direct behaviour, kept for the
    benchmark."""
    token = settings.require_token()
    if session is None:
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
            if settings.telegram_api_url
            else AiohttpSession()
        )
    session.middleware(SkipUnparsableUpdates())
    session.json_loads = incoming.loads  # no U+0000 reaches the database (bot.core.incoming)
    bot = Bot(
        token,
        session=session,
        # a reply whose message is gone (a group's cleaner bot deletes commands at once) is
        # sent all the same, not refused with «message to be replied not found»
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview_is_disabled=True,
            allow_sending_without_reply=True,
        ),
    )
    if outbound:
        url = settings.redis_url  # shared by instances through Redis, else this one's share
        limiter = RateLimiter(
            settings.outbound_rate,
            private_burst=settings.outbound_private_burst,
            floor_rate=settings.broadcast_min_rate,
            gate=redis_gate(url, settings.outbound_rate, bot.id) if url else None,
        )  # fmt: skip
        install_outbound(bot, Outbound(
            limiter, staff_chat_id=settings.staff_chat_id,
            give_up=settings.outbound_give_up_seconds, before_wait=release_idle_transaction,
        ))  # fmt: skip
    return bot


def create_fsm_storage(settings: Settings, sessionmaker: SessionMaker) -> BaseStorage:
    """Redis when REDIS_URL is set (shared by instances), otherwise the bot's database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        from bot.core.redis_breaker import SOCKET_TIMEOUT
        from handlers.tg.resilient_fsm import ResilientRedisStorage

        return ResilientRedisStorage(
            RedisStorage.from_url(
                settings.redis_url,
                connection_kwargs={
                    "socket_timeout": SOCKET_TIMEOUT,
                    "socket_connect_timeout": SOCKET_TIMEOUT,
                },
                # same key shape as SqlStorage; a finished dialog's keys expire on their own
                key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True),
                state_ttl=FSM_TTL,
                data_ttl=FSM_TTL,
            )
        )
    # its own small pool: see SqlStorage on why sharing the updates' pool deadlocks
    engine = create_engine(settings.database_url, pool_size=3, max_overflow=7)
    return SqlStorage(
        create_sessionmaker(engine), cache=is_sqlite(settings.database_url), engine=engine
    )


# pydantic keeps parametrised generics only weakly, and aiogram asks for Response[...] on every
# request: without a strong reference the class is rebuilt (milliseconds) after each GC.
_PINNED_RESPONSES = (Response[Message], Response[bool], Response[Message | bool])

FSM_TTL = 30 * 24 * 3600  # a dialog untouched for a month is abandoned


async def check_fsm_storage(dispatcher: Dispatcher, settings: Settings) -> None:
    """Fail at start, naming REDIS_URL, instead of apologising for every update later."""
    from redis.exceptions import RedisError

    from handlers.tg.resilient_fsm import ResilientRedisStorage

    storage = dispatcher.storage
    if not isinstance(storage, ResilientRedisStorage):
        return
    try:
        await asyncio.wait_for(storage.redis.ping(), timeout=5)
    except (RedisError, OSError, TimeoutError) as exc:
        from bot.app.preflight import redis_unreachable

        raise redis_unreachable(settings.redis_url or "", exc) from exc


def create_isolation(storage: BaseStorage) -> BaseEventIsolation:
    """Redis locks when several instances share Redis, in-process locks otherwise."""
    from handlers.tg.resilient_fsm import ResilientRedisStorage

    if isinstance(storage, ResilientRedisStorage):
        return storage.create_isolation()
    return SimpleEventIsolation()


@dataclass
class Services:
    """Long-lived objects handed to handlers as Dispatcher workflow data."""

    settings: Settings
    sessionmaker: SessionMaker
    faq: FaqService
    clock: Clock = field(default_factory=SystemClock)
    querylog: QueryLog = field(init=False)
    # every messenger of the process by channel: handlers that write to a person who may be
    # in MAX (a staff answer) send through it; Telegram's joins at startup (the Bot is known)
    switchboard: Switchboard = field(default_factory=lambda: Switchboard({}))
    roster: Roster = field(init=False)  # who is staff: every admin check of every adapter
    # with REDIS_URL, what every instance must count together (else kept per process):
    # «ask me privately» in a busy group, one per group; «the bot was added by a stranger»,
    # one notice an hour (Telegram's here, MAX's in bot.app.max_runtime); flood buckets
    stamps: Stamps | None = field(init=False)
    pointers: PointerGate = field(init=False)
    strangers: NoticeGate = field(init=False)
    # «the staff chat refuses posts», told each staffer once an hour, not with every ticket
    room_notes: RoomNotes = field(init=False)

    def __post_init__(self) -> None:
        self.querylog = QueryLog(self.sessionmaker, self.clock)
        self.roster = Roster(self.settings, self.sessionmaker)
        self.stamps = shared_stamps(self.settings)
        self.pointers = PointerGate(shared=self.stamps)
        self.strangers = NoticeGate(STRANGER_NOTICE_EVERY, shared=self.stamps, name="strangers:tg")
        self.room_notes = RoomNotes(self.clock, self.stamps)

    async def close(self) -> None:
        if self.stamps is not None:
            await self.stamps.close()


def shared_stamps(settings: Settings) -> Stamps | None:
    """Stamps in Redis when instances share one (REDIS_URL), else none: kept per process."""
    if not settings.redis_url:
        return None
    from storage.redis_stamps import RedisStamps

    return RedisStamps(settings.redis_url)


def create_dispatcher(
    services: Services, *, fsm_storage: BaseStorage | None = None, jobs: bool = True
) -> Dispatcher:
    settings = services.settings
    storage = fsm_storage or create_fsm_storage(settings, services.sessionmaker)
    dp = Dispatcher(
        storage=storage,
        # one update at a time per chat and user: a double tap or two fast answers in a
        # dialog are handled in order, never side by side
        events_isolation=create_isolation(storage),
        settings=settings,
        sessionmaker=services.sessionmaker,
        faq=services.faq,
        clock=services.clock,
        querylog=services.querylog,
        messenger=services.switchboard,
        roster=services.roster,
        pointers=services.pointers,
        strangers=services.strangers,
        room_notes=services.room_notes,
        stamps=services.stamps,
    )
    # metrics outermost (its time covers everything), then flood control as messages arrive
    # (before aiogram's per-chat lock, which is in dp.fsm), then the duplicate check, which
    # must come before anything that writes
    dp.update.outer_middleware.unregister(dp.fsm)
    dp.update.outer_middleware(MetricsMiddleware())
    dp.update.outer_middleware(
        ThrottlingMiddleware(
            settings.throttle_rate,
            settings.throttle_burst,
            is_admin=services.roster.known_staff,
            shared=services.stamps,
        )
    )
    dp.update.outer_middleware(dp.fsm)
    if settings.dedupe_updates:
        dp.update.outer_middleware(UpdateDedupe(services.sessionmaker, services.clock))
    dp.update.outer_middleware(DatabaseMiddleware(services.sessionmaker))
    dp.update.outer_middleware(UserMiddleware(services.roster))
    dp.callback_query.outer_middleware(CallbackGuard())
    dp.message.outer_middleware(SkipPrivateServiceMessages())
    dp.message.outer_middleware(MenuLeavesDialog())
    dp.include_routers(*get_routers())
    dp.startup.register(install_telegram_messenger)
    dp.startup.register(check_fsm_storage)
    dp.startup.register(set_commands)
    dp.startup.register(set_profile)
    dp.startup.register(staff_menu.on_startup)
    dp.startup.register(start_query_log)
    dp.startup.register(load_staff_additions)
    dp.shutdown.register(stop_query_log)
    dp.shutdown.register(services.close)
    dp.shutdown.register(keep_waiting)  # replies still waiting go to the outbox
    if jobs:  # `run --no-jobs` leaves them to `python -m bot worker`
        register_jobs(dp)
    return dp


async def install_telegram_messenger(
    bot: Bot, messenger: Switchboard, sessionmaker: SessionMaker
) -> None:
    messenger.messengers["tg"] = TelegramMessenger(bot)
    outbound = outbound_of(bot)
    if outbound is not None:  # a person's reply refused too long is kept, not lost
        outbound.outbox = Outbox(sessionmaker)


async def load_staff_additions(faq: FaqService, sessionmaker: SessionMaker) -> None:
    """What staff taught the FAQ (stored in the database) is served from the first question."""
    async with sessionmaker() as session:
        await refresh(faq, Repositories(session), every=0, wait=True)


async def start_query_log(querylog: QueryLog) -> None:
    querylog.start()


async def stop_query_log(querylog: QueryLog) -> None:
    await querylog.stop()
