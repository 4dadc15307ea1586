"""Reminders before every session a teacher is registered for (by default 24 h and 1 h ahead).

The database, not the scheduler, is the truth: a pass finds sessions within a lead time with
no `reminders_sent` row, commits that row FIRST and only then sends, so the unique key makes a
second send impossible across restarts and instances (a send failing after its claim is not
retried: at most once). A reminder more than half its lead late (the bot was down) is recorded
but not sent: no «завтра» twenty hours late, yet the 1-hour one still goes out when due.

Nobody is woken at 3:00 by a reminder that can wait: one falling due in the night (by default
22:00–8:00 in the МОЦ's TIMEZONE) is held until the morning, or dropped when it would be stale
by then — unless its event starts within three hours, when the teacher is about to set off.
When a pass finds two leads of one meeting due at once (after downtime), only the nearer goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core import metrics
from bot.core.clock import Clock
from bot.core.dates import MONTHS_GENITIVE
from bot.core.markup import q
from bot.core.messages import Deferred, Messenger, Unreachable
from broadcasts.limiter import Priority, current_priority
from storage.db import SessionMaker
from storage.models import EventFormat
from storage.repositories.reminders import DueRow as Due
from storage.repositories.reminders import ReminderRepo
from storage.repositories.users import UserRepo

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
Outcome = Literal["sent", "blocked", "failed"]

DEFAULT_LEADS_MIN = (1440, 60)
RELATIVE_UP_TO_MIN = 180  # closer than this, say «через час» rather than «сегодня в …»


def _in_minutes(minutes: int) -> str:
    if 50 <= minutes <= 70:
        return "через час"
    if minutes < 60:
        return f"через {max(minutes, 1)} мин"
    hours, rest = divmod(minutes, 60)
    return f"через {hours} ч {rest} мин" if rest else f"через {hours} ч"


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


def _lead_phrase(minutes: int) -> str:
    """1440 → «за сутки», 60 → «за час», 180 → «за 3 часа», 30 → «за 30 минут»."""
    days, hours = minutes // 1440, minutes // 60
    if minutes % 1440 == 0:
        return "за сутки" if days == 1 else f"за {days} {_plural(days, 'день', 'дня', 'дней')}"
    if minutes % 60 == 0:
        return "за час" if hours == 1 else f"за {hours} {_plural(hours, 'час', 'часа', 'часов')}"
    return f"за {minutes} {_plural(minutes, 'минуту', 'минуты', 'минут')}"


def leads_phrase(leads_min: Iterable[int]) -> str:
    """When the teacher will be reminded, as the МОЦ set it (REMINDER_LEADS_MIN): the
    confirmation promises exactly the reminders that will come, «за сутки и за час»."""
    phrases = [_lead_phrase(m) for m in sorted(set(leads_min), reverse=True)]
    return " и ".join([", ".join(phrases[:-1]), phrases[-1]] if len(phrases) > 1 else phrases)


def worth_sending(lead_min: int, starts_at: datetime, now: datetime) -> bool:
    """A reminder more than half its lead late (the bot was down) is not sent."""
    return starts_at - now >= timedelta(minutes=lead_min / 2)


@dataclass(frozen=True)
class QuietHours:
    """The night, from `start` to `end` o'clock local time (REMINDER_QUIET_FROM/_UNTIL);
    start == end: no night at all."""

    start: int = 22
    end: int = 8

    def wake(self, now: datetime, tz: tzinfo) -> datetime | None:
        """When the night `now` falls in ends; None in the daytime."""
        local, start, end = now.astimezone(tz), self.start, self.end
        night = start <= local.hour < end if start < end else not end <= local.hour < start
        if start == end or not night:
            return None
        wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
        return wake if wake > local else wake + timedelta(days=1)


Verdict = Literal["send", "hold", "skip"]


def at_night(
    lead_min: int, starts_at: datetime, now: datetime, quiet: QuietHours, tz: tzinfo
) -> Verdict:
    """What to do with a reminder due now: send it; hold it (unrecorded) until the morning,
    when it still makes sense; or skip it, when by the morning it would be stale (a nearer
    lead covers the meeting). An event within three hours is reminded even at night."""
    wake = quiet.wake(now, tz)
    if wake is None or starts_at - now <= timedelta(minutes=RELATIVE_UP_TO_MIN):
        return "send"
    return "hold" if worth_sending(lead_min, starts_at, wake) else "skip"


def leads_ahead(
    leads_min: Iterable[int], starts_at: datetime, now: datetime,
    quiet: QuietHours = QuietHours(0, 0), tz: tzinfo = UTC,
) -> list[int]:  # fmt: skip
    """The lead times whose reminder a session starting at `starts_at` will still get: one
    falling due at night that would be stale by the morning is not promised."""

    def comes(lead: int) -> bool:
        due = max(now, starts_at - timedelta(minutes=lead))
        verdict = at_night(lead, starts_at, due, quiet, tz)
        return verdict != "skip" and worth_sending(lead, starts_at, due)

    return [lead for lead in leads_min if comes(lead)]


def when_phrase(starts_at: datetime, now: datetime, tz: tzinfo) -> str:
    """«завтра в 15:00», «через час, в 15:00», «12 марта в 9:30» — in the МОЦ's local time."""
    local = starts_at.astimezone(tz)
    clock = f"{local.hour}:{local.minute:02d}"
    minutes = round((starts_at - now).total_seconds() / 60)
    if minutes <= RELATIVE_UP_TO_MIN:
        return f"{_in_minutes(minutes)}, в {clock}"
    days = (local.date() - now.astimezone(tz).date()).days
    day = {0: "сегодня", 1: "завтра", 2: "послезавтра"}.get(days)
    return f"{day or f'{local.day} {MONTHS_GENITIVE[local.month - 1]}'} в {clock}"


