"""The compose form's attachment: one photo (JPG, PNG) or one document, up to 10 MB.

Telegram bots may send a photo of up to 10 MB (a larger one only as a document) with a caption
of up to 1024 characters; the form keeps to that, so nothing is refused at send time. A photo
is checked by its first bytes, not its name, and every file is served back to the panel with
the type this module chose, never the browser's. The form around the file stays within
`BODY_MAX`: a file a little over the limit still gets its message beside the field with the
text kept; a far larger one is stopped by aiohttp (and nginx) before it is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath, PureWindowsPath

from aiohttp import web

from handlers.web.broadcast_form import Attachment, Draft
from handlers.web.context import CLOCK, repo, staff

FILE_MAX = 10 * 1024 * 1024  # Telegram: a photo sent by a bot, and our cap for documents
BODY_MAX = FILE_MAX + 2 * 1024 * 1024  # the whole compose form with its file (aiohttp, nginx)
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
ACCEPT = ",".join([*PHOTO_TYPES, *DOCUMENT_TYPES])
TOO_BIG = "Файл больше 10 МБ ({size:.1f} МБ): Telegram не примет его от бота. Уменьшите файл."
WRONG_TYPE = (
    "Такой файл не отправить: подойдёт изображение JPG или PNG или документ "
    "PDF, DOC(X), XLS(X), PPT(X), ODT, ODS, RTF, TXT, CSV, ZIP."
)
NOT_IMAGE = "Файл назван как изображение, но им не является: сохраните его как JPG или PNG."
EMPTY = "Файл пустой."
BAD_SHAPE = (
    "Telegram не примет такое фото ({width}×{height}): ширина и высота вместе — не больше "
    "10 000 точек, и одна сторона не длиннее другой больше чем в 20 раз. Уменьшите или "
    "обрежьте картинку либо сохраните её в PDF."
)
GONE = "Вложение не найдено: выберите файл ещё раз."
TOO_BIG_BODY = "Файл больше 10 МБ: вернитесь назад и выберите файл поменьше."


@dataclass(frozen=True)
class Upload:
    kind: str  # "photo" | "document", as in broadcasts.content
    name: str
    mime: str
    data: bytes


def clean_name(raw: str) -> str:
    """The file's own name (no folders a browser may send), no control characters, ≤ 255."""
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "file"
    stem, dot, suffix = name.rpartition(".")
    if len(name) > 255:
        name = f"{stem[: 250 - len(suffix)]}.{suffix}" if dot else name[:255]
    return name


def read_upload(field: web.FileField) -> Upload | str:
    """The checked upload, or why it is refused (Russian, for the field)."""
    name = clean_name(field.filename or "")
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in PHOTO_TYPES and suffix not in DOCUMENT_TYPES:
        return WRONG_TYPE
    data = field.file.read(FILE_MAX + 1)
    if len(data) > FILE_MAX:
        field.file.seek(0, 2)
        return TOO_BIG.format(size=field.file.tell() / 1024 / 1024)
    if not data:
        return EMPTY
    if suffix in PHOTO_TYPES:
        size = dimensions(data)
        if size is None:
            return NOT_IMAGE
        if not photo_shape_ok(*size):
            return BAD_SHAPE.format(width=size[0], height=size[1])
        return Upload("photo", name, PHOTO_TYPES[suffix], data)
    return Upload("document", name, DOCUMENT_TYPES[suffix], data)


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


def chosen(field: object) -> web.FileField | None:
    """The file input's part when a file was chosen (an empty input still sends a part)."""
    return field if isinstance(field, web.FileField) and field.filename else None


async def attach(request: web.Request, draft: Draft) -> list[str]:
    """A newly chosen file is checked and stored (committed at once, so a form refused for
    another field keeps it), else the one an earlier preview stored is found again: it is set
    as the draft's attachment. Returns what is wrong with the file field."""
    files, person = repo(request).files, staff(request)
    problems: list[str] = []
    field = chosen((await request.post()).get("file"))
    if field is not None:
        checked = read_upload(field)
        if not isinstance(checked, Upload):
            problems.append(checked)  # an earlier, good file stays attached
        else:
            now = request.app[CLOCK].now()
            await files.prune_unused(now - KEEP_UNUSED)
            ref = await files.add(
                kind=checked.kind, name=checked.name, mime=checked.mime, data=checked.data,
                uploaded_by=person.staff_id, now=now,
            )  # fmt: skip
            await repo(request).commit()
            draft.attachment = Attachment(ref, checked.kind, checked.name, len(checked.data))
            return []
    if draft.file_ref is not None:
        info = await files.info(draft.file_ref)
        if info is None or info.uploaded_by != person.staff_id:
            return [*problems, GONE]
        draft.attachment = Attachment(info.id, info.kind, info.name, info.size)
    return problems
