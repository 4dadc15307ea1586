"""A photo or a document a MAX staffer sends as a broadcast (handlers.max.broadcast_compose).

MAX cannot hand Telegram a file: the bot fetches it by its attachment's `url` and stores it in
the database (storage.models.StoredFile), as the web panel stores an upload, so the draft
carries `stored_file` and every channel sends it as a panel broadcast's file (Telegram
uploads it once, MAX once: broadcasts.files). The limits are Telegram's composer's and the
panel's: a caption up to 1024 characters (a longer one is refused with the numbers, as
Telegram's dialog does), a file up to 10 MB. A picture Telegram would not take as a photo
(not JPEG or PNG, or too long a side) goes as a document rather than failing in every group.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import PurePosixPath
from typing import Final

from bot.core.markup import fill, q
from bot.core.messages import OutFile
from bot.services.staff.composing import Draft
from bot.texts import broadcasts as t
from bot.texts import max as max_texts
from broadcasts.content import CAPTION_LIMIT, AlbumFile, Content, FileKind, visible_length
from broadcasts.uploads import (
    DOCUMENT_TYPES,
    FILE_MAX,
    KEEP_UNUSED,
    clean_name,
    dimensions,
    photo_shape_ok,
)
from handlers.max import broadcast_keys as kb
from handlers.max.client import MaxBadRequest, MaxError
from handlers.max.context import JsonDict
from handlers.max.people import Visit
from handlers.max.pictures import SIGNATURES

log = logging.getLogger(__name__)
PHOTOS: Final = {b"\x89PNG": (".png", "image/png"), b"\xff\xd8\xff": (".jpg", "image/jpeg")}


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")


async def _download(v: Visit, found: JsonDict) -> bytes | str:
    """The file's bytes, or what to tell the staffer (too big, not fetched)."""
    size = found.get("size")
    if isinstance(size, int) and size > FILE_MAX:  # MAX says the size of a file: not fetched
        return fill(max_texts.BROADCAST_FILE_TOO_BIG, size=_megabytes(size))
    url = str((found.get("payload") or {}).get("url") or "")
    if not url.startswith(("https://", "http://")):
        return max_texts.BROADCAST_FILE_NOT_FETCHED
    try:
        return await v.ctx.client.download(url, limit=FILE_MAX)
    except MaxBadRequest as exc:
        if exc.code == "file.too.big":
            return fill(max_texts.BROADCAST_FILE_TOO_BIG, size=f"> {_megabytes(FILE_MAX)}")
        log.warning("MAX broadcast file not fetched: %s", exc)
    except MaxError as exc:
        log.warning("MAX broadcast file not fetched: %s", exc)
    return max_texts.BROADCAST_FILE_NOT_FETCHED


def _kind(found: JsonDict, data: bytes) -> tuple[FileKind, str, str]:
    """(kind, name, mime): a JPEG or PNG picture Telegram takes is a photo, else a document."""
    if found.get("type") == "image":
        sig = next((s for s in PHOTOS if data.startswith(s)), None)
        size = dimensions(data) if sig is not None else None
        if sig is not None and size is not None and photo_shape_ok(*size):
            ext, mime = PHOTOS[sig]
            return "photo", f"photo{ext}", mime
        ext = next((e for s, e in SIGNATURES.items() if data.startswith(s)), ".jpg")
        return "document", f"picture{ext}", "application/octet-stream"
    name = clean_name(str(found.get("filename") or "document"))
    mime = DOCUMENT_TYPES.get(PurePosixPath(name.lower()).suffix, "application/octet-stream")
    return "document", name, mime


async def got_file(v: Visit, data: Draft, found: list[JsonDict], caption: str) -> bool:
    """The files (one, or an album: a MAX message with several) and their caption (Telegram
    HTML: handlers.max.typed_html) as the draft's content, stored; False (the staffer told
    why) when they cannot be the broadcast."""
    if (length := visible_length(caption)) > CAPTION_LIMIT:  # as Telegram's: refused, not cut
        what = t.WHAT_CAPTION
        too_long = fill(t.CONTENT_TOO_LONG, what=what, length=length, limit=CAPTION_LIMIT)
        await v.say(too_long, kb.CANCEL_ONLY)
        return False
    files: list[AlbumFile] = []
    for each in found:
        stored = await _stored(v, each)
        if stored is None:
            return False
        files.append(stored)
    first, *more = files
    content = Content(
        first.kind, caption, stored_file=first.stored_file, file_name=first.file_name,
        more=tuple(more),
    )  # fmt: skip
    if problems := content.problems():
        listed = "\n".join(f"• {q(p)}" for p in problems)
        await v.say(t.CONTENT_PROBLEMS.format(problems=listed), kb.CANCEL_ONLY)
        return False
    data.update(
        kind=first.kind, text=content.text, file_id=None, stored_file=first.stored_file,
        file_name=first.file_name, more=[asdict(f) for f in more],
    )  # fmt: skip
    return True


async def _stored(v: Visit, found: JsonDict) -> AlbumFile | None:
    """One attachment fetched and stored (None: the staffer told why not)."""
    fetched = await _download(v, found)
    if isinstance(fetched, str) or not fetched:
        await v.say(fetched or max_texts.BROADCAST_FILE_NOT_FETCHED, kb.CANCEL_ONLY)
        return None
    kind, name, mime = _kind(found, fetched)
    now = v.ctx.clock.now()
    await v.repo.files.prune_unused(now - KEEP_UNUSED)  # previews nobody sent, as the panel
    ref = await v.repo.files.add(
        kind=kind, name=name, mime=mime, data=fetched, uploaded_by=v.uid, now=now
    )
    await v.repo.commit()  # an unsent draft's file goes with the next prune
    return AlbumFile(kind, stored_file=ref, file_name=name)


async def show(v: Visit, content: Content) -> None:
    """The draft's message as a group will get it: the file with its caption (its buttons
    under a line of their own: MAX's file message here carries none). An album's files come
    one after another here, the caption with the first; the groups get them in one message."""
    if content.stored_file is None:
        await v.say(content.text, kb.sample(content))
        return
    for n, file in enumerate(content.files()):
        found = await v.repo.files.data(file.stored_file) if file.stored_file else None
        if found is None:
            await v.say(max_texts.BROADCAST_FILE_GONE)
            return
        info, data = found
        await v.send_file(OutFile(info.name, data), content.text if n == 0 else "")
    if buttons := kb.sample(content):
        await v.say(max_texts.BROADCAST_SAMPLE_BUTTONS, buttons)
