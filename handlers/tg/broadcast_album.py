"""A broadcast's album in Telegram: one media group, then its buttons in a message of their own.

Telegram's sendMediaGroup has no `reply_markup`: a media group cannot carry inline buttons.
An album broadcast with a link, «Ознакомлен» or «Отписаться» is therefore the album (the
caption under its first file, as the staffer wrote it) followed by one short message with the
buttons, sent as a reply to the album so the reader sees what «Ознакомлен» is about. Putting
the buttons on the first file sent alone would split the album; dropping them would leave the
broadcast without the acknowledgement its author asked for.

A group takes 2–10 files, photos with photos and documents with documents (Telegram refuses
«document can't be mixed with other media types»): an album that mixes them (MAX allows it)
goes as runs of one kind, 10 at most each; a run of one is a plain sendPhoto/sendDocument.

The first request decides the delivery's outcome: refused, nothing arrived, and the ledger's
rules apply to the error (429, 403, migration). Once it arrived, the rest (later runs, the
buttons) is never a failure that would repeat the album: it is tried patiently
(`patiently`: 429 and 5xx waited out, bounded), then logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Final

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardMarkup,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaLivePhoto,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    ReplyParameters,
)

from bot.core.messages import Deferred
from bot.texts import broadcasts as t
from broadcasts.content import ALBUM_LIMIT, AlbumFile
from handlers.tg.patience import patiently

log = logging.getLogger(__name__)
Upload = str | BufferedInputFile  # a file_id Telegram knows, or the bytes to upload
MediaItem = (
    InputMediaAudio | InputMediaDocument | InputMediaLivePhoto | InputMediaPhoto | InputMediaVideo
)
GROUP_MAX: Final = ALBUM_LIMIT


def runs(files: Sequence[AlbumFile]) -> list[list[int]]:
    """Indexes of `files` in the requests that carry them: consecutive files of one kind,
    at most GROUP_MAX a request, in the album's order."""
    found: list[list[int]] = []
    for n, file in enumerate(files):
        last = found[-1] if found else None
        if last is not None and files[last[0]].kind == file.kind and len(last) < GROUP_MAX:
            last.append(n)
        else:
            found.append([n])
    return found


async def send_album(
    bot: Bot,
    chat_id: int,
    files: Sequence[AlbumFile],
    uploads: Sequence[Upload],
    caption: str,
    markup: InlineKeyboardMarkup | None,
) -> list[Message]:
    """Every message sent, the album's first first; the first request's error is raised."""
    sent: list[Message] = []
    for n, run in enumerate(runs(files)):
        if n == 0:  # refused: nothing arrived, the caller maps the error for the ledger
            sent.extend(await _run(bot, chat_id, files, uploads, run, caption))
            continue
        try:
            sent.extend(await patiently(partial(_run, bot, chat_id, files, uploads, run, "")))
        except (TelegramAPIError, Deferred) as exc:
            log.warning("album to %s: files %s not delivered: %s", chat_id, run, exc)
            return sent
    if markup is not None:
        reply = ReplyParameters(message_id=sent[0].message_id, allow_sending_without_reply=True)
        try:
            await patiently(lambda: bot.send_message(
                chat_id, t.ALBUM_BUTTONS, parse_mode="HTML", reply_markup=markup,
                reply_parameters=reply,
            ))  # fmt: skip
        except (TelegramAPIError, Deferred) as exc:
            log.warning("album to %s: its buttons not delivered: %s", chat_id, exc)
    return sent


async def _run(
    bot: Bot,
    chat_id: int,
    files: Sequence[AlbumFile],
    uploads: Sequence[Upload],
    run: list[int],
    caption: str,
) -> list[Message]:
    text = caption or None
    if len(run) == 1:
        (n,) = run
        if files[n].kind == "photo":
            return [await bot.send_photo(chat_id, uploads[n], caption=text, parse_mode="HTML")]
        return [await bot.send_document(chat_id, uploads[n], caption=text, parse_mode="HTML")]
    media: list[MediaItem] = []
    for i, n in enumerate(run):
        under = text if i == 0 else None
        if files[n].kind == "photo":
            media.append(InputMediaPhoto(media=uploads[n], caption=under, parse_mode="HTML"))
        else:
            media.append(InputMediaDocument(media=uploads[n], caption=under, parse_mode="HTML"))
    return list(await bot.send_media_group(chat_id, media))
