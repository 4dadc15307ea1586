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
from broadcasts.uploads import TELEGRAM_DOWNLOAD_MAX


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


async def album_part(
    message: Message, state: FSMContext, data: dict[str, Any], *, max_on: bool = False
) -> None:
    """Add `message`'s file to the draft whose album it belongs to (`max_on`: MAX groups get
    the broadcast too, so a document the bot cannot fetch for them is left out, told why)."""
    if max_on and (refusal := too_big_for_max(message, t.ALBUM_PART_TOO_BIG)):
        await message.answer(refusal)
        return
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


def too_big_for_max(message: Message, template: str = t.CONTENT_TOO_BIG_FOR_MAX) -> str | None:
    """Why a document cannot reach MAX (the bot fetches it from Telegram, which gives a bot
    files up to 20 MB); None when it can. Telegram's groups would get it, MAX's would not."""
    size = message.document.file_size if message.document is not None else None
    if size is None or size <= TELEGRAM_DOWNLOAD_MAX:
        return None
    mb = 1024 * 1024
    shown = f"{size / mb:.1f}".replace(".", ",")  # «21,5 МБ»
    return fill(template, size=shown, limit=TELEGRAM_DOWNLOAD_MAX // mb)
