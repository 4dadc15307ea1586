"""A Telegram asker's picture or file for staff in MAX (bot.services.tickets.media).

Telegram staff get the asker's message copied; a copy cannot cross into MAX, so for MAX staff
the file is fetched from Telegram by its `file_id` and uploaded there. A picture sent before
«Отправить специалисту» is pressed is known then only by its message id: its `file_id` is
kept in the asker's dialog data (the last few, by message id) until the press.

An album comes as several messages sharing one `media_group_id`, one update each, handled one
after another (the dispatcher's isolation): the first part is answered, the later parts only
join it (`album_part`) — the ticket the first went to, or the offer whose press sends them all
(`album_of`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.tickets.media import Fetch
from bot.texts import faq_learn as t

log = logging.getLogger(__name__)
# in the dialog's data: {message id: [file_id, file name, media_group_id or ""]}
KEY: Final = "shots"
KEEP: Final = 12  # the asker's latest pictures waiting for «Отправить специалисту»
# {"id": media_group_id, "ids": [message ids], "to": ticket id or 0, "answer": the bot's
# answer to it so far (a message id, or 0), "captioned": whether a part had a caption}
ALBUM: Final = "album"
Shot = tuple[str, str]  # (file_id, the name MAX staff see)
PHOTO_NAME: Final = "screenshot.jpg"
VOICE_NAME: Final = "голосовое.ogg"  # Telegram's voice messages are OGG/Opus


def shot_of(message: Message) -> Shot | None:
    """The largest size of a photo, a document with its own name, a voice message or an
    audio file (what can be passed to staff)."""
    if message.photo:
        biggest = max(message.photo, key=lambda p: p.width * p.height)
        return biggest.file_id, PHOTO_NAME
    if message.document is not None:
        return message.document.file_id, message.document.file_name or "file"
    if message.voice is not None:
        return message.voice.file_id, VOICE_NAME
    if message.audio is not None:
        return message.audio.file_id, message.audio.file_name or "аудио.mp3"
    return None


def recording(message: Message) -> bool:
    """A voice message or an audio file: no words for the bot, but a specialist can listen."""
    return message.voice is not None or message.audio is not None


async def remember(state: FSMContext, message: Message) -> None:
    """Keep the picture's file_id for a press of «Отправить специалисту» under the offer."""
    shot = shot_of(message)
    if shot is None:
        return
    kept = dict((await state.get_data()).get(KEY) or {})
    kept[str(message.message_id)] = [*shot, message.media_group_id or ""]
    newest = sorted(kept, key=int)[-KEEP:]
    await state.update_data({KEY: {k: kept[k] for k in newest}})


def kept_count(data: dict[str, Any]) -> int:
    """How many of the asker's pictures and files the dialog's data keeps (their /my_data)."""
    kept = data.get(KEY)
    return len(kept) if isinstance(kept, dict) else 0


async def recalled(state: FSMContext, message_id: int) -> Shot | None:
    found = ((await state.get_data()).get(KEY) or {}).get(str(message_id))
    if isinstance(found, list) and len(found) >= 2 and all(isinstance(x, str) for x in found):
        return found[0], found[1]
    return None


@dataclass(frozen=True)
class Part:
    """A later part of an album: `ticket` is where its first part went (0: to an offer or
    an answer, whose press sends the whole album); `captioned`: the album had a caption;
    `answer`: the bot's message answering the album so far (0: none known)."""

    ticket: int
    captioned: bool
    answer: int = 0
    first: int = 0  # the album's first message id


async def album_part(state: FSMContext, message: Message) -> Part | None:
    """Count the message into its album; a `Part` when it is not the album's first message
    (None for the first, and for a message outside an album)."""
    group = message.media_group_id
    if group is None:
        return None
    album = _album(await state.get_data())
    caption = bool((message.caption or "").strip())
    if album.get("id") != group:
        await state.update_data({ALBUM: {"id": group, "ids": [message.message_id], "to": 0,
                                         "captioned": caption}})  # fmt: skip
        return None
    ids = [*album.get("ids", []), message.message_id]
    first = ids[0] if isinstance(ids[0], int) else 0
    to, answer = int(album.get("to") or 0), int(album.get("answer") or 0)
    part = Part(to, bool(album.get("captioned")), answer, first)
    await state.update_data({ALBUM: album | {"ids": ids, "captioned": part.captioned or caption}})
    return part


async def album_went_to(state: FSMContext, message: Message, ticket_id: int) -> None:
    """The album's first part went to ticket `ticket_id`: its later parts follow it there."""
    group = message.media_group_id
    if group is None:
        return
    album = _album(await state.get_data())
    if album.get("id") != group:
        album = {"id": group, "ids": [message.message_id], "captioned": bool(message.caption)}
    await state.update_data({ALBUM: album | {"to": ticket_id}})


async def album_answered(state: FSMContext, message: Message, answer_id: int) -> None:
    """The bot answered the album's first part with message `answer_id`: a caption on a later
    part (Telegram puts it under whichever photo it was typed) changes that answer rather
    than getting a second one."""
    group = message.media_group_id
    album = _album(await state.get_data())
    if group is not None and album.get("id") == group:
        await state.update_data({ALBUM: album | {"answer": answer_id}})


async def album_of(state: FSMContext, message_id: int) -> list[int]:
    """The message ids of the album `message_id` belongs to, as the kept pictures know it
    (just it, outside an album): an older album's offer, pressed late, still sends it all."""
    data = await state.get_data()
    ids = _album(data).get("ids")
    if isinstance(ids, list) and message_id in ids:
        return [i for i in ids if isinstance(i, int)]
    kept = data.get(KEY) or {}
    found = kept.get(str(message_id)) if isinstance(kept, dict) else None
    group = found[2] if isinstance(found, list) and len(found) == 3 else ""
    if not group:
        return [message_id]
    return sorted(int(k) for k, v in kept.items() if isinstance(v, list) and v[2:] == [group])


def _album(data: dict[str, Any]) -> dict[str, Any]:
    found = data.get(ALBUM)
    return found if isinstance(found, dict) else {}


def what_of(shot: Shot | None) -> str:
    """The picture or the file, named for the asker and staff (escaped)."""
    if shot is None or shot[1] == PHOTO_NAME:
        return t.SHOT_WHAT_PICTURE
    if shot[1] == VOICE_NAME:
        return t.SHOT_WHAT_VOICE
    return fill(t.SHOT_WHAT_FILE, name=shot[1][:100])


def not_passed(shot: Shot | None) -> str:
    """What the asker is told when their picture or file reached no staff chat."""
    return t.SHOT_NOT_PASSED.format(what=what_of(shot))  # escaped in what_of


def fetcher(bot: Bot, shot: Shot | None) -> Fetch | None:
    """Downloads the file when a MAX staffer is to get it; None when it is not known."""
    if shot is None:
        return None
    file_id, name = shot

    async def fetch() -> OutFile | None:
        try:
            found = await bot.download(file_id)
        except TelegramAPIError as exc:
            log.warning("asker's file not fetched from Telegram: %s", exc)
            return None
        return OutFile(name, found.read()) if found is not None else None

    return fetch
