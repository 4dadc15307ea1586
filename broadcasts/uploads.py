"""What a broadcast's file may be, whichever adapter receives it (the web panel's form, MAX).

Telegram bots may send a photo of up to 10 MB (a larger one only as a document); every channel
keeps to that, so nothing is refused at send time. These rules sit here, below the adapters,
so the panel and the MAX composer check a file the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import PurePosixPath, PureWindowsPath

FILE_MAX = 10 * 1024 * 1024  # Telegram: a photo sent by a bot, and our cap for documents
# a file staff sent the bot in Telegram reaches MAX only through the bot's download (getFile)
TELEGRAM_DOWNLOAD_MAX = 20 * 1024 * 1024
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".rtf": "application/rtf", ".txt": "text/plain", ".csv": "text/csv",
    ".zip": "application/zip",
}  # fmt: skip
KEEP_UNUSED = timedelta(days=1)  # a file previewed but never sent is removed after this


def clean_name(raw: str) -> str:
    """The file's own name (no folders a browser may send), no control characters, ≤ 255."""
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "file"
    stem, dot, suffix = name.rpartition(".")
    if len(name) > 255:
        name = f"{stem[: 250 - len(suffix)]}.{suffix}" if dot else name[:255]
    return name


def photo_shape_ok(width: int, height: int) -> bool:
    """Telegram's rule for a photo (else PHOTO_INVALID_DIMENSIONS, in every chat)."""
    return 0 < width + height <= 10_000 and max(width, height) <= 20 * min(width, height)


def dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header; None when it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return int.from_bytes(data[at + 7 : at + 9], "big"), height
        at += 2 + length
    return None
