"""The MAX channel of one process: client, messenger, dispatcher, and polling or the webhook.

Built beside Telegram's Dispatcher from the same services (settings, sessionmaker, FAQ, query
log, clock) and the same Switchboard, so a ticket asked in MAX reaches the Telegram staff chat
and the staff answer comes back to MAX. Feature modules join here, like routers in
`handlers/__init__.py`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from typing import Final

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiohttp import ClientConnectorError

from bot.app.factory import create_fsm_storage, create_isolation, shared_stamps
from bot.core.clock import Clock
from bot.core.config import Settings, SettingsError
from bot.core.messages import Switchboard
from bot.services.chats.notice_gate import STRANGER_NOTICE_EVERY, NoticeGate
from bot.services.chats.pointers import PointerGate, Stamps
from bot.services.chats.room_notes import RoomNotes
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.outbox import Outbox
from bot.services.staff.roster import Roster
from bot.services.tickets.relay import StaffRelay
from bot.texts import max as max_texts
from handlers.max import events, group_pointer, group_rights, group_staff, groups, private
from handlers.max.client import (
    DEFAULT_API_URL,
    MaxClient,
    MaxError,
    MaxNetworkError,
    MaxNotFound,
    MaxUnauthorized,
)
from handlers.max.context import MaxContext
from handlers.max.dispatch import MaxDispatcher, SharedLock
from handlers.max.messenger import MaxMessenger
from handlers.max.polling import MaxPolling
from handlers.max.shared_pace import max_pacer
from storage.db import SessionMaker
from storage.repositories import Repositories

log = logging.getLogger(__name__)
CHECK_TIMEOUT: Final = 20.0
MAX_LOCKS: Final = "max"  # the locks' StorageKey.destiny: MAX ids never meet Telegram's keys


async def check_max_token(client: MaxClient, settings: Settings) -> dict[str, object]:
    """GET /me once; a refused token or an unreachable API becomes one Russian line."""
    try:
        return await client.get_me()
    except MaxUnauthorized as exc:
        raise SettingsError(
            "MAX_BOT_TOKEN не принят MAX (401 verify.token): токен отозван или набран с "
            "ошибкой. Скопируйте действующий токен бота с business.max.ru в .env."
        ) from exc
    except MaxNotFound as exc:
        raise SettingsError(
            f"MAX_API_URL ({settings.max_api_url}) ответил 404: проверьте адрес API MAX."
        ) from exc
    except MaxNetworkError as exc:
        log.warning("MAX API at %s unreachable: %s", settings.max_api_url, exc)
        raise SettingsError(unreachable_line(settings, exc)) from exc
    except MaxError as exc:
        log.warning("MAX API at %s refused GET /me: %s", settings.max_api_url, exc)
        raise SettingsError(
            f"MAX Bot API по адресу MAX_API_URL ({settings.max_api_url}) ответил ошибкой "
            f"{exc.status}. Попробуйте запустить бота позже; если повторяется — проверьте "
            "MAX_API_URL и MAX_BOT_TOKEN."
        ) from exc


def unreachable_line(settings: Settings, exc: MaxNetworkError) -> str:
    """The Russian line for «no answer from MAX»; the client's English reason goes to the log
    only (the Telegram check in bot/app/preflight.py words it the same way)."""
    cause = exc.__cause__
    if isinstance(cause, TimeoutError):
        why = f"нет ответа за {CHECK_TIMEOUT:g} с"
    elif isinstance(cause, ClientConnectorError):
        why = "не удалось соединиться"
    elif cause is None:  # an answer, but not MAX's JSON: a wrong address
        why = "по адресу отвечает не MAX Bot API"
    else:
        why = "соединение прервано"
    where = f"MAX_API_URL ({settings.max_api_url})"
    if settings.max_api_url == DEFAULT_API_URL:
        hint = "проверьте интернет, прокси и файрвол (нужен доступ к адресу MAX_API_URL по 443)"
    else:
        hint = (
            "проверьте, что сервер по MAX_API_URL запущен, или верните в MAX_API_URL "
            f"официальный адрес {DEFAULT_API_URL}"
        )
    return f"Нет связи с MAX Bot API: {where} — {why}; {hint}."


class MaxRuntime:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: SessionMaker,
        faq: FaqService,
        querylog: QueryLog,
        clock: Clock,
        switchboard: Switchboard,
        *,
        poll_seconds: int = 30,
        roster: Roster | None = None,
        stamps: Stamps | None = None,
        isolation: BaseEventIsolation | None = None,
        room_notes: RoomNotes | None = None,
    ) -> None:
        """`stamps`, `isolation`: the process's (Services.stamps, the Telegram dispatcher's
        per-person locks), shared with the other instances through Redis; without them the
        runtime makes its own from REDIS_URL (MAX alone, tests) and closes them on stop."""
        assert settings.max_bot_token is not None
        self.settings, self.sessionmaker = settings, sessionmaker
        self._stamps = None if stamps is not None else shared_stamps(settings)
        stamps = stamps or self._stamps
        self.pointers = PointerGate(shared=stamps)
        strangers = NoticeGate(STRANGER_NOTICE_EVERY, shared=stamps, name="strangers:max")
        self._own_isolation: BaseEventIsolation | None = None
        if isolation is None and settings.redis_url:
            isolation = create_isolation(create_fsm_storage(settings, sessionmaker))
            self._own_isolation = isolation
        self.client = MaxClient(
            settings.max_bot_token.get_secret_value().strip(),
            base_url=settings.max_api_url,
            timeout=CHECK_TIMEOUT,
        )
        self.messenger = MaxMessenger(
            self.client, sessionmaker, max_pacer(settings),
            give_up=settings.outbound_give_up_seconds,
        )  # fmt: skip
        self.messenger.outbox = Outbox(sessionmaker)  # a person's reply is never lost
        switchboard.messengers["max"] = self.messenger
        self.ctx = MaxContext(
            self.client, switchboard, settings, sessionmaker, clock, faq, querylog
        )
        if roster is not None:  # the process's shared one (Services.roster)
            self.ctx.roster = roster
        self.ctx.refusals = self.pointers
        self.ctx.room_notes = room_notes or RoomNotes(clock, stamps)
        self.dispatcher = MaxDispatcher(
            self.ctx, dedupe=settings.dedupe_updates,
            shared_lock=person_lock(isolation) if isolation is not None else None,
            buckets=stamps,
        )  # fmt: skip
        groups.register(self.dispatcher, strangers)  # group events and commands, broadcast buttons
        # the bot's admin rights in a group or channel taken away (webhook only, says MAX)
        self.dispatcher.add("bot_admin_permissions_changed", group_rights.rights_changed)
        self.dispatcher.add("message_created", group_staff.elsewhere)  # /tickets in a group
        self.dispatcher.add("message_created", group_pointer.make_addressed(self.pointers))
        events.register(self.dispatcher)  # /events, the card, registration
        private.register(self.dispatcher)  # dialogs: the free-text catch-all comes last
        self.polling: MaxPolling | None = None
        self.relay: StaffRelay | None = None
        if settings.max_webhook_url is None:
            self.polling = MaxPolling(
                self.client, self.dispatcher, sessionmaker, poll_seconds=poll_seconds,
                on_flood=self.messenger.pacer.slow_down,
            )  # fmt: skip

    @property
    def webhook_secret(self) -> str | None:
        secret = self.settings.max_webhook_secret
        return secret.get_secret_value() if secret is not None else None

    async def start(self) -> None:
        """Check the token, then poll, or subscribe the webhook (the route is served by
        bot/app/web.py)."""
        me = await check_max_token(self.client, self.settings)
        if me.get("username"):  # invite links for MAX start here
            self.ctx.roster.deep_links["max"] = f"https://max.ru/{me['username']}"
        if self.polling is not None:
            await self._refuse_if_subscribed()
        await self._set_commands()
        admins = await self._map_admins()
        if not self.settings.bot_token:
            await self._max_staff(admins)
        if self.polling is not None:
            self.polling.start()
            log.info("MAX: long polling as %s (MAX_WEBHOOK_URL is not set)", me.get("username"))
            return
        assert self.settings.max_webhook_url is not None
        await self.client.subscribe(
            self.settings.max_webhook_url,
            secret=self.webhook_secret,
            update_types=self.dispatcher.update_types,
        )
        await self._drop_other_subscriptions(self.settings.max_webhook_url)
        log.info("MAX: webhook %s subscribed", self.settings.max_webhook_url)

    async def _refuse_if_subscribed(self) -> None:
        """MAX sends nothing to long polling while a webhook is subscribed: every person would
        go unanswered. Not unsubscribed for the user (as Telegram's refuse_if_webhook_set): a
        polling run with the production token by mistake must not take a region's bot down."""
        urls = [str(sub.get("url")) for sub in await self.client.get_subscriptions()]
        if urls:
            raise SettingsError(
                f"У бота в MAX подключён webhook ({', '.join(urls)}), поэтому MAX не отдаёт "
                "обновления через long polling. Задайте MAX_WEBHOOK_URL, чтобы работать через "
                'webhook, или отключите его: curl -X DELETE -H "Authorization: '
                f'$MAX_BOT_TOKEN" "{self.settings.max_api_url}/subscriptions?url=<адрес>"'
            )

    async def _drop_other_subscriptions(self, url: str) -> None:
        """MAX_WEBHOOK_URL changed (a new domain or path): MAX would still post every update to
        the old address too (a host being retired answers a second time) and retry it for
        hours; one webhook per bot, as Telegram's setWebhook."""
        for sub in await self.client.get_subscriptions():
            old = sub.get("url")
            if isinstance(old, str) and old != url:
                await self.client.unsubscribe(old)
                log.info("MAX: the old webhook %s unsubscribed", old)

    async def _set_commands(self) -> None:
        """The «/» hints MAX shows; a refusal (MAX busy, 5xx) never stops the bot."""
        try:
            await self.client.set_commands(list(max_texts.COMMANDS.items()))
        except MaxError as exc:
            log.warning("MAX: PATCH /me/commands failed, continuing without hints: %s", exc)

    async def _map_admins(self) -> list[int]:
        """MAX_ADMIN_IDS get their internal ids now, not at their first word: the roster reads
        owners through those ids, and a list loaded before an admin's first message in a
        group (where nothing reloads it) called that admin a stranger for CACHE_SECONDS."""
        if not self.settings.max_admin_ids:
            return []
        async with self.sessionmaker() as session:
            repo = Repositories(session)
            ids = [
                await repo.channel_ids.internal("max", "user", admin)
                for admin in sorted(self.settings.max_admin_ids)
            ]
            await repo.commit()
        self.ctx.roster.changed()
        return ids

    async def _max_staff(self, ids: list[int]) -> None:
        """Without Telegram, МОЦ staff are the MAX_ADMIN_IDS admins (`ids`: their internal
        ids): tickets asked in MAX go to each of them privately, and to staff they invited
        (`posting.staff_targets` reads ADMIN_IDS; a Telegram STAFF_CHAT_ID could not be
        reached)."""
        self.ctx.settings = self.settings.model_copy(
            update={"admin_ids": frozenset(ids), "staff_chat_id": None}
        )
        if not ids:
            log.warning("MAX only and MAX_ADMIN_IDS is empty: tickets reach no one")
        # follow-ups and posts a busy dialog could not take at once (Telegram's runs in dp)
        self.relay = StaffRelay(
            self.ctx.messenger, self.ctx.settings, self.sessionmaker,
            every=self.settings.staff_relay_seconds,
        )  # fmt: skip
        self.relay.start()

    async def stop(self) -> None:
        if kept := await self.messenger.keep_waiting():
            log.warning("MAX: %s replies waiting for their slot kept in the outbox", kept)
        if self.relay is not None:
            await self.relay.stop()
        if self.polling is not None:
            await self.polling.stop()
        await self.client.close()
        if self._stamps is not None:
            await self._stamps.close()
        if self._own_isolation is not None:
            await self._own_isolation.close()


def person_lock(isolation: BaseEventIsolation) -> SharedLock:
    """One MAX person's updates one at a time on every instance: the lock Telegram's updates
    take (aiogram's event isolation; in Redis with REDIS_URL, expiring after
    handlers.tg.resilient_fsm.LOCK_SECONDS), keyed by the MAX id."""

    def lock(who: int) -> AbstractAsyncContextManager[object]:
        return isolation.lock(StorageKey(bot_id=0, chat_id=who, user_id=who, destiny=MAX_LOCKS))

    return lock
