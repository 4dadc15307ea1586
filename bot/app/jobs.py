"""The background jobs of one process, the same in every mode: session reminders, the broadcast
worker (scheduled broadcasts, event notices, «Ознакомлен» counts), Telegram's staff relay and
the outbox (replies to people kept past flood control or a shutdown, bot/services/outbox).

Each runner starts one `Jobs`: long polling and webhook mode from the Dispatcher's startup
hooks (`register_jobs`), `python -m bot worker` and the MAX-only bot directly, so a bot without
BOT_TOKEN reminds its MAX teachers and delivers broadcasts to MAX chats like a Telegram one;
`run --no-jobs` starts none. Reminders go through the app's Switchboard and broadcasts through
the ChannelRouter: a MAX id never reaches Telegram, and MAX rows wait with a reason when this
process has no MAX token. A group a broadcast finds gone is reported to its admins through the
Switchboard (bot/services/chats/gone.py).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Switchboard
from bot.services.chats.gone import GoneGroups
from bot.services.chats.room_notes import RoomNotes
from bot.services.events.reminders import QuietHours, ReminderService
from bot.services.events.reminders import install as install_reminders
from bot.services.outbox import OutboxChannel
from bot.services.outbox.worker import OutboxWorker
from bot.services.staff.composing import vet_signup
from bot.services.tickets.relay import StaffRelay
from broadcasts.channel import Channel
from broadcasts.channels import ChannelRouter
from broadcasts.files import StoredFiles
from broadcasts.limiter import Priority, RateLimiter
from broadcasts.worker import BroadcastWorker
from handlers.max.broadcast_channel import MaxChannel, MidLookup
from handlers.max.broadcast_media import MaxMedia
from handlers.max.client import MaxClient
from handlers.max.ids import MaxIds
from handlers.max.messenger import MaxMessenger
from handlers.max.outbox_channel import MaxOutbox
from handlers.max.pacing import MaxPacer
from handlers.max.shared_pace import max_pacer
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.messenger import people
from handlers.tg.outbound import of as outbound_of
from handlers.tg.outbox_channel import TelegramOutbox
from storage.db import SessionMaker

log = logging.getLogger(__name__)
Close = Callable[[], Awaitable[None]]


def max_client(settings: Settings) -> MaxClient | None:
    """A MAX client of its own (closed by whoever asked), or None without MAX_BOT_TOKEN."""
    if not settings.max_enabled or settings.max_bot_token is None:
        return None
    return MaxClient(
        settings.max_bot_token.get_secret_value().strip(), base_url=settings.max_api_url
    )


async def telegram_file(bot: Bot, file_id: str) -> bytes:
    """A file staff sent the bot, for the MAX side of a broadcast composed in Telegram;
    LookupError when Telegram does not give it."""
    try:
        found = await bot.download(file_id)
    except TelegramAPIError as exc:
        raise LookupError(f"{file_id}: {exc}") from exc
    if found is None:
        raise LookupError(file_id)
    return found.read()


def broadcast_channel(
    settings: Settings,
    sessionmaker: SessionMaker,
    bot: Bot | None,
    pacer: MaxPacer | None = None,
    known: MidLookup | None = None,
) -> tuple[Channel, MaxClient | None]:
    """Each delivery goes to its chat's messenger: Telegram when this process has a Bot, MAX
    when MAX_BOT_TOKEN is set (a row of a missing messenger waits, then fails with the reason;
    it never reaches the other). MAX sends keep MAX's pace: MAX_RATE overall, about 2 a second
    into one chat; with the `pacer` of this process's MAX messenger a broadcast takes only the
    slots people's replies leave unused. A photo or document is uploaded to each messenger
    once per broadcast (from the database, or for MAX from Telegram when there is a Bot). With
    `known` (the MAX messenger's `mid_of`) a MAX author's progress message, sent by their
    dialog, is edited as delivery goes. The MAX client is the caller's to close."""
    channels: dict[str, Channel] = {}
    files = StoredFiles(sessionmaker)
    if bot is not None:
        channels["tg"] = TelegramChannel(bot, files)
    client = max_client(settings)
    if client is not None:
        limiter = RateLimiter(settings.max_rate, per_chat_interval=0.5)

        async def pace(chat_id: int) -> None:
            await limiter.acquire(chat_id)
            if pacer is not None:
                await pacer.acquire_spare(chat_id)

        telegram = partial(telegram_file, bot) if bot is not None else None
        media = MaxMedia(client, files, telegram)
        channels["max"] = MaxChannel(
            client, media=media, ids=MaxIds(sessionmaker).external, pace=pace, known=known,
            on_flood=pacer.slow_down if pacer is not None else None,
        )  # fmt: skip
    return ChannelRouter(channels), client


class Jobs:
    """Start and stop the background jobs; `worker` is there for «Сейчас» to wake it."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: SessionMaker,
        clock: Clock,
        switchboard: Switchboard,
        *,
        bot: Bot | None = None,
        limiter: RateLimiter | None = None,
        room_notes: RoomNotes | None = None,
    ) -> None:
        self.settings, self.sessionmaker, self.clock = settings, sessionmaker, clock
        # why a ticket came privately, once an hour per staffer (Services.room_notes)
        self.room_notes = room_notes or RoomNotes(clock)
        self.switchboard, self.bot = switchboard, bot
        self.limiter = limiter or self._limiter()
        self.worker: BroadcastWorker | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._relay: StaffRelay | None = None
        self._outbox: OutboxWorker | None = None
        self._close: list[Close] = []

    def _limiter(self) -> RateLimiter:
        """One pace for everything this process sends: Telegram's ~30 messages a second is
        per bot, so the Bot's outbound limiter when it has one; MAX's rate in a MAX-only one."""
        installed = outbound_of(self.bot) if self.bot is not None else None
        if installed is not None:
            return installed.limiter
        rate = self.settings.outbound_rate if self.bot is not None else self.settings.max_rate
        return RateLimiter(rate)

    def _messenger(self) -> Switchboard:
        """The app's Switchboard with every messenger this process can write with; a worker
        process has no MAX runtime, so it gets a MAX messenger of its own."""
        board = self.switchboard
        if self.bot is not None:
            people(self.bot, board)  # adds Telegram's side
        if "max" not in board.messengers and (client := max_client(self.settings)) is not None:
            pacer = max_pacer(self.settings)
            board.messengers["max"] = MaxMessenger(
                client, self.sessionmaker, pacer, give_up=self.settings.outbound_give_up_seconds
            )
            self._close.append(client.close)
        return board

    async def start(self) -> None:
        settings = self.settings
        messenger = self._messenger()
        scheduler = AsyncIOScheduler(timezone=settings.tz)
        reminders = ReminderService(
            self.sessionmaker, messenger, self.clock, settings.tz, settings.reminder_leads_min,
            pace=partial(self.limiter.acquire, priority=Priority.NOTICE),
            quiet=QuietHours(settings.reminder_quiet_from, settings.reminder_quiet_until),
        )  # fmt: skip
        install_reminders(scheduler, reminders, settings.reminder_every_seconds)
        scheduler.start()
        self._scheduler = scheduler
        outlet = messenger.messengers.get("max")
        mine = outlet if isinstance(outlet, MaxMessenger) else None
        pacer, known = (mine.pacer, mine.mid_of) if mine is not None else (None, None)
        channel, client = broadcast_channel(settings, self.sessionmaker, self.bot, pacer, known)
        if client is not None:
            self._close.append(client.close)
        self.worker = BroadcastWorker(
            self.sessionmaker, channel, self.clock,
            instance_id=settings.broadcast_instance_id or f"{socket.gethostname()}:{os.getpid()}",
            concurrency=settings.broadcast_concurrency, max_jobs=settings.broadcast_max_jobs,
            poll_seconds=settings.broadcast_poll_seconds,
            grace_minutes=settings.broadcast_grace_minutes,
            lease_seconds=settings.broadcast_lease_seconds,
            resume_minutes=settings.broadcast_resume_minutes, tz=settings.tz, limiter=self.limiter,
            on_gone=GoneGroups(settings, self.sessionmaker, messenger), vet=vet_signup,
        )  # fmt: skip
        self.worker.start()
        if self.bot is not None:  # MAX-only staff posts are relayed by the MAX runtime
            # the Switchboard: MAX staff get their cards privately beside the Telegram ones
            self._relay = StaffRelay(
                messenger, settings, self.sessionmaker,
                every=settings.staff_relay_seconds, notes=self.room_notes,
            )  # fmt: skip
            self._relay.start()
        self._outbox = self._outbox_worker(messenger)
        self._outbox.start()
        log.info(
            "background jobs started: reminders, broadcasts and the outbox (%s)%s",
            "+".join(sorted(messenger.messengers)), ", staff relay" if self._relay else "",
        )  # fmt: skip

    def _outbox_worker(self, messenger: Switchboard) -> OutboxWorker:
        """Stored replies go out through each messenger's own pace: the Bot's limiter, the
        MAX messenger's pacer."""
        channels: dict[str, OutboxChannel] = {}
        if self.bot is not None:
            channels["tg"] = TelegramOutbox(self.bot, self.limiter)
        outlet = messenger.messengers.get("max")
        if isinstance(outlet, MaxMessenger):
            channels["max"] = MaxOutbox(outlet)
        return OutboxWorker(
            self.sessionmaker, channels, poll_seconds=self.settings.broadcast_poll_seconds,
            max_age=timedelta(hours=self.settings.outbox_max_age_hours),
        )  # fmt: skip

    async def stop(self) -> None:
        """Sends in flight finish (up to 30 s); the rest stays pending in the database."""
        if self._outbox is not None:
            await self._outbox.stop()
            self._outbox = None
        if self._relay is not None:
            await self._relay.stop()
            self._relay = None
        if self.worker is not None:
            await self.worker.stop(wait=30)
            self.worker = None
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        while self._close:
            await self._close.pop()()


def register_jobs(dp: Dispatcher) -> None:
    """The jobs started and stopped with `dp` (long polling and webhook mode)."""
    dp.startup.register(start_jobs)
    dp.shutdown.register(stop_jobs)


async def start_jobs(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: Clock,
    messenger: Switchboard,
    room_notes: RoomNotes,
) -> None:
    jobs = Jobs(settings, sessionmaker, clock, messenger, bot=bot, room_notes=room_notes)
    await jobs.start()
    dispatcher["jobs"] = jobs
    dispatcher["broadcast_worker"] = jobs.worker  # the compose dialog wakes it for «Сейчас»


async def stop_jobs(dispatcher: Dispatcher) -> None:
    jobs: Jobs | None = dispatcher.workflow_data.pop("jobs", None)
    dispatcher.workflow_data.pop("broadcast_worker", None)
    if jobs is not None:
        await jobs.stop()
