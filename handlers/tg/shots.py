"""A Telegram asker's picture or file for staff in MAX (bot.services.tickets.media).

Telegram staff get the asker's message copied; a copy cannot cross into MAX, so for MAX staff
the file is fetched from Telegram by its `file_id` and uploaded there. A picture sent before
«Отправить специалисту» is pressed is known then only by its message id: its `file_id` is
kept in the asker's dialog data (the last few, by message id) until the press.
"""

from __future__ import annotations

import logging
from typing import Final

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.core.messages import OutFile
from bot.services.tickets.media import Fetch

log = logging.getLogger(__name__)
KEY: Final = "shots"  # in the dialog's data: {message id: [file_id, file name]}
KEEP: Final = 5  # the asker's latest pictures waiting for «Отправить специалисту»
Shot = tuple[str, str]  # (file_id, the name MAX staff see)


def shot_of(message: Message) -> Shot | None:
    """The largest size of a photo, or a document with its own name."""
    if message.photo:
        biggest = max(message.photo, key=lambda p: p.width * p.height)
        return biggest.file_id, "screenshot.jpg"
    if message.document is not None:
        return message.document.file_id, message.document.file_name or "file"
    return None


async def remember(state: FSMContext, message: Message) -> None:
    """Keep the picture's file_id for a press of «Отправить специалисту» under the offer."""
    shot = shot_of(message)
    if shot is None:
        return
    kept = dict((await state.get_data()).get(KEY) or {})
    kept[str(message.message_id)] = list(shot)
    newest = sorted(kept, key=int)[-KEEP:]
    await state.update_data({KEY: {k: kept[k] for k in newest}})


async def recalled(state: FSMContext, message_id: int) -> Shot | None:
    found = ((await state.get_data()).get(KEY) or {}).get(str(message_id))
    if isinstance(found, list) and len(found) == 2 and all(isinstance(x, str) for x in found):
        return found[0], found[1]
    return None


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
