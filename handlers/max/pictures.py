"""A screenshot or a file a MAX parent sends, on its way to a ticket.

MAX cannot copy a person's message into another chat, let alone into Telegram: the picture is
fetched by its attachment's `url` and uploaded to each staff chat by `file_to_staff` (the
Messenger's `send_file`: Telegram's document, MAX's image). Until the person asks for a
specialist, the attachment waits in the database beside their dialog's step (one per person,
the latest; the FAQ log row keeps the message's `seq` to match it), so a restart between the
picture and «Отправить специалисту» loses nothing. A message may carry several pictures or
files (an album): all of them are kept and go to staff, one post each.
"""

from __future__ import annotations

import json
import logging
from typing import Final

from bot.core.markup import fill
from bot.core.messages import OutFile
from bot.services.faq.attachments import Kind
from bot.services.tickets.media import file_missed, file_to_staff
from bot.texts import faq_learn as t
from handlers.max import updates
from handlers.max.client import MaxError
from handlers.max.context import JsonDict
from handlers.max.people import Visit

log = logging.getLogger(__name__)
KINDS: Final = ("image", "file")
SIZE_LIMIT: Final = 20 * 1024 * 1024  # Telegram's limit for a file a bot downloads, to be safe
SIGNATURES: Final = {
    b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"RIFF": ".webp",
}  # fmt: skip
SOUNDS: Final = {b"OggS": ".ogg", b"ID3": ".mp3", b"\xff\xfb": ".mp3", b"RIFF": ".wav",
                 b"\x1aE\xdf\xa3": ".webm"}  # fmt: skip


def attachments(update: JsonDict) -> list[JsonDict]:
    """Every photo and file of a message, in order (a contact, a sticker: none)."""
    found = (updates.message(update).get("body") or {}).get("attachments") or []
    return [a for a in found if isinstance(a, dict) and a.get("type") in KINDS]


def recordings(update: JsonDict) -> list[JsonDict]:
    """The message's voice messages and audio files (MAX's `audio` attachments)."""
    found = (updates.message(update).get("body") or {}).get("attachments") or []
    return [a for a in found if isinstance(a, dict) and a.get("type") == "audio"]


def unsendable(update: JsonDict) -> bool:
    """The message carries something besides pictures and files (a voice, a video, a sticker,
    a location, a contact) that cannot be passed on as a staff answer."""
    found = (updates.message(update).get("body") or {}).get("attachments") or []
    kinds = {a.get("type") for a in found if isinstance(a, dict)}
    return bool(kinds - {*KINDS, "inline_keyboard"})


def attachment(update: JsonDict) -> JsonDict | None:
    """The first photo or file of a message (a contact, a sticker: None)."""
    return next(iter(attachments(update)), None)


def kind(found: JsonDict) -> Kind:
    """A MAX image is a picture; anything sent as a file (a PDF, a scan) is a file."""
    return "picture" if found.get("type") == "image" else "file"


def _key(v: Visit) -> str:
    return f"maxpic:{v.uid}"


async def remember(v: Visit, message_seq: int, found: list[JsonDict]) -> None:
    """Keep the attachments until the person asks for a specialist (or sends another)."""
    kept = json.dumps({"seq": message_seq, "attachments": found}, ensure_ascii=False)
    await v.repo.dialog_states.keep(_key(v), kept)
    await v.repo.commit()


async def recall(v: Visit, message_seq: int) -> list[JsonDict]:
    """The attachments of message `message_seq`, if it is still the one kept (a row kept
    before albums holds one `attachment`)."""
    try:
        kept = json.loads(await v.repo.dialog_states.kept(_key(v)) or "{}")
    except ValueError:
        return []
    if not isinstance(kept, dict) or kept.get("seq") != message_seq:
        return []
    found = kept.get("attachments", [kept.get("attachment")])
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []


async def waiting(v: Visit) -> int:
    """How many of the person's attachments are kept for «Отправить специалисту» (/my_data)."""
    try:
        kept = json.loads(await v.repo.dialog_states.kept(_key(v)) or "{}")
    except ValueError:
        return 0
    found = kept.get("attachments", [kept.get("attachment")]) if isinstance(kept, dict) else []
    return sum(isinstance(a, dict) for a in found) if isinstance(found, list) else 0


async def forget(v: Visit) -> None:
    """/forget_me: the link to the person's picture goes with the rest."""
    await v.repo.dialog_states.clear(_key(v))
    await v.repo.commit()


def _what(found: JsonDict) -> str:
    if found.get("type") == "audio":
        return t.SHOT_WHAT_VOICE
    if kind(found) == "picture":
        return t.SHOT_WHAT_PICTURE
    return fill(t.SHOT_WHAT_FILE, name=str(found.get("filename") or "")[:100])


def _filename(found: JsonDict, data: bytes) -> str:
    if found.get("type") == "file" and found.get("filename"):
        return str(found["filename"])[:200]
    if found.get("type") == "audio":  # staff get it as a file: its name says how to play it
        ext = next((e for sig, e in SOUNDS.items() if data.startswith(sig)), ".ogg")
        return f"голосовое{'.m4a' if data[4:8] == b'ftyp' else ext}"
    ext = next((e for sig, e in SIGNATURES.items() if data.startswith(sig)), ".jpg")
    return f"screenshot{ext}"


async def fetch(v: Visit, found: JsonDict) -> OutFile | None:
    url = str((found.get("payload") or {}).get("url") or "")
    if not url.startswith(("https://", "http://")):
        return None
    if isinstance(found.get("size"), int) and found["size"] > SIZE_LIMIT:
        return None  # known too big: not worth the download
    try:
        data = await v.ctx.client.download(url, limit=SIZE_LIMIT)
    except MaxError as exc:
        log.warning("MAX attachment not fetched: %s", exc)
        return None
    return OutFile(_filename(found, data), data)


async def to_staff(v: Visit, ticket_id: int, found: list[JsonDict], caption: str) -> None:
    """Each picture beside the ticket in every staff chat (the caption with the first);
    commits the posts."""
    ctx = v.ctx
    name = v.user.full_name
    for i, one in enumerate(found):
        file = await fetch(v, one)
        if file is None:  # too big, or gone: the asker hears it, not believing it went
            await v.say(t.SHOT_NOT_PASSED.format(what=_what(one)))  # escaped in _what
            await file_missed(ctx.messenger, v.repo, ctx.settings, ticket_id, name, _what(one))
            await v.repo.commit()  # and staff, who would not know it was sent
            continue
        said = caption if i == 0 else ""
        await file_to_staff(ctx.messenger, v.repo, ctx.settings, ticket_id, name, file, said)
        await v.repo.commit()
