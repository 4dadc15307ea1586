"""The participation confirmation a teacher asks for from the card: a message and the DOCX
(bot.services.events.participation), once staff marked them present and the event is over —
one rule and one text for both messengers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from bot.core.config import Settings
from bot.core.dates import MONTHS_GENITIVE
from bot.core.filenames import latin_slug
from bot.core.ids import channel_of
from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.events import cards as events_view
from bot.services.events.participation import Participation, participation_docx
from bot.texts import events as t
from bot.texts.events_labels import KIND_LABELS
from storage.models import Event, EventStatus, RegistrationStatus
from storage.repositories import Repositories

# a press this soon after the first document was given is the same press twice (a double tap,
# or a second tap while the file uploads): the document is not sent again
DOUBLE_TAP = timedelta(seconds=30)


@dataclass(frozen=True)
class Proof:
    text: str  # HTML, values escaped
    file: OutFile
    caption: str  # what the file is (the event, its dates), shown with it; escaped


def _held(event: Event, attended: set[int] | None = None) -> list[tuple[datetime, datetime]]:
    """Each meeting's start and end, in order (the event itself when it has no sessions);
    `attended`: only the meetings (session ids) the teacher was ticked present at, when any."""
    sessions = [s for s in event.sessions if attended is None or s.id in attended]
    meetings = [(s.starts_at, s.duration_min) for s in sessions or event.sessions]
    meetings = sorted(meetings) or [(event.starts_at, event.duration_min)]
    return [(start, start + timedelta(minutes=minutes)) for start, minutes in meetings]


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """«пн, 7 декабря 2026», or «пн, 7 декабря 2026 — вт, 8 декабря 2026» for an evening
    past midnight: the commission reads the dates it was held. An end at 0:00 is that day's."""
    first = events_view.day_text(start, tz)
    last = events_view.day_text(end - timedelta(microseconds=1), tz)
    return first if last == first else f"{first} — {last}"


def _and(items: list[str]) -> str:
    """«8», «8 и 15», «8, 15 и 22»."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} и {items[-1]}"


def _held_days(held: list[tuple[datetime, datetime]], tz: ZoneInfo) -> list[date]:
    """Every local day a meeting took place on (an evening past midnight gives two)."""
    days: set[date] = set()
    for start, end in held:
        day, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
        while day <= last.date():
            days.add(day)
            day += timedelta(days=1)
    return sorted(days)


def dates_text(held: list[tuple[datetime, datetime]], tz: ZoneInfo) -> str:
    """A workshop's meetings as a Russian reader writes them: «8, 15 и 22 декабря 2026»,
    «24 ноября, 1 и 8 декабря 2026» — not «вт, 8 декабря 2026, вт, 15 декабря 2026», where
    the commas inside a date and between dates read alike. One meeting: its day(s) in full."""
    if len(held) == 1:
        return _days(*held[0], tz)
    years = []
    for year, in_year in groupby(_held_days(held, tz), key=lambda d: d.year):
        months = [
            f"{_and([str(d.day) for d in days])} {MONTHS_GENITIVE[month - 1]}"
            for month, days in ((m, list(ds)) for m, ds in groupby(in_year, lambda d: d.month))
        ]
        years.append(f"{', '.join(months)} {year}")
    return ", ".join(years)


async def proof_for(
    repo: Repositories, event: Event, user_id: int, settings: Settings, now: datetime
) -> Proof | str:
    """The confirmation, or why there is none yet (a plain text for an alert). One given out
    is recorded (committed): the yearly report counts documents issued."""
    if event.status == EventStatus.CANCELLED:  # a mark left from before: no such day was held
        return t.PROOF_EVENT_OFF
    registration = await repo.events.registration(event.id, user_id)
    profile = await repo.profiles.get(user_id)
    if registration is None or registration.status != RegistrationStatus.ATTENDED:
        return t.PROOF_NOT_YET
    if profile is None:  # the consent withdrawn: no name to put on the document
        return t.PROOF_NO_PROFILE
    ends = events_view.ends_at(event)
    if now < ends:
        return t.PROOF_AFTER_END.format(when=f"{ends.astimezone(settings.tz):%d.%m.%Y %H:%M}")
    first = await repo.documents.first_issued(event.id, user_id)
    if first is not None and timedelta(0) <= now - first < DOUBLE_TAP:
        return t.PROOF_JUST_SENT  # a second tap while the first one's file arrives
    # a workshop's document states the meetings the teacher came to, not the whole series
    marks = (await repo.events.marks_by_registration(event.id)).get(registration.id)
    held = _held(event, marks or None)
    dates = dates_text(held, settings.tz)
    minutes = round(sum((end - start).total_seconds() for start, end in held) / 60)
    facts = Participation(
        moc_name=settings.moc_name,
        full_name=profile.full_name,
        organisation=profile.organisation,
        position=profile.position,
        title=event.title,
        kind=KIND_LABELS.get(event.kind, event.kind),
        dates=dates,
        hours=events_view.hours_text(minutes),
        number=registration.id,
        issued=now.astimezone(settings.tz).date(),
    )
    text = fill(
        t.PROOF,
        name=facts.full_name,
        organisation=facts.organisation,
        title=facts.title,
        kind=facts.kind,
        dates=dates,
        hours=facts.hours,
        moc=facts.moc_name,
        reg_id=registration.id,
    )
    title = latin_slug(event.title, limit=40) or t.FILE_ICS_UNTITLED  # a folder of them reads
    name = t.FILE_PROOF.format(title=title, reg=registration.id)
    span = _days(held[0][0], held[-1][1], settings.tz)  # a caption is short: first — last
    caption = fill(t.PROOF_CAPTION, title=event.title, dates=span)
    await repo.documents.record(event.id, user_id, channel_of(user_id), now)
    await repo.commit()
    return Proof(text, OutFile(name, participation_docx(facts)), caption)
