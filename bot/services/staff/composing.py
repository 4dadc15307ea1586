"""A broadcast draft as both messengers' compose dialogs keep it: plain JSON (kind, text,
file_id — or stored_file and file_name for a file sent in MAX —, audiences, tags, button, ack,
at, repeat), so a restart resumes it wherever it is stored (aiogram's FSM data in Telegram,
the dialog's row in MAX).

What the draft means — its content, target and time, the recipients it reaches, the preview's
summary, an event's announcement, the parsing of typed tags, buttons and times — is decided
here once; handlers/broadcasts_admin (Telegram) and handlers/max/broadcast_compose (MAX) only
ask the questions and carry the answers.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.config import Settings
from bot.core.dates import ensure_future, format_local, parse_local_datetime
from bot.core.markup import clip, fill, q
from bot.core.messages import Deferred, Messenger, Unreachable
from bot.services.events import cards as events_view
from bot.services.events.links import linked_event
from bot.services.events.rules import open_for_signup
from bot.texts import broadcasts as t
from broadcasts import service
from broadcasts.content import AlbumFile, Content, LinkButton
from storage.models import Broadcast, Event, EventStatus
from storage.repositories import Repositories
from storage.repositories.chats import clean_tag

Draft = dict[str, Any]
ALL = "all"  # the «Все» toggle among the audiences


def draft_content(data: Draft) -> Content:
    button = data.get("button")
    return Content(
        kind=data.get("kind", "text"),
        text=data.get("text", ""),
        file_id=data.get("file_id"),
        button=LinkButton(**button) if button else None,
        ack=bool(data.get("ack")),
        stored_file=data.get("stored_file"),  # a file a MAX staffer sent, stored as the panel's
        file_name=data.get("file_name"),
        more=album_more(data),
    )


def album_more(data: Draft) -> tuple[AlbumFile, ...]:
    """The album's files after the first, as the dialogs keep them (`more`: a list of dicts)."""
    found = data.get("more") if data.get("kind", "text") != "text" else None
    if not isinstance(found, list):
        return ()
    return tuple(AlbumFile(**f) for f in found if isinstance(f, dict))


def draft_target(data: Draft) -> service.Target:
    """Tags narrow to tagged groups; private subscribers carry no tags, so they are left out."""
    tags = tuple(data.get("tags", []))
    return service.Target(tuple(data.get("audiences", [])), tags, include_private=not tags)


def draft_at(data: Draft) -> datetime | None:
    return datetime.fromisoformat(data["at"]) if data.get("at") else None


async def recipients_count(repo: Repositories, data: Draft) -> int:
    if not data.get("audiences"):
        return 0
    return await service.count_recipients(repo.session, draft_target(data))


def audiences_text(data: Draft) -> str:
    return ", ".join(t.AUDIENCE_LABELS.get(a, a) for a in data.get("audiences", []))


def toggled(chosen: list[str], value: str) -> list[str]:
    """The audiences after a press on one of them (or on «Все»), in the labels' order."""
    if value == ALL:
        every = all(a in chosen for a in service.ALL_AUDIENCES)
        others = [a for a in chosen if a not in service.ALL_AUDIENCES]
        chosen = others if every else [*others, *service.ALL_AUDIENCES]
    elif value in t.AUDIENCE_LABELS:
        chosen = [a for a in chosen if a != value] if value in chosen else [*chosen, value]
    order = list(t.AUDIENCE_LABELS)
    return sorted(set(chosen), key=order.index)


def parse_tags(text: str) -> list[str] | None:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    tags = [clean_tag(p) for p in parts]
    if not parts or any(tag is None for tag in tags):
        return None
    return sorted({tag for tag in tags if tag is not None})


def parse_button(text: str) -> LinkButton | None:
    """«Надпись | https://…»; None unless the messengers would take it."""
    label, bar, url = text.partition("|")
    button = LinkButton(" ".join(label.split()), url.strip())
    checked = Content("text", "x", button=button)
    if not bar or " " in button.url or "." not in button.url or checked.problems():
        return None
    return button


