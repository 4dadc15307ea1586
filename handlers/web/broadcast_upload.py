"""The compose form's attachment: one photo (JPG, PNG) or one document, up to 10 MB.

Telegram bots may send a photo of up to 10 MB (a larger one only as a document) with a caption
of up to 1024 characters; the form keeps to that, so nothing is refused at send time. A photo
is checked by its first bytes, not its name, and every file is served back to the panel with
the type this module chose, never the browser's. The form around the file stays within
`BODY_MAX`: a file a little over the limit still gets its message beside the field with the
text kept; a far larger one is stopped by aiohttp (and nginx) before it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from aiohttp import web

from broadcasts.uploads import (
    DOCUMENT_TYPES,
    FILE_MAX,
    KEEP_UNUSED,
    PHOTO_TYPES,
    clean_name,
    dimensions,
    photo_shape_ok,
)
from handlers.web.broadcast_form import Attachment, Draft
from handlers.web.context import CLOCK, repo, staff

BODY_MAX = FILE_MAX + 2 * 1024 * 1024  # the whole compose form with its file (aiohttp, nginx)
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
