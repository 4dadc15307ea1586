"""One ledger row, one message: claim it, send it, write down what happened.

The claim (pending → sending, attempts + 1) is committed BEFORE the send, so a crash can only
leave a row `sending` — resent on resume, never lost. Each outcome has one rule: sent; blocked
(the chat or user is deactivated; a group this delivery was the first to find gone is reported
to `Runtime.on_gone`, once: later broadcasts skip an inactive group); migrated (the registry
and the row follow the group to its new id and the message goes there, once); flood (the
limiter pauses, the row waits, up to `flood_attempts`: a spell of MAX's hintless 429s is
waited out, not the end of a group's message); other failures retried with exponential
backoff up to `max_attempts`, or failed for good. A group unbound, or the bot removed from
it, after the ledger was written is skipped at its turn and the row says why; so is a person
who unsubscribed meanwhile.
"""

from __future__ import annotations

import logging

from bot.core import metrics
from bot.core.ids import channel_of
from broadcasts.audience import Target, group_left, person_left
from broadcasts.channel import Blocked, Failed, Migrated, RetryAfter, SendOutcome, Sent
from broadcasts.content import Content
from broadcasts.runtime import Runtime
from storage.models import DeliveryStatus
from storage.repositories import Repositories
from storage.repositories.deliveries import LedgerRow

log = logging.getLogger(__name__)


# what a skipped group's row says (broadcasts.report turns it into the author's words)
SKIPPED: dict[str, tuple[DeliveryStatus, str]] = {
    "removed": (DeliveryStatus.BLOCKED, "пропущена: бота удалили из группы во время рассылки"),
    "unbound": (
        DeliveryStatus.FAILED,
        "пропущена: группу отвязали от аудитории во время рассылки",
    ),
    "unsubscribed": (
        DeliveryStatus.FAILED,
        "пропущен: получатель отписался от новостей во время рассылки",
    ),
}


