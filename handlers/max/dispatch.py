"""The MAX adapter's dispatcher: each update once, to its handlers in order, one person at a time.

MAX updates have no id, and both long polling (a batch whose marker was not saved) and webhook
delivery can repeat one. The key is a hash of the update type, its timestamp and the message
or callback id, claimed in `processed_updates` (the table Telegram's dedupe uses; MAX keys are
negative, Telegram's update ids positive) before any handler runs.

One person's updates are handled one at a time: in this process by an asyncio lock, and across
webhook instances (an update of the same person reaching another instance behind the load
balancer) by the lock Telegram's updates take in Redis (`SharedLock`, built by
bot.app.max_runtime from aiogram's event isolation when REDIS_URL is set).

Flood control is Telegram's rule (`bot.core.flood`, THROTTLE_RATE / THROTTLE_BURST; the
bucket in Redis with REDIS_URL, shared by instances): counted as updates arrive, before the
per-person lock; a flooding person's messages are dropped with one polite note in the dialog,
a press gets the note as its answer; MAX admins are never held.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext

from bot import texts
from bot.core.flood import Buckets, FloodGate
from bot.core.messages import Deferred, Unreachable, patience
from bot.texts import max as max_texts
from handlers.max import updates
from handlers.max.client import MaxError
from handlers.max.context import Handler, JsonDict, MaxContext
from storage.repositories import Repositories
from storage.repositories.processed import UpdateClaims

log = logging.getLogger(__name__)
FAILURE_PATIENCE = 10.0  # seconds an apology may wait for MAX's pace before it is dropped
# one person's lock shared by instances (MAX user id, or the chat's for an update without one)
SharedLock = Callable[[int], AbstractAsyncContextManager[object]]


def _no_shared_lock(_: int) -> AbstractAsyncContextManager[object]:
    return nullcontext()


def update_key(update: JsonDict) -> int:
    """A stable negative int64 for an update: type, timestamp and mid / callback id."""
    parts = [
        str(update.get("update_type")),
        str(update.get("timestamp")),
        updates.callback_id(update) or updates.mid(update),
        str(update.get("chat_id") or ""),
        str(updates.user_id(update) or ""),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return -(int.from_bytes(digest[:8], "big") >> 2) - 1


class MaxDispatcher:
    """Implements `Routes`; `feed` handles one update (awaited by polling and the webhook)."""

    def __init__(
        self,
        ctx: MaxContext,
        *,
        dedupe: bool = True,
        shared_lock: SharedLock | None = None,
        buckets: Buckets | None = None,
    ) -> None:
        self.ctx = ctx
        self._shared_lock = shared_lock or _no_shared_lock
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: defaultdict[int, int] = defaultdict(int)  # updates in hand per person
        self._dedupe = dedupe
        self._claims = UpdateClaims(ctx.sessionmaker)
        settings = ctx.settings
        self._gate = FloodGate(
            settings.throttle_rate, settings.throttle_burst, shared=buckets, name="max"
        )

    def add(self, update_type: str, handler: Handler) -> None:
        self._handlers[update_type].append(handler)

    @property
    def update_types(self) -> list[str]:
        return sorted(self._handlers)

    async def feed(self, update: JsonDict) -> bool:
        """Handle one update; False when it could not even be claimed (the database is down
        or stayed locked): nothing was done, and the webhook asks MAX to deliver it again."""
        if not updates.well_formed(update):  # one odd update must not stop polling
            kind = update.get("update_type") if isinstance(update, dict) else type(update)
            log.warning("MAX update %s does not match the schema; dropped", kind)
            return True
        if not await self._let_in(update):
            return True
        who = updates.user_id(update) or int(update.get("chat_id") or 0)
        self._users[who] += 1
        try:
            # the lock first: updates fed in order are claimed and handled in that order; this
            # process's lock, then the one shared with other instances (Redis)
            async with self._locks[who], self._shared_lock(who):
                claimed = await self._claimed(update)
                if claimed is not True:
                    return claimed is False
                try:
                    await self._run(update)
                except (Unreachable, Deferred) as exc:  # the person left or MAX kept refusing
                    log.info("MAX update %s: no answer sent: %s", update.get("update_type"), exc)
                except Exception:
                    log.exception("MAX update %s failed", update.get("update_type"))
                    await self._apologise(update)
                finally:
                    await self._settle(update)
        finally:
            self._users[who] -= 1
            if not self._users[who]:
                del self._users[who], self._locks[who]
        return True

    async def _claimed(self, update: JsonDict) -> bool | None:
        """True to handle the update, False for one handled before, None for one that could
        not be claimed (the database is down, or stayed locked past every wait,
        storage/busy.py): as on Telegram, the person hears an apology if it can be sent, and
        polling goes on with the next update instead of dying."""
        kind = update.get("update_type")
        try:
            if not self._dedupe or await self.claim(update_key(update)):
                return True
        except Exception:
            log.exception("MAX update %s could not be claimed; not handled", kind)
            await self._apologise(update)
            await self._settle(update)
            return None
        log.info("MAX update %s was already handled; skipped", kind)
        return False

    async def _let_in(self, update: JsonDict) -> bool:
        """False for a message or press over the person's flood limit (said so once)."""
        kind, max_id = update.get("update_type"), updates.user_id(update)
        if (
            kind not in ("message_created", "message_callback")
            or max_id is None
            or max_id in self.ctx.settings.max_admin_ids
            or updates.sender(update).get("is_bot")
        ):
            return True
        allowed, warn = await self._gate.admit(max_id)
        if allowed:
            return True
        try:
            if kind == "message_callback":
                await updates.answer(self.ctx, update, texts.THROTTLED)
            elif warn and updates.is_dialog(update):
                async with self.ctx.sessionmaker() as session:
                    repo = Repositories(session)
                    uid = await repo.channel_ids.internal("max", "user", max_id)
                    await repo.commit()
                await self.ctx.messenger.send(uid, texts.THROTTLED)
        except (Unreachable, Deferred, MaxError) as exc:
            log.info("MAX flood note not delivered: %s", exc)
        return False

    async def _run(self, update: JsonDict) -> None:
        for handler in self._handlers.get(str(update.get("update_type")), []):
            if await handler(self.ctx, update):
                return
        if update.get("update_type") == "message_callback":  # nobody's button: an old one
            in_dialog = updates.is_dialog(update)
            stale = max_texts.STALE_BUTTON if in_dialog else max_texts.STALE_BUTTON_GROUP
            await updates.answer(self.ctx, update, stale)

    async def _apologise(self, update: JsonDict) -> None:
        """A person in a dialog hears that something went wrong, as on Telegram."""
        max_id = updates.user_id(update)
        if max_id is None or not updates.is_dialog(update):
            return
        try:
            async with self.ctx.sessionmaker() as session:
                repo = Repositories(session)
                uid = await repo.channel_ids.internal("max", "user", max_id)
                await repo.commit()
            with patience(FAILURE_PATIENCE):  # paced like any reply, never held for long
                await self.ctx.messenger.send(uid, texts.ERROR)
        except Exception as exc:
            log.info("MAX apology not delivered: %s", exc)

    async def _settle(self, update: JsonDict) -> None:
        """Every press is answered, or MAX shows the presser a spinner."""
        if update.get("update_type") != "message_callback":
            return
        try:
            await updates.answer(self.ctx, update)
        except Exception as exc:  # an expired callback: nothing to do about it
            log.info("MAX callback not answered: %s", exc)

    async def claim(self, key: int) -> bool:
        return await self._claims.claim(key, self.ctx.clock.now())
