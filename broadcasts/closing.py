"""How a broadcast ends: done (report, next weekly booked), cancelled, stopped, or missed.

A cancel that no job was there to notice (the bot was down or stopped, or the broadcast was
waiting for its author's «Досылать») is reported by the next worker pass: `reported_at` says
whether the report went, and one conditional UPDATE of it lets exactly one caller send it.

Each ending is one conditional UPDATE, so with several instances exactly one of them reports
and books the next weekly occurrence (in the same transaction that closes it, so exactly one is
booked); the report, or the notice of a missed time, goes into the admin's progress message
when there is one (so it never goes on saying «запланирована на …»), otherwise to the author;
a broadcast without one (the CLI, an events import) has its outcome written to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta, tzinfo

from bot.core.dates import format_local
from bot.texts import broadcasts as t
from broadcasts import progress, report
from broadcasts.runtime import Runtime
from broadcasts.service import counts_by_channel
from storage.models import Broadcast, BroadcastState
from storage.repositories import Repositories

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


async def conclude(rt: Runtime, broadcast: Broadcast, ending: str, tz: tzinfo) -> None:
    """After a job: give the claim up (stopped), or close it and report (done, cancelled)."""
    if ending == "stopped":
        async with rt.repos() as repo:
            await repo.broadcasts.release(broadcast.id, rt.instance_id)
            await repo.commit()
        return
    if ending not in ("done", "cancelled"):
        return  # another instance took it over; it will report
    now = rt.clock.now()
    async with rt.repos() as repo:
        finished = ending == "done" and await repo.broadcasts.finish(
            broadcast.id, rt.instance_id, now
        )
        if ending == "done" and not finished:  # cancelled as the last sends went, or lost
            cancelled = await repo.broadcasts.state(broadcast.id) == BroadcastState.CANCELLED
            ending = "cancelled" if cancelled else "lost"
        following = await book_next(repo, broadcast, now) if finished else None
        if ending == "cancelled" and not await repo.broadcasts.mark_reported(broadcast.id, now):
            ending = "lost"  # a worker pass reported this cancel already
        text = await final(repo, broadcast.id, cancelled=not finished)
        await repo.commit()
    if ending == "lost":
        return  # taken over in the last second: the new owner reports
    if following is not None:
        text += f"\nСледующая еженедельная отправка: {format_local(following.scheduled_at, tz)}."
    await tell(rt, broadcast, text)


async def final(repo: Repositories, broadcast_id: int, *, cancelled: bool) -> str:
    counts = await repo.deliveries.counts(broadcast_id)
    errors = await repo.deliveries.top_errors(broadcast_id)
    channels = await counts_by_channel(repo.session, broadcast_id)
    return report.final_text(broadcast_id, counts, errors, cancelled=cancelled, channels=channels)


async def report_cancels(rt: Runtime, lease: timedelta, running: Collection[int]) -> None:
    """The final report of each broadcast cancelled while no job of ours was running it."""
    now = rt.clock.now()
    async with rt.repos() as repo:
        owed = await repo.broadcasts.unreported_cancels(rt.instance_id, now, lease)
    for broadcast_id in (b for b in owed if b not in running):
        async with rt.repos() as repo:
            broadcast = await repo.broadcasts.get_one(broadcast_id)
            if not await repo.broadcasts.mark_reported(broadcast_id, now):
                continue  # another instance reports it
            text = await final(repo, broadcast_id, cancelled=True)
            await repo.commit()
        log.info("broadcast %s was cancelled while nobody sent it; reporting", broadcast_id)
        await alarm(rt, broadcast, text)


async def tell(rt: Runtime, broadcast: Broadcast, text: str) -> progress.Shown:
    """Into the progress message if there is one, else to the author (if any)."""
    shown = await progress.show(rt, broadcast, text)
    if shown != "none":
        return shown
    if broadcast.author_id is not None:
        await rt.limiter.acquire(broadcast.author_id)
        await rt.channel.notify(broadcast.author_id, text)
    else:
        unattended(broadcast.id, text)
    return shown


def unattended(broadcast_id: int, text: str) -> None:
    """A broadcast made from the CLI or by an events import has nobody to tell: its outcome,
    in the words an author would read, goes to the bot's log (the console it runs in)."""
    log.info("%s", t.UNATTENDED.format(id=broadcast_id, text=report.console(text)))


async def expire_missed(rt: Runtime, grace: timedelta, tz: tzinfo) -> None:
    """Broadcasts due longer than `grace` ago become MISSED; their authors are told."""
    now = rt.clock.now()
    async with rt.repos() as repo:
        overdue = await repo.broadcasts.overdue_ids(now, grace)
    for broadcast_id in overdue:
        async with rt.repos() as repo:
            broadcast = await repo.broadcasts.get_one(broadcast_id)
            if not await repo.broadcasts.mark_missed(broadcast_id, now):
                continue  # another instance marked it
            following = await book_next(repo, broadcast, now)
            await repo.commit()
        log.warning("broadcast %s missed its time %s", broadcast_id, broadcast.scheduled_at)
        next_at = following.scheduled_at if following else None
        text = report.missed_text(broadcast_id, broadcast.scheduled_at, tz, next_at)
        await alarm(rt, broadcast, text)


async def alarm(rt: Runtime, broadcast: Broadcast, text: str) -> None:
    """`tell`, and news long after the fact: an edit far up the chat makes no sound, so the
    author is also told anew (unless the progress message itself had to be sent anew)."""
    if await tell(rt, broadcast, text) == "edited" and broadcast.author_id is not None:
        await rt.limiter.acquire(broadcast.author_id)
        await rt.channel.notify(broadcast.author_id, text)


async def book_next(repo: Repositories, broadcast: Broadcast, now: datetime) -> Broadcast | None:
    """The next weekly occurrence (the first one still ahead), or None for a one-off.

    It keeps the series' progress message: the report just written there says when the next
    one goes, and a move, a cancel, a missed time or the next sending rewrites it, as for the
    first occurrence; otherwise it would go on promising a time nobody keeps."""
    if broadcast.repeat != "weekly":
        return None
    at = broadcast.scheduled_at + WEEK
    while at <= now:
        at += WEEK
    following = Broadcast(
        author_id=broadcast.author_id, content=broadcast.content, audiences=broadcast.audiences,
        tags=broadcast.tags, include_private=broadcast.include_private,
        state=BroadcastState.SCHEDULED, scheduled_at=at, repeat="weekly", created_at=now,
        progress_chat_id=broadcast.progress_chat_id,
        progress_message_id=broadcast.progress_message_id, progress_mid=broadcast.progress_mid,
        progress_anew=broadcast.progress_anew,
    )  # fmt: skip
    return await repo.broadcasts.add(following)
