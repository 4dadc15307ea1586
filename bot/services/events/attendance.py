"""Who is coming and who came: the participant list, its spreadsheet and attendance marks,
for staff in either messenger (handlers.events_admin.lists in Telegram, handlers.max.staff_events
in MAX).

Names, organisations and contacts are typed by teachers, so the list is built as plain text
(the adapter splits it to its messenger's size and only then escapes it); spreadsheets
neutralise formulas in bot.services.reports.exports. The role is the adapter's to check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.markup import clip, fill
from bot.core.messages import Button, Keyboard, OutFile, pack, rows
from bot.services.events.cards import Turnout, ends_at
from bot.services.reports.exports import (
    ParticipantRow,
    participants_csv,
    participants_xlsx,
    status_label,
)
from bot.texts import events_admin as t
from storage.models import (
    SEATED,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    TeacherProfile,
)
from storage.repositories import Repositories

PAGE = 20
ORDER = {"registered": 0, "attended": 0, "waiting": 1, "cancelled": 2}
Person = tuple[Registration, TeacherProfile | None, str]  # registration, profile, name


async def turnout(repo: Repositories, event: Event, now: datetime) -> Turnout | None:
    """For a staff card: who came of who held a seat, once the event is over (None before)."""
    if ends_at(event) > now:
        return None
    counts = await repo.events.counts(event.id)
    attended = counts.get(RegistrationStatus.ATTENDED, 0)
    return Turnout(attended, attended + counts.get(RegistrationStatus.REGISTERED, 0))


async def queue(repo: Repositories, event: Event) -> int:
    """For a staff card: how many wait for a seat."""
    return (await repo.events.counts(event.id)).get(RegistrationStatus.WAITING, 0)


async def people(repo: Repositories, event_id: int) -> list[Person]:
    """Every registration with the profile; seats first, then the queue, then cancellations."""
    found: list[Person] = []
    for reg in await repo.events.participants(event_id):
        if reg.user_id is None:  # never listed: a person who deleted their data
            continue
        profile = await repo.profiles.get(reg.user_id)
        name = profile.full_name if profile else await _unnamed(repo, reg.user_id)
        found.append((reg, profile, name))
    found.sort(key=lambda p: (ORDER.get(p[0].status, 3), p[0].queued_at, p[0].id))
    return found


async def _unnamed(repo: Repositories, user_id: int) -> str:
    """A seat without a profile: the messenger's name (a seat older than the form) — unless
    the person consented once and the profile is gone, i.e. withdrew the consent: a past seat
    is then kept only to be counted (152-ФЗ ст. 21 ч. 5), and no list names them."""
    if await repo.profiles.consents(user_id):
        return t.NO_NAME
    user = await repo.users.get(user_id)
    return user.full_name if user else str(user_id)


def details(profile: TeacherProfile | None) -> dict[str, str]:
    if profile is None:
        return {"organisation": t.NO_PROFILE, "position": "—", "contact": "—"}
    return {
        "organisation": profile.organisation,
        "position": profile.position,
        "contact": profile.contact,
    }


def people_text(event: Event, found: Sequence[Person], tz: ZoneInfo) -> str:
    """The whole list as plain text (not escaped yet)."""
    when = event.starts_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    head = t.PEOPLE_HEAD.format(
        title=event.title, when=when, taken=event.taken, capacity=event.capacity
    )
    lines = [head]
    seated = [p for p in found if p[0].status in SEATED]
    waiting = [p for p in found if p[0].status == RegistrationStatus.WAITING]
    cancelled = len(found) - len(seated) - len(waiting)
    lines.append("")
    lines += [
        t.PEOPLE_LINE.format(n=n, name=name, status=status_label(reg.status), **details(prof))
        for n, (reg, prof, name) in enumerate(seated, start=1)
    ] or [t.PEOPLE_NONE]
    if waiting:
        lines += ["", t.PEOPLE_WAITING.format(count=len(waiting))]
        lines += [
            t.PEOPLE_WAITING_LINE.format(n=n, name=name, **details(prof))
            for n, (_, prof, name) in enumerate(waiting, start=1)
        ]
    if cancelled:
        lines += ["", t.PEOPLE_CANCELLED.format(count=cancelled)]
    return "\n".join(lines)


def exports_buttons(event_id: int) -> Keyboard:
    return rows(
        Button(t.BTN_EXCEL, pack("eva", "xlsx", event_id)),
        Button(t.BTN_CSV, pack("eva", "csv", event_id)),
        per_row=(2,),
    )


def row(
    reg: Registration, profile: TeacherProfile | None, name: str, meetings: tuple[bool, ...] = ()
) -> ParticipantRow:
    """One line of the Excel/CSV export (the bot's file and the panel's are the same)."""
    return ParticipantRow(
        full_name=name,
        registered_at=reg.created_at,
        status=reg.status,
        cancelled_late=reg.cancelled_late,
        meetings=meetings,
        **details(profile),
    )


async def export_rows(
    repo: Repositories, event: Event, found: Sequence[Person]
) -> list[ParticipantRow]:
    """The export's lines; a series (more than one meeting) gets its presence per meeting,
    which «Статус» («присутствовал» at any one) cannot say."""
    if len(event.sessions) < 2:
        return [row(*person) for person in found]
    marks = await repo.events.marks_by_registration(event.id)
    return [
        row(reg, prof, name, tuple(s.id in marks.get(reg.id, ()) for s in event.sessions))
        for reg, prof, name in found
    ]


async def export_file(
    repo: Repositories, event: Event, found: Sequence[Person], ext: str, tz: ZoneInfo
) -> OutFile:
    """The list as `xlsx` or `csv`."""
    table = await export_rows(repo, event, found)
    build = participants_xlsx if ext == "xlsx" else participants_csv
    return OutFile(t.FILE_PEOPLE.format(id=event.id, ext=ext), build(event, table, tz))


_TAG = re.compile(r"</?\w+[^<>]*>")
SURNAME_SHOWN = 30  # a toggle is one of two on a row: a 200-letter surname would push it off


def short_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М.П.»; an initial is a part's first letter, so
    «Сидоров <b>Пётр</b> Ильич» (typed as is, stored as is) is «Сидоров П.И.», not «<.И.»."""
    plain = _TAG.sub("", full_name)  # what looks like markup is not a part of the name
    words = [w for w in plain.split() if any(c.isalpha() for c in w)] or [full_name or "?"]
    surname = clip(words[0], SURNAME_SHOWN)
    initials = "".join(f"{next(c for c in w if c.isalpha()).upper()}." for w in words[1:3])
    return f"{surname} {initials}" if initials else surname