class Courier:
    def __init__(
        self, rt: Runtime, broadcast_id: int, content: Content, audiences: dict[int, str],
        target: Target,
    ) -> None:  # fmt: skip
        self._rt, self._id, self._content, self._audiences = rt, broadcast_id, content, audiences
        self._target = target
        self.retry_at: dict[int, float] = {}  # row id → monotonic time of its next try

    def cost(self, chat_id: int) -> int:
        """Messages one delivery is to the limiter: a Telegram album is as many as its files
        (a media group counts per file; later runs of a mixed album pace themselves again);
        a MAX album is one message, paced by MAX's own pacer besides."""
        files = len(self._content.files()) if self._content.more else 1
        return files if channel_of(chat_id) == "tg" else 1

    async def deliver(self, row: LedgerRow) -> None:
        """Call after the limiter granted a slot for row.chat_id."""
        async with self._rt.repos() as repo:
            attempts = await repo.deliveries.claim(row.id, self._rt.clock.now())
            await repo.commit()
        if attempts is None:
            return  # another worker has it
        try:
            if left := await self._left(row):
                status, reason = SKIPPED[left]
                await self._write(row, status, error=reason)
                return
            outcome = await self._send(row)
            await self._settle(row, attempts, outcome)
        except Exception as exc:  # a bug or the database: keep the row retryable, bounded
            log.exception("broadcast %s: delivery to %s broke", self._id, row.chat_id)
            await self._retry(row, attempts, f"{type(exc).__name__}: {exc}")

    async def _left(self, row: LedgerRow) -> str | None:
        """Asked right before the send: /unbind or the bot's removal during a long broadcast
        must not let the group still receive it, nor a person who unsubscribed meanwhile
        (one indexed read per chat)."""
        async with self._rt.repos() as repo:
            if not row.is_private:
                return await group_left(repo.session, self._target, row.chat_id)
            gone = await person_left(repo.session, self._target, row.chat_id)
            return "unsubscribed" if gone else None

    async def _send(self, row: LedgerRow) -> SendOutcome:
        return await self._rt.channel.send(
            row.chat_id, self._content, broadcast_id=self._id, is_private=row.is_private,
            audience=self._audiences.get(row.chat_id) if row.is_private else None,
        )  # fmt: skip

    async def _settle(self, row: LedgerRow, attempts: int, outcome: SendOutcome) -> None:
        if isinstance(outcome, Sent):
            await self._write(row, DeliveryStatus.SENT, message_id=outcome.message_id)
        elif isinstance(outcome, Blocked):
            await self._write(row, DeliveryStatus.BLOCKED, error=outcome.reason, gone=True)
        elif isinstance(outcome, Migrated):
            await self._migrate(row, attempts, outcome.new_chat_id)
        elif isinstance(outcome, RetryAfter):
            if outcome.per_chat:
                self._rt.limiter.pause_chat(outcome.seconds, row.chat_id)
            else:
                self._rt.limiter.on_retry_after(outcome.seconds, row.chat_id)
            metrics.broadcast_retry_after()
            reason = f"Too Many Requests: retry after {outcome.seconds:g}"
            await self._retry(row, attempts, reason, limit=self._rt.options.flood_attempts)
        elif outcome.permanent:
            await self._write(row, DeliveryStatus.FAILED, error=outcome.reason)
        else:
            await self._retry(row, attempts, outcome.reason, backoff=True)

    async def _write(
        self, row: LedgerRow, status: DeliveryStatus, *, message_id: int | None = None,
        error: str | None = None, gone: bool = False,
    ) -> None:  # fmt: skip
        async with self._rt.repos() as repo:
            now = self._rt.clock.now()
            await repo.deliveries.settle(row.id, status, now, message_id=message_id, error=error)
            lost_group = gone and await _deactivate(repo, row)
            await repo.commit()
        if status != DeliveryStatus.PENDING:
            metrics.broadcast_message(status.value, channel_of(row.chat_id))
        if lost_group:
            await self._report_gone(row.chat_id)

    async def _report_gone(self, chat_id: int) -> None:
        """Staff hear of the lost group; the row is settled, so a failure here is only logged."""
        if self._rt.on_gone is None:
            return
        try:
            await self._rt.on_gone(chat_id, self._id)
        except Exception:
            log.exception("broadcast %s: the loss of chat %s not reported", self._id, chat_id)

    async def _retry(
        self, row: LedgerRow, attempts: int, reason: str, *, backoff: bool = False,
        limit: int = 0,
    ) -> None:  # fmt: skip
        if attempts >= max(limit, self._rt.options.max_attempts):
            await self._write(row, DeliveryStatus.FAILED, error=reason)
            return
        if backoff:
            opts = self._rt.options
            wait = min(opts.retry_base_seconds * 2 ** (attempts - 1), opts.retry_max_seconds)
            self.retry_at[row.id] = self._rt.monotonic() + wait
        await self._write(row, DeliveryStatus.PENDING, error=reason)

    async def _migrate(self, row: LedgerRow, attempts: int, new_chat_id: int) -> None:
        """Follow the group to its supergroup and send there once (the unique key guards it).

        A chats handler recording the same move in the same instant can make this transaction
        fail (PostgreSQL): deliver() then retries the row, which finds the move already made.
        """
        async with self._rt.repos() as repo:
            await repo.chats.migrate(row.chat_id, new_chat_id)  # audiences and tags follow
            moved = await repo.deliveries.move(row, self._id, new_chat_id)
            await repo.commit()
        log.info("broadcast %s: chat %s is now %s", self._id, row.chat_id, new_chat_id)
        if not moved:
            return  # the supergroup has its own row in this ledger
        moved_row = LedgerRow(row.id, new_chat_id, row.is_private)
        await self._rt.limiter.acquire(new_chat_id, cost=self.cost(new_chat_id))
        outcome = await self._send(moved_row)
        if isinstance(outcome, Migrated):
            outcome = Failed(f"группа перенесена повторно: {outcome.new_chat_id}", permanent=True)
        await self._settle(moved_row, attempts, outcome)


async def _deactivate(repo: Repositories, row: LedgerRow) -> bool:
    """The chat or the person is gone: no later broadcast counts them. True when a group was
    active until now (a person who blocked the bot is nobody's news)."""
    if row.is_private:
        await repo.users.set_active(row.chat_id, False)
        return False
    return await repo.chats.deactivate(row.chat_id)