def parse_moment(text: str, settings: Settings, now: datetime) -> datetime:
    """A typed local date and time as aware UTC in the future; DateParseError otherwise."""
    return ensure_future(parse_local_datetime(text, settings.tz, now), settings.tz, now)


async def event_choices(repo: Repositories, now: datetime, tz: ZoneInfo) -> list[tuple[int, str]]:
    """Upcoming events open for signup, as (id, «дата · название») for the button step."""
    events = [e for e in await repo.events.upcoming(now, limit=30) if open_for_signup(e, now)]
    return [
        (e.id, f"{events_view.short_when(e.starts_at, tz)} · {clip(e.title, 40)}")
        for e in events[:10]
    ]


def event_button(link: str) -> dict[str, str]:
    """The «Записаться» button of a draft: `link` opens the event's card."""
    return {"label": t.EVENT_BUTTON_LABEL, "url": link}


def announcement(event: Event, settings: Settings) -> str:
    """Title, time, place and seats, worded as on the event card."""
    return t.ANNOUNCE.format(
        title=q(event.title),
        when=events_view.schedule_text(event, settings.tz),  # a workshop: every meeting
        place=events_view.place_text(event, show_link=False),
        seats=events_view.seats_text(event),
    )


def announce_refusal(event: Event | None, now: datetime) -> str | None:
    """Why this event cannot be announced (gone, cancelled, signup shut); None if it can."""
    if event is None or event.status == EventStatus.CANCELLED:
        return t.EVENT_GONE
    if not open_for_signup(event, now):  # as the event button of any broadcast
        return t.ANNOUNCE_SHUT
    return None


def announce_draft(event: Event, settings: Settings, link: str) -> Draft:
    """A draft that starts at the audiences: the announcement with its own «Записаться»."""
    return {
        "kind": "text", "text": announcement(event, settings), "file_id": None,
        "button": event_button(link), "button_fixed": True,
    }  # fmt: skip


async def summary(repo: Repositories, data: Draft, tz: tzinfo) -> str:
    """The preview's «☝️ Так сообщение увидят получатели…» under the sample."""
    at = draft_at(data)
    tags = fill(t.PREVIEW_TAGS, tags=", ".join(data["tags"])) if data.get("tags") else ""
    more = album_more(data)
    album = fill(t.PREVIEW_ALBUM, count=1 + len(more)) if more else ""
    return (
        t.PREVIEW_SUMMARY.format(
            count=await recipients_count(repo, data),
            when=q(format_local(at, tz)) if at else t.WHEN_NOW,
            repeat=t.REPEAT_WEEKLY if data.get("repeat") else t.REPEAT_NONE,
            audiences=q(audiences_text(data)),
            tags=tags,
        )
        + album
    )


async def create(
    repo: Repositories,
    data: Draft,
    author_id: int,
    now: datetime,
    progress: tuple[int, int] | None = None,
    progress_mid: str | None = None,
) -> Broadcast:
    """The broadcast the draft describes (BroadcastError in Russian when it cannot be); the
    caller commits. A stored file is marked used: no prune removes it from under the broadcast.
    A stored file deleted while the draft waited is refused (BroadcastError): its id is never
    given to another upload (migration 0032), and the album does not go out without it."""
    stored = [data.get("stored_file"), *(f.stored_file for f in album_more(data))]
    for ref in stored:
        if ref and await repo.files.info(int(ref)) is None:
            raise service.BroadcastError(t.FILE_GONE)
    await drop_shut_signup(repo, data, now)
    broadcast = await service.create_broadcast(
        repo.session, author_id=author_id, content=draft_content(data),
        target=draft_target(data), at=draft_at(data), now=now,
        repeat=data.get("repeat", ""), progress=progress, progress_mid=progress_mid,
    )  # fmt: skip
    for ref in stored:
        if ref:
            await repo.files.mark_used(int(ref))
    return broadcast


