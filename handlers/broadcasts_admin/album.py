"""The later files of an album a staffer sends as a broadcast (Telegram).

Telegram delivers an album as one message per file sharing a `media_group_id`, handled one
after another. The first became the draft's content (handlers.broadcasts_admin.compose, which
asked «Кому отправить?»); each later one joins the draft here, silently, in the album's order
(`more`, bot.services.staff.composing.album_more), and the preview shows the whole album. A
caption on a later file joins the draft's caption while one caption can hold it; a file a
broadcast cannot carry (a video, music) is left out and the staffer told so, once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.core.markup import fill
from bot.texts import broadcasts as t
from broadcasts.content import ALBUM_LIMIT, CAPTION_LIMIT, AlbumFile, fits_caption


def album_file(message: Message) -> AlbumFile | None:
    """The photo (its largest size) or document of one message of an album."""
    if message.photo:
        biggest = max(message.photo, key=lambda p: p.width * p.height)
        return AlbumFile("photo", biggest.file_id)
    if message.document is not None:
        return AlbumFile(
            "document", message.document.file_id, file_name=message.document.file_name
        )
    return None


async def album_part(message: Message, state: FSMContext, data: dict[str, Any]) -> None:
    """Add `message`'s file to the draft whose album it belongs to."""
    found = album_file(message)
    more: list[dict[str, Any]] = list(data.get("more") or [])
    if found is None or 1 + len(more) >= ALBUM_LIMIT:
        if data.get("album_told") != message.media_group_id:
            await state.update_data(album_told=message.media_group_id)
            await message.answer(t.ALBUM_PART_LEFT_OUT)
        return
    update: dict[str, Any] = {"more": [*more, asdict(found)]}
    caption = message.html_text if message.caption else ""
    if caption:
        joined = "\n\n".join(p for p in (data.get("text") or "", caption) if p)
        if fits_caption(joined):
            update["text"] = joined
        else:
            await message.answer(fill(t.ALBUM_CAPTION_LEFT_OUT, limit=CAPTION_LIMIT))
    await state.update_data(update)
