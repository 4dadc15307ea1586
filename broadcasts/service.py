"""What the admin dialog and the CLI do with broadcasts: compose, schedule, cancel, watch.

Every function takes the caller's AsyncSession and only flushes; the caller commits once.
Validation speaks Russian (BroadcastError is shown to the admin as is). Nothing is sent here:
the worker notices a due broadcast, snapshots its recipients when sending starts (so a group
bound in the meantime is included) and writes the ledger that `status` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from broadcasts.acks import AckReport, Refusal, ack_refusal, ack_report, record_ack
from broadcasts.audience import (
    ALL_AUDIENCES,
    KNOWN_AUDIENCES,
    Target,
    count_recipients,
    encode,
    recipients,
    target_of,
)
from broadcasts.content import Content
from storage.models import Broadcast, BroadcastState, DeliveryStatus, utcnow
from storage.repositories import Repositories

__all__ = [
    "ALL_AUDIENCES", "AckReport", "BroadcastError", "NoticeFile", "Refusal", "Status", "Target",
    "ack_refusal", "ack_report", "cancel_broadcast", "count_recipients", "create_broadcast",
    "create_notice", "decide_held", "recent", "recipients",
    "record_ack", "reschedule", "scheduled", "status", "target_of", "time_problems",
]  # fmt: skip

PAST_TOLERANCE = timedelta(seconds=60)
REPEATS = ("", "weekly")
TWIN = "Такая рассылка уже создана: №{n} — второй раз она не создана и не уйдёт."
TWIN_WINDOW = timedelta(minutes=30)
NOBODY = "В выбранной аудитории нет ни одного чата или подписчика — рассылку некому отправить."


class BroadcastError(ValueError):
    """Why a broadcast cannot be created or changed, in Russian, shown to the admin as is."""


@dataclass(frozen=True)
class Status:
    id: int
    state: str
    total: int
    sent: int
    failed: int
    blocked: int
    pending: int
    scheduled_at: datetime
    repeat: str
    author_id: int | None
    preview: str  # first 80 chars of the text, tags stripped


def _target_problems(target: Target) -> list[str]:
    if not target.audiences:
        return ["Не выбрана аудитория."]
    unknown = [a for a in target.audiences if a != "all" and a not in KNOWN_AUDIENCES]
    found = [f"Неизвестная аудитория: {a}." for a in unknown]
    found += [f"Тег не может содержать «,» или «;»: {t}." for t in target.tags if {*t} & {*",;"}]
    return found


def time_problems(at: datetime, now: datetime) -> list[str]:
    """A time already past (beyond a minute's slack), in Russian; the panel's preview asks too."""
    if at.tzinfo is None or now.tzinfo is None:
        raise ValueError("broadcast times must be timezone-aware")
    if at < now - PAST_TOLERANCE:
        return ["Время отправки уже прошло — укажите время в будущем."]
    return []


async def create_broadcast(
    session: AsyncSession,
    *,
    author_id: int | None,
    content: Content,
    target: Target,
    at: datetime | None,
    now: datetime,
    repeat: str = "",
    progress: tuple[int, int] | None = None,
    progress_mid: str | None = None,
) -> Broadcast:
    """A SCHEDULED broadcast (at=None: now); the ledger is written when sending starts.
    `progress`: the author's progress message (chat, message id), `progress_mid` its MAX id."""
    at = at or now
    problems = [*content.problems(), *_target_problems(target), *time_problems(at, now)]
    if repeat not in REPEATS:
        problems.append("Повтор бывает только еженедельный.")
    if problems:
        raise BroadcastError("\n".join(problems))
    if not await count_recipients(session, target):
        raise BroadcastError(NOBODY)
    broadcast = Broadcast(
        author_id=author_id, content=content.to_json(), **encode(target),
        state=BroadcastState.SCHEDULED, scheduled_at=at, repeat=repeat, created_at=now,
        progress_chat_id=progress[0] if progress else None,
        progress_message_id=progress[1] if progress else None,
        progress_mid=progress_mid if progress else None,
    )  # fmt: skip
    return await Repositories(session).broadcasts.add(broadcast)


async def twin(
    session: AsyncSession, *, author_id: int | None, content: Content, target: Target,
    at: datetime | None, now: datetime, repeat: str = "",
) -> Broadcast | None:  # fmt: skip
    """The same broadcast this author made in the last TWIN_WINDOW, not cancelled: the
    panel's «Назад» after «Отправить сейчас» and «Обновить» bring the preview back, and its
    button pressed again sent the parents everything twice. The same text for another time
    (a reminder later in the week) is not a twin; «сейчас» matches one made for «сейчас»."""
    found = await Repositories(session).broadcasts.alike(
        author_id, content.to_json(), encode(target), now - TWIN_WINDOW
    )
    for made in found:
        was_now = made.scheduled_at == made.created_at  # made for «сейчас»
        same_time = was_now if at is None else made.scheduled_at == at
        if made.state != BroadcastState.CANCELLED and made.repeat == repeat and same_time:
            return made
    return None


@dataclass(frozen=True)
class NoticeFile:
    """A document a notice carries (an event's .ics), kept in the database with the notice."""

    name: str
    mime: str
    data: bytes


async def create_notice(
    session: AsyncSession, *, author_id: int | None, text: str, user_ids: Iterable[int],
    now: datetime, file: NoticeFile | None = None,
) -> Broadcast | None:  # fmt: skip
    """A message to these users now (an event's participants); None when there is nobody.
    With `file`, the message is that document and `text` its caption.

    It goes through the worker like any broadcast, so it shares the rate limit, survives a
    restart half-way and marks users who blocked the bot; the author gets the delivery report.
    The ledger is written here, in the caller's transaction: the recipients are exactly these
    users, and the change the notice tells about is never committed without its notice.
    """
    whom = list(dict.fromkeys(user_ids))
    if not whom:
        return None
    repo = Repositories(session)
    content = Content(kind="text", text=text)
    if file is not None:
        stored = await repo.files.add(
            kind="document", name=file.name, mime=file.mime, data=file.data,
            uploaded_by=author_id, now=now,
        )  # fmt: skip
        await repo.files.mark_used(stored)
        content = Content(kind="document", text=text, stored_file=stored, file_name=file.name)
    if problems := content.problems():
        raise BroadcastError("\n".join(problems))
    broadcast = Broadcast(
        author_id=author_id, content=content.to_json(), audiences="", tags="",
        include_private=False, state=BroadcastState.SCHEDULED, scheduled_at=now, created_at=now,
    )  # fmt: skip
    await repo.broadcasts.add(broadcast)
    await repo.deliveries.materialise(broadcast.id, [(uid, True) for uid in whom], now)
    return broadcast


async def cancel_broadcast(session: AsyncSession, broadcast_id: int) -> bool:
    """scheduled|sending → cancelled; of two admins cancelling at once exactly one gets True."""
    return await Repositories(session).broadcasts.cancel(broadcast_id, utcnow())


async def decide_held(
    session: AsyncSession, broadcast_id: int, *, resume: bool, now: datetime
) -> bool:
    """A held broadcast's author chose: «Досылать» (back to sending, the worker goes on) or
    «Не досылать» (cancelled; the worker reports it). False once someone decided already."""
    repo = Repositories(session).broadcasts
    return await (repo.resume(broadcast_id, now) if resume else repo.drop(broadcast_id, now))


async def reschedule(
    session: AsyncSession, broadcast_id: int, at: datetime, now: datetime
) -> bool:
    """Move a broadcast that has not started; False once it is sending, done or cancelled."""
    if problems := time_problems(at, now):
        raise BroadcastError("\n".join(problems))
    return await Repositories(session).broadcasts.reschedule(broadcast_id, at)


async def status(session: AsyncSession, broadcast_id: int) -> Status | None:
    broadcast = await Repositories(session).broadcasts.get(broadcast_id)
    return (await _statuses(session, [broadcast]))[0] if broadcast else None


async def counts_by_channel(session: AsyncSession, broadcast_id: int) -> dict[str, dict[str, int]]:
    """Per messenger ("tg", "max") with a row in the ledger: total, sent, failed, blocked,
    pending (pending counts rows being sent too)."""
    out: dict[str, dict[str, int]] = {}
    by_channel = await Repositories(session).deliveries.counts_by_channel(broadcast_id)
    for channel, counts in sorted(by_channel.items()):
        total = sum(counts.values())
        done = {key: counts.get(status, 0) for key, status in DONE_STATUSES.items()}
        out[channel] = {"total": total, **done, "pending": total - sum(done.values())}
    return out


async def recent(session: AsyncSession, limit: int = 10, offset: int = 0) -> list[Status]:
    """Newest first; `offset` skips that many (a page of a list)."""
    found = await Repositories(session).broadcasts.recent(limit, offset)
    return await _statuses(session, found)


async def scheduled(session: AsyncSession) -> list[Status]:
    """Broadcasts waiting for their time, soonest first."""
    return await _statuses(session, await Repositories(session).broadcasts.scheduled())


async def _statuses(session: AsyncSession, broadcasts: list[Broadcast]) -> list[Status]:
    counted = await Repositories(session).deliveries.counts_many([b.id for b in broadcasts])
    out = []
    for b in broadcasts:
        counts = counted[b.id]
        total = sum(counts.values())
        if not counts and b.state == BroadcastState.SCHEDULED:  # not materialised yet
            total = await count_recipients(session, target_of(b))
        out.append(_status(b, counts, total))
    return out


DONE_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "failed": DeliveryStatus.FAILED,
    "blocked": DeliveryStatus.BLOCKED,
}


def _status(b: Broadcast, counts: dict[str, int], total: int) -> Status:
    sent = counts.get(DeliveryStatus.SENT, 0)
    failed = counts.get(DeliveryStatus.FAILED, 0)
    blocked = counts.get(DeliveryStatus.BLOCKED, 0)
    return Status(
        id=b.id, state=b.state, total=total, sent=sent, failed=failed, blocked=blocked,
        pending=total - sent - failed - blocked, scheduled_at=b.scheduled_at, repeat=b.repeat,
        author_id=b.author_id, preview=Content.from_json(b.content).preview(),
    )  # fmt: skip