async def drop_shut_signup(repo: Repositories, data: Draft, now: datetime) -> bool:
    """A «Записаться» to an event whose registration is shut by the time the broadcast goes
    out (the deadline came while the author was at the preview, or the broadcast is set for
    it or later) is dropped from `data`, and `created_text` says so: teachers would press it
    only to read «Запись закончилась». At the deadline itself it counts as shut: the
    message is read after it."""
    button = data.get("button")
    at = draft_at(data) or now
    if not button or await shut_signup(repo, str(button.get("url", "")), at) is None:
        return False
    data["button"], data["signup_shut"] = None, True
    return True


async def shut_signup(repo: Repositories, url: str, at: datetime) -> str | None:
    """None for a link that is not an event's «Записаться» or whose registration is open at
    `at`; else the event's title («» for an event gone). The deadline itself counts as shut."""
    event_id = linked_event(url)
    if event_id is None:
        return None
    event = await repo.events.get(event_id)
    deadline = event.registration_deadline if event is not None else None
    if event is not None and open_for_signup(event, at) and (deadline is None or at < deadline):
        return None
    return event.title if event is not None else ""


async def vet_signup(
    repo: Repositories, broadcast: Broadcast, now: datetime
) -> tuple[Content, str] | None:
    """`broadcasts.runtime.Vet`: each occurrence checks its «📝 Записаться» as it goes out —
    a weekly one's later weeks too, long after `create` checked it — and goes without it once
    the registration is shut; the author is told (once: the next week is booked without it)."""
    content = Content.from_json(broadcast.content)
    if content.button is None:
        return None
    title = await shut_signup(repo, content.button.url, now)
    if title is None:
        return None
    weekly = t.SIGNUP_DROPPED_WEEKLY if broadcast.repeat == "weekly" else ""
    note = fill(t.SIGNUP_DROPPED_AT_SEND, id=broadcast.id, title=title or "—") + weekly
    return replace(content, button=None), note


def progress_opening(data: Draft, tz: tzinfo) -> str:
    """The author's progress message before sending starts: «⏳ начнётся через несколько
    секунд» or «🕒 запланирована на …»; the worker rewrites it as delivery goes."""
    at = draft_at(data)
    return fill(t.PROGRESS_AT, moment=format_local(at, tz)) if at else t.PROGRESS_NOW


async def create_with_progress(
    repo: Repositories, messenger: Messenger, data: Draft, author_id: int, now: datetime,
    tz: tzinfo,
) -> Broadcast:  # fmt: skip
    """The author's progress message, then the broadcast holding where it is (its chat,
    message id and MAX `mid` in the broadcast's row, so the worker — in this process or
    another, before or after a restart — edits it as delivery goes, and a move or cancel
    rewrites it); committed.
    Both messengers' dialogs confirm through here. An author the message cannot reach gets
    the final report as a new message instead. When the broadcast cannot be created
    (BroadcastError, or anything else) the transaction is rolled back, the progress message
    goes and the error is raised."""
    try:
        shown = await messenger.send(author_id, progress_opening(data, tz))
    except (Unreachable, Deferred):
        shown = None
    try:
        progress = (shown.chat_id, shown.message_id) if shown is not None else None
        mid = shown.ref or None if shown is not None else None  # MAX edits it by its mid
        broadcast = await create(repo, data, author_id, now, progress=progress, progress_mid=mid)
        await repo.commit()
    except Exception:
        await repo.rollback()
        if shown is not None:
            with suppress(Unreachable, Deferred):
                await messenger.delete(shown)
        raise
    return broadcast


def created_text(broadcast_id: int, data: Draft, tz: tzinfo) -> str:
    """«✅ Рассылка №N поставлена в очередь / запланирована на …»."""
    at = draft_at(data)
    shut = t.SIGNUP_BUTTON_DROPPED if data.get("signup_shut") else ""
    if at is None:
        return fill(t.CREATED_NOW, id=broadcast_id) + shut
    repeat = t.CREATED_REPEAT if data.get("repeat") else ""
    return fill(t.CREATED_AT, id=broadcast_id, moment=format_local(at, tz), repeat=repeat) + shut
