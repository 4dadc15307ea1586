"""/broadcasts in either messenger: the recent broadcasts with their counts, cancelling one and
moving one (`move_typed`: to a typed time). The adapters put their own buttons under the list
(`scheduled`, `with_ack`) and say the outcome of a cancel their own way (a chat message when
done, an alert when not).

A broadcast composed in Telegram has a progress message («запланирована на …») that the worker
edits only once sending starts; a cancel or a move before that is written into it here, by
whoever made it and from either messenger, the panel or the CLI, or it would keep promising the
old time (a missed time and the next week of a series are written there by broadcasts.closing)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.config import Settings
from bot.core.dates import DateParseError, ensure_future, format_local, parse_local_datetime
from bot.core.markup import clip, fill, q
from bot.core.messages import Deferred, MessageRef, Messenger, Unreachable
from bot.texts import broadcasts as t
from broadcasts import closing, service
from broadcasts.content import Content
from broadcasts.report import channel_lines, waiting_word
from storage.models import BroadcastState
from storage.repositories import Repositories

RECENT = 10
LATEST_MIN = 3  # the latest sent ones shown even when many are waiting for their time


def status_line(
    item: service.Status, settings: Settings, channels: dict[str, dict[str, int]] | None = None
) -> str:
    """One broadcast of /broadcasts; with the counters per messenger once MAX chats are in its
    ledger."""
    line = t.LIST_LINE.format(
        id=item.id,
        state=t.STATE_LABELS.get(item.state, q(item.state)),
        when=format_local(item.scheduled_at, settings.tz),
        repeat=t.LIST_REPEAT if item.repeat else "",
        preview=q(clip(item.preview, 100)),
        sent=item.sent,
        total=item.total,
        blocked=item.blocked,
        failed=item.failed,
        pending=item.pending,
        waiting=waiting_word(item.state),
    )
    return "\n".join([line, *channel_lines(channels or {}, item.state)])


async def with_ack(repo: Repositories, ids: list[int]) -> set[int]:
    """Which of these broadcasts carry «Ознакомлен» (Status does not say)."""
    contents = await repo.broadcasts.contents(ids)
    return {bid for bid, raw in contents.items() if Content.from_json(raw).ack}


@dataclass(frozen=True)
class Listing:
    text: str  # HTML, values escaped; "" when there has been no broadcast yet
    scheduled: tuple[int, ...]  # may be cancelled or moved
    with_ack: tuple[int, ...]  # carry «Ознакомлен»: «Кто ознакомился»


async def recent_listing(repo: Repositories, settings: Settings) -> Listing:
    """The broadcasts still waiting for their time first (soonest first), then the latest
    others: one set for next month stays in the list, with «Отменить» and «Перенести», however
    many were sent since — event notices among them (as the panel's list keeps it on top)."""
    waiting = (await service.scheduled(repo.session))[:RECENT]
    latest = await service.recent(repo.session, limit=RECENT + len(waiting))
    shown = max(RECENT - len(waiting), LATEST_MIN)
    items = [*waiting, *[i for i in latest if i.state != BroadcastState.SCHEDULED][:shown]]
    if not items:
        return Listing("", (), ())
    acks = await with_ack(repo, [item.id for item in items])
    lines = [
        status_line(item, settings, await service.counts_by_channel(repo.session, item.id))
        for item in items
    ]
    return Listing(
        "\n\n".join([t.LIST_TITLE, *lines]),
        tuple(item.id for item in items if item.state == BroadcastState.SCHEDULED),
        tuple(item.id for item in items if item.id in acks),
    )


def refusal(template: str, item: service.Status | None, bid: int) -> str:
    """Why broadcast `bid` cannot be cancelled or moved (gone, or already past that)."""
    if item is None:
        return fill(t.NOT_FOUND, id=bid)
    return fill(template, id=bid, state=t.STATE_LABELS.get(item.state, item.state))


@dataclass(frozen=True)
class Cancelled:
    """What a cancel (or a held broadcast's decision) came to."""

    done: bool
    text: str  # done: for the chat; not done: why (an alert)


async def cancel(repo: Repositories, messenger: Messenger, bid: int, who: str) -> Cancelled:
    """Cancel a scheduled or sending broadcast (a weekly one ends its series). One that was
    sending gets its final report from the worker; one that had not started, from here."""
    before = await service.status(repo.session, bid)
    cancelled = await service.cancel_broadcast(repo.session, bid)
    await repo.commit()
    if cancelled:
        weekly = before is not None and before.repeat
        text = fill(t.CANCELLED_ONE, id=bid, who=who)
        if before is not None:
            await cancelled_before_start(repo, messenger, bid, before.state, who)
        return Cancelled(True, text + (t.CANCELLED_WEEKLY if weekly else ""))
    item = await service.status(repo.session, bid)
    if item is not None and item.state == BroadcastState.CANCELLED:
        return Cancelled(False, fill(t.ALREADY_CANCELLED, id=bid))
    return Cancelled(False, refusal(t.CANNOT_CANCEL, item, bid))


async def decide(
    repo: Repositories, bid: int, resume: bool, who: str, now: datetime, tz: ZoneInfo
) -> Cancelled:
    """«Досылать» / «Не досылать» under the question about a broadcast held after a long
    pause (broadcasts.paused); of two staff pressing at once the second is told it is decided.
    Not sending a weekly one's stale rest does not end its series: next week is booked."""
    decided = await service.decide_held(repo.session, bid, resume=resume, now=now)
    following = None
    if decided and not resume:
        following = await closing.book_next(repo, await repo.broadcasts.get_one(bid), now)
    await repo.commit()
    if not decided:
        item = await service.status(repo.session, bid)
        return Cancelled(False, refusal(t.CANNOT_DECIDE, item, bid))
    text = fill(t.RESUMED if resume else t.DROPPED, id=bid, who=who)
    if following is not None:
        text += fill(t.DROPPED_NEXT_WEEK, moment=format_local(following.scheduled_at, tz))
    return Cancelled(True, text)


async def move(
    repo: Repositories, messenger: Messenger, bid: int, at: datetime, now: datetime, tz: ZoneInfo
) -> bool:
    """Reschedule a broadcast that has not started (BroadcastError for a past `at`); False once
    it is sending, done or cancelled."""
    moved = await service.reschedule(repo.session, bid, at, now)
    await repo.commit()
    if moved:
        when = format_local(at, tz)
        await show_in_progress(repo, messenger, bid, fill(t.PROGRESS_MOVED, id=bid, moment=when))
    return moved


@dataclass(frozen=True)
class Moving:
    finished: bool  # False: the time did not parse, the same question stays open
    text: str  # what the staff member is told


async def move_typed(
    repo: Repositories, messenger: Messenger, bid: int, typed: str, now: datetime, tz: ZoneInfo
) -> Moving:
    """The answer to «На когда перенести рассылку №N?» in either messenger: a typed local
    time moves it; an unreadable or past one asks again; a broadcast started meanwhile is
    left as it is, saying why."""
    try:
        at = ensure_future(parse_local_datetime(typed, tz, now), tz, now)
    except DateParseError as exc:
        return Moving(False, f"{exc}\n\n{fill(t.ASK_MOVE, id=bid)}")
    if await move(repo, messenger, bid, at, now, tz):
        return Moving(True, fill(t.MOVED, id=bid, moment=format_local(at, tz)))
    item = await service.status(repo.session, bid)
    label = t.STATE_LABELS.get(item.state, item.state) if item else "—"
    return Moving(True, fill(t.CANNOT_MOVE, id=bid, state=label))


async def cancelled_before_start(
    repo: Repositories, messenger: Messenger, bid: int, was: str, who: str
) -> None:
    """A broadcast just cancelled while it was `was`: one that had not started says so in its
    progress message; one that was sending gets its final report from the worker."""
    if was == BroadcastState.SCHEDULED:
        said = fill(t.PROGRESS_CANCELLED, id=bid, who=who)
        await show_in_progress(repo, messenger, bid, said)


async def show_in_progress(repo: Repositories, messenger: Messenger, bid: int, text: str) -> None:
    """Rewrite the broadcast's progress message, if it has one (MAX's by its `mid`). One that
    cannot be edited (deleted, too old for MAX, its `mid` unknown) is sent anew once and kept
    in the broadcast's row; an author who blocked the bot, or a messenger this process lacks,
    leaves the change made all the same."""
    broadcast = await repo.broadcasts.get(bid)
    chat_id = broadcast.progress_chat_id if broadcast else None
    message_id = broadcast.progress_message_id if broadcast else None
    if broadcast is None or chat_id is None or message_id is None:
        return
    try:
        await messenger.edit(MessageRef(chat_id, message_id, broadcast.progress_mid or ""), text)
        return
    except Deferred:
        return
    except Unreachable as exc:
        if exc.gone:
            return
    with suppress(Unreachable, Deferred):
        shown = await messenger.send(chat_id, text)
        await repo.broadcasts.move_progress(
            chat_id, message_id, shown.message_id, shown.ref or None
        )
        await repo.commit()
