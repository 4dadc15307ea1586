"""What the staff event modules share: the staff card, and waking the broadcast worker.

The notices to the people of an event (a new time or place, a cancellation) are built and
queued by bot.services.events.changes, which the web panel uses too.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.core.config import Settings
from bot.services.events.cards import card
from bot.services.events.changes import audience, notice_ids, queue_notices, schedule
from broadcasts.worker import BroadcastWorker
from handlers.tg.keyboards import events_admin as kb
from storage.models import Event

__all__ = ["audience", "notice_ids", "queue_notices", "schedule", "staff_card", "wake"]


def staff_card(event: Event, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    """The card as teachers see it, with the link shown, under the staff buttons."""
    return card(event, settings.tz, show_link=True), kb.admin_card(event)


def wake(worker: BroadcastWorker | None) -> None:
    """Notices are due now; a worker in this process starts at once, another one polls."""
    if worker is not None:
        worker.wake()
