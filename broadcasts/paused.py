"""A half-sent broadcast found long after its sending stopped is not resumed blindly.

«Собрание завтра в 18:00» finished three days later is worse than not finished. A broadcast
whose sending stopped (the bot was down, stopped, or its instance died) less than `pause` ago
goes on as before; one paused longer becomes HELD and its author is asked, with the counts so
far, whether the rest still go: «Досылать» puts it back to sending, «Не досылать» cancels it
(and the cancel's report follows, `closing.report_cancels`). Nobody to ask (a broadcast from
the CLI) leaves it held: the panel and the CLI list it, and a cancel ends it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta, tzinfo

from bot.texts import broadcasts as t
from broadcasts import closing, progress, report
from broadcasts.runtime import Runtime

log = logging.getLogger(__name__)


async def hold_stale(
    rt: Runtime, lease: timedelta, pause: timedelta, tz: tzinfo, running: Collection[int]
) -> None:
    """Hold each half-sent broadcast nobody runs whose sending stopped over `pause` ago."""
    now = rt.clock.now()
    async with rt.repos() as repo:
        stale = await repo.broadcasts.stale_ids(rt.instance_id, now, lease, pause)
    for broadcast_id in (b for b in stale if b not in running):
        async with rt.repos() as repo:
            if not await repo.broadcasts.hold(broadcast_id, rt.instance_id, now, lease, pause):
                continue  # resumed or held by another instance meanwhile
            broadcast = await repo.broadcasts.get_one(broadcast_id)
            counts = await repo.deliveries.counts(broadcast_id)
            await repo.commit()
        paused_at = broadcast.heartbeat_at or broadcast.started_at or now
        log.warning("broadcast %s paused since %s: held for its author", broadcast_id, paused_at)
        text = report.held_text(broadcast_id, counts, paused_at, tz)
        await progress.show(rt, broadcast, report.held_progress(broadcast_id))  # no more «N из M»
        if broadcast.author_id is not None:
            await rt.limiter.acquire(broadcast.author_id)
            buttons = report.decision_buttons(broadcast_id)
            await rt.channel.notify(broadcast.author_id, text, buttons)
        else:  # nobody to press «Досылать»: the console says how to decide
            held = t.UNATTENDED_HELD.format(id=broadcast_id, text=report.console(text))
            closing.unattended(broadcast_id, held)
