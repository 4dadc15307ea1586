"""The participation confirmation a teacher asks for from the card: a message and the DOCX
(bot.services.events.participation), once staff marked them present and the event is over —
one rule and one text for both messengers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.events import cards as events_view
from bot.services.events.participation import Participation, participation_docx
from bot.texts import events as t
from bot.texts.events_labels import KIND_LABELS
from storage.models import Event, EventStatus, RegistrationStatus
from storage.repositories import Repositories


@dataclass(frozen=True)
class Proof:
    text: str  # HTML, values escaped
    file: OutFile
    caption: str  # what the file is (the event, its dates), shown with it; escaped


def _held(event: Event) -> list[tuple[datetime, datetime]]:
    """Each meeting's start and end, in order (the event itself when it has no sessions)."""
    meetings = [(s.starts_at, s.duration_min) for s in event.sessions]
    meetings = sorted(meetings) or [(event.starts_at, event.duration_min)]
    return [(start, start + timedelta(minutes=minutes)) for start, minutes in meetings]


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """«пн, 7 декабря 2026», or «пн, 7 декабря 2026 — вт, 8 декабря 2026» for an evening
    past midnight: the commission reads the dates it was held. An end at 0:00 is that day's."""
    first = events_view.day_text(start, tz)
    last = events_view.day_text(end - timedelta(microseconds=1), tz)
    return first if last == first else f"{first} — {last}"


async def proof_for(
    repo: Repositories, event: Event, user_id: int, settings: Settings, now: datetime
) -> Proof | str:
    """The confirmation, or why there is none yet (a plain text for an alert)."""
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
    held = _held(event)
    dates = ", ".join(_days(start, end, settings.tz) for start, end in held)
    minutes = sum(s.duration_min for s in event.sessions) or event.duration_min
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
    name = t.FILE_PROOF.format(event=event.id, reg=registration.id)
    span = _days(held[0][0], held[-1][1], settings.tz)  # a caption is short: first — last
    caption = fill(t.PROOF_CAPTION, title=event.title, dates=span)
    return Proof(text, OutFile(name, participation_docx(facts)), caption)