def marking_refusal(event: Event, now: datetime, tz: ZoneInfo) -> str | None:
    """Why attendance cannot be marked: the event was called off (a mark would give the teacher
    a participation document for a day that never happened), or it has not begun; None."""
    if event.status == EventStatus.CANCELLED:
        return t.ATTEND_EVENT_OFF
    if now >= event.starts_at:
        return None
    return t.ATTEND_TOO_EARLY.format(when=f"{event.starts_at.astimezone(tz):%d.%m.%Y %H:%M}")


def meeting_when(event: Event, now: datetime, tz: ZoneInfo) -> str:
    """When the meeting being marked began (the latest begun by `now`), and which of a series'
    it is: a tick is that meeting's, not the others'."""
    starts = sorted(s.starts_at for s in event.sessions) or [event.starts_at]
    begun = [at for at in starts if at <= now] or starts[:1]
    when = f"{begun[-1].astimezone(tz):%d.%m.%Y %H:%M}"
    if len(starts) > 1:
        when += fill(t.ATTEND_MEETING, n=len(begun), total=len(starts))
    return when


def attendance_view(
    event: Event, found: Sequence[Person], page: int, tz: ZoneInfo, present: set[int],
    now: datetime,
) -> tuple[str, Keyboard]:  # fmt: skip
    """One page of the seated participants, alphabetically, as toggle buttons; `present`: the
    registrations ticked at the meeting under way (`EventRepo.present`)."""
    seated = sorted((p for p in found if p[0].status in SEATED), key=lambda p: p[2].lower())
    if not seated:
        return t.ATTEND_NONE, attendance_buttons([], event.id, 0, 1)
    pages = (len(seated) + PAGE - 1) // PAGE
    page = min(max(page, 0), pages - 1)
    shown = [
        (reg.id, name if name == t.NO_NAME else short_name(name), reg.id in present)
        for reg, _, name in seated[page * PAGE : (page + 1) * PAGE]
    ]
    when = meeting_when(event, now, tz)
    text = fill(t.ATTEND_HEAD, title=event.title, when=when, page=page + 1, pages=pages)
    return text, attendance_buttons(shown, event.id, page, pages)


def set_payload(reg_id: int, page: int, want: bool) -> str:
    """The button that marks registration `reg_id` present (`want`) or not."""
    return pack("ats", reg_id, page, int(want))


def attendance_buttons(
    shown: Sequence[tuple[int, str, bool]], event_id: int, page: int, pages: int
) -> Keyboard:
    """`shown`: (registration id, short name, attended) of this page only; payloads are
    Telegram's AttendSetCb `ats:reg:page:want` (the mark the button gives) and AttendPageCb
    `atp:event:page`."""
    buttons = [
        Button(
            (t.BTN_ATTENDED if attended else t.BTN_NOT_ATTENDED).format(name=name),
            set_payload(reg_id, page, not attended),
        )
        for reg_id, name, attended in shown
    ]
    pairs = ((page - 1, t.BTN_PREV), (page + 1, t.BTN_NEXT))
    nav = [(p, label) for p, label in pairs if 0 <= p < pages]
    buttons += [Button(label, pack("atp", event_id, p)) for p, label in nav]
    buttons.append(Button(t.BTN_TO_CARD, pack("ev", "card", event_id)))
    sizes = [2] * (len(shown) // 2) + [1] * (len(shown) % 2) + ([len(nav)] if nav else []) + [1]
    return rows(*buttons, per_row=sizes)


async def toggle(
    repo: Repositories, registration_id: int, now: datetime, tz: ZoneInfo,
    want: bool | None = None,
) -> tuple[bool | None, str]:  # fmt: skip
    """Set one mark to `want` (None: flip it — an old button) and commit: (the new mark, what
    to tell staff); None when refused. A mark already as wanted (a colleague made it meanwhile)
    stays. The start and a cancellation are checked here too: a list opened earlier (or a
    forged button) must not tick in advance, nor at an event called off."""
    registration = await repo.session.get(Registration, registration_id)
    if registration is None or registration.user_id is None:  # gone, or its person forgotten:
        return None, t.ATTEND_INACTIVE  # a list opened before must not change the report
    event = await repo.events.get(registration.event_id)
    if event is not None and (refusal := marking_refusal(event, now, tz)):
        return None, refusal
    seated = registration is not None and registration.status in SEATED  # read before a mark
    tries = (True, False) if want is None else (want,)
    for attended in tries:
        if await repo.events.mark_attended(registration_id, attended, now):
            break
    else:
        if event is None or not seated:
            return None, t.ATTEND_INACTIVE
        # as wanted already (a colleague's mark): at this meeting, not any
        attended = registration_id in await repo.events.present(event.id, now)
    await repo.commit()
    return attended, t.ATTEND_ON if attended else t.ATTEND_OFF
