"""Who is coming to an event, for staff: every registration with the teacher's profile, the
rows of the Excel/CSV export, and the attendance rule. Shared by the bot's staff lists and the
web panel, so both show the same people in the same order and mark attendance by one rule."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.reports.exports import ParticipantRow
from bot.texts import events_admin as t
from storage.models import Event, Registration, TeacherProfile
from storage.repositories import Repositories

ORDER = {"registered": 0, "attended": 0, "waiting": 1, "cancelled": 2}
SEATED = ("registered", "attended")
Person = tuple[Registration, TeacherProfile | None, str]  # registration, profile, name


async def people(repo: Repositories, event_id: int) -> list[Person]:
    """Every registration with the profile; seats first, then the queue, then cancellations."""
    found: list[Person] = []
    for reg in await repo.events.participants(event_id):
        profile = await repo.profiles.get(reg.user_id)
        user = None if profile else await repo.users.get(reg.user_id)
        name = profile.full_name if profile else (user.full_name if user else str(reg.user_id))
        found.append((reg, profile, name))
    found.sort(key=lambda p: (ORDER.get(p[0].status, 3), p[0].queued_at, p[0].id))
    return found


def details(profile: TeacherProfile | None) -> dict[str, str]:
    if profile is None:
        return {"organisation": t.NO_PROFILE, "position": "—", "contact": "—"}
    return {
        "organisation": profile.organisation,
        "position": profile.position,
        "contact": profile.contact,
    }


def row(reg: Registration, profile: TeacherProfile | None, name: str) -> ParticipantRow:
    return ParticipantRow(
        full_name=name,
        registered_at=reg.created_at,
        status=reg.status,
        cancelled_late=reg.cancelled_late,
        **details(profile),
    )


def too_early(event: Event, now: datetime, tz: ZoneInfo) -> str | None:
    """Why attendance cannot be marked yet (the event has not begun), or None."""
    if now >= event.starts_at:
        return None
    return t.ATTEND_TOO_EARLY.format(when=f"{event.starts_at.astimezone(tz):%d.%m.%Y %H:%M}")