def reminder_text(due: Due, now: datetime, tz: tzinfo) -> str:
    """The message (HTML); every value from the database is escaped."""
    head = f"⏰ Напоминание: {when_phrase(due.starts_at, now, tz)} — <b>{q(due.title)}</b>"
    if due.total > 1:
        head += f" (занятие {due.number} из {due.total})"
    lines = [head]
    if due.place.strip():
        online = due.format == EventFormat.ONLINE
        label = "🔗 Ссылка для подключения" if online else "📍 Адрес"
        lines.append(f"{label}: {q(due.place.strip())}")
    return "\n".join(lines)


class ReminderService:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        messenger: Messenger,
        clock: Clock,
        tz: tzinfo,
        leads_min: Iterable[int] = DEFAULT_LEADS_MIN,
        *,
        sleep: Sleep = asyncio.sleep,
        max_retry_wait: float = 30.0,
        pace: Callable[[int], Awaitable[object]] | None = None,
        quiet: QuietHours = QuietHours(),
    ) -> None:
        self._sessionmaker, self._messenger = sessionmaker, messenger
        self._clock, self._tz = clock, tz
        self.leads_min = tuple(sorted({int(m) for m in leads_min}, reverse=True))
        if not self.leads_min or min(self.leads_min) <= 0:
            raise ValueError("reminder lead times must be positive minutes")
        self._sleep, self._max_retry_wait = sleep, max_retry_wait
        self._pace = pace  # the broadcast limiter: 200 reminders at 9:00 must not flood
        self._quiet = quiet

    async def run_once(self) -> int:
        """One pass over the database; returns how many reminders were sent."""
        current_priority.set(Priority.NOTICE)  # a resend after a 429 keeps the reminders' place
        now = self._clock.now()
        sent, blocked = 0, set[int]()
        dues = [due for lead in self.leads_min for due in await self.due(lead, now)]
        nearest = {  # the nearest lead of each meeting worth sending now: the others give way
            (d.registration_id, d.session_id): d.lead_min
            for d in sorted(dues, key=lambda d: -d.lead_min)
            if worth_sending(d.lead_min, d.starts_at, now)
        }
        for due in dues:
            if due.user_id in blocked:
                continue
            key = (due.registration_id, due.session_id)
            superseded = nearest.get(key, due.lead_min) < due.lead_min
            outcome = await self._process(due, now, superseded)
            sent += outcome == "sent"
            if outcome == "blocked":
                blocked.add(due.user_id)
        if sent:
            log.info("reminders: %d sent", sent)
            metrics.reminders_sent(sent)
        return sent

    async def due(self, lead_min: int, now: datetime) -> list[Due]:
        async with self._sessionmaker() as session:
            return await ReminderRepo(session).due(lead_min, now)

    async def _process(self, due: Due, now: datetime, superseded: bool = False) -> str:
        verdict = at_night(due.lead_min, due.starts_at, now, self._quiet, self._tz)
        if verdict == "hold":
            return "held"  # unrecorded: the first pass of the morning sends it
        if not await self._claim(due, now):
            return "taken"  # another pass or instance got there first
        if superseded or verdict == "skip" or not worth_sending(due.lead_min, due.starts_at, now):
            return "stale"
        try:
            return await self._deliver(due.user_id, reminder_text(due, now, self._tz))
        except Exception:  # one failing reminder never stops the others
            log.exception("reminder %s for user %s failed", due.session_id, due.user_id)
            return "failed"

    async def _claim(self, due: Due, now: datetime) -> bool:
        async with self._sessionmaker() as session:
            return await ReminderRepo(session).claim(due, now)

    async def _deliver(self, chat_id: int, text: str) -> str:
        if self._pace is not None:
            await self._pace(chat_id)
        outcome = await self._send(chat_id, text)
        if outcome == "blocked":
            async with self._sessionmaker() as session:
                await UserRepo(session).set_active(chat_id, False)
                await session.commit()
            log.info("reminder: user %s blocked the bot, marked inactive", chat_id)
        return outcome

    async def _send(self, chat_id: int, text: str) -> Outcome:
        """A flood wait is waited out once (capped, so one cannot hang the pass) and the send
        tried again; a person gone is «blocked»; any other refusal is counted, never raised."""
        try:
            try:
                await self._messenger.send(chat_id, text)
            except Deferred as exc:
                if exc.retry_after is None:  # the outbound path already waited its fill
                    raise
                await self._sleep(min(exc.retry_after, self._max_retry_wait))
                await self._messenger.send(chat_id, text)
        except Unreachable as exc:
            if exc.gone:
                return "blocked"
            log.warning("reminder to %s not sent: %s", chat_id, exc.reason)
            return "failed"
        except Deferred as exc:  # a second flood wait
            log.warning("reminder to %s not sent: %s", chat_id, exc)
            return "failed"
        return "sent"


def install(
    scheduler: AsyncIOScheduler, service: ReminderService, every_seconds: int = 30
) -> None:
    """Run `service.run_once` every `every_seconds` on an AsyncIOScheduler (first run now)."""
    scheduler.add_job(
        service.run_once,
        "interval",
        seconds=every_seconds,
        id="reminders",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
        next_run_time=datetime.now(UTC),  # catch up at once after a restart
    )
