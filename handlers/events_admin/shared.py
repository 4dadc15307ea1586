"""What the staff event modules share: the staff card, and notices to the people of an event.

A change people planned their day around (a new time or place, a cancellation) goes to
everyone registered or waiting as a notice broadcast queued in the same transaction as the
change — never a notice about a change that was rolled back, never a change without its
notice, even if the process dies half-way through the list (the worker resumes it).
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot.core.config import Settings
from bot.services.events.cards import card, when_text
from broadcasts import service
from broadcasts.worker import BroadcastWorker
from handlers.tg.keyboards import events_admin as kb
from storage.models import Event, EventSession, RegistrationStatus
from storage.repositories import Repositories


def staff_card(event: Event, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    """The card as teachers see it, with the link shown, under the staff buttons."""
    return card(event, settings.tz, show_link=True), kb.admin_card(event)


async def queue_notices(
    repo: Repositories, author_id: int, now: datetime, batches: list[tuple[list[int], str]]
) -> list[int]:
    """Each (users, text) as a notice broadcast, in the caller's transaction; their ids."""
    ids = []
    for user_ids, text in batches:
        notice = await service.create_notice(
            repo.session, author_id=author_id, text=text, user_ids=user_ids, now=now
        )
        if notice is not None:
            ids.append(notice.id)
    return ids


def notice_ids(ids: list[int]) -> str:
    return ", ".join(f"№{i}" for i in ids)


def wake(worker: BroadcastWorker | None) -> None:
    """Notices are due now; a worker in this process starts at once, another one polls."""
    if worker is not None:
        worker.wake()


async def audience(repo: Repositories, event_id: int) -> tuple[list[int], list[int]]:
    """User ids of the registered and of the waiting list."""
    regs = await repo.events.participants(event_id)
    registered = [r.user_id for r in regs if r.status == RegistrationStatus.REGISTERED]
    waiting = [r.user_id for r in regs if r.status == RegistrationStatus.WAITING]
    return registered, waiting


def schedule(event: Event, settings: Settings) -> str:
    sessions = event.sessions or [EventSession(starts_at=event.starts_at)]
    return "; ".join(when_text(s.starts_at, event.duration_min, settings.tz) for s in sessions)
