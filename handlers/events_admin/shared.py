"""What the staff event modules share: the staff card, and waking the broadcast worker.

The notices to the people of an event (a new time or place, a cancellation) are built and
queued by bot.services.events.changes, which the web panel uses too.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot.core.config import Settings
from bot.services.events import attendance
from bot.services.events.cards import card
from bot.services.events.changes import audience, notice_ids, queue_notices, schedule
from broadcasts.worker import BroadcastWorker
from handlers.tg.keyboards import events_admin as kb
from storage.models import Event
from storage.repositories import Repositories

__all__ = ["audience", "notice_ids", "queue_notices", "schedule", "staff_card", "wake"]


async def staff_card(
    event: Event, settings: Settings, repo: Repositories, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """The card as teachers see it, with the link shown, under the staff buttons; once the
    event is over, who came instead of the seats."""
    turnout = await attendance.turnout(repo, event, now)
    queue = await attendance.queue(repo, event)
    text = card(event, settings.tz, show_link=True, now=now, turnout=turnout, queue=queue)
    return text, kb.admin_card(event, now)


def wake(worker: BroadcastWorker | None) -> None:
    """Notices are due now; a worker in this process starts at once, another one polls."""
    if worker is not None:
        worker.wake()
