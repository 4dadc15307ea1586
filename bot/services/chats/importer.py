"""Chats for broadcasts from a CSV file: the one importer behind `python -m bot chats import`
and the web panel's upload.

The whole file is checked first (ImportErrors names every bad line) and then written through
the caller's session, which commits once: a typo on line 40 leaves nothing half done.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.import_errors import ImportErrors
from storage.repositories.chats import AUDIENCES, ChatRepo

COLUMNS = ("chat_id", "title", "audience")


@dataclass(frozen=True)
class ChatRow:
    line: int
    chat_id: int
    title: str
    audiences: tuple[str, ...]


def _parse_row(line: int, raw: dict[str, str | None]) -> tuple[ChatRow | None, list[str]]:
    text = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    errors: list[str] = []
    chat_id = int(text["chat_id"]) if re.fullmatch(r"[-+]?\d+", text["chat_id"]) else None
    if chat_id is None:
        errors.append(f"строка {line}: chat_id «{text['chat_id']}» — не целое число")
    elif chat_id >= 0:
        errors.append(f"строка {line}: chat_id {chat_id} — нужен id группы или канала (< 0)")
    if len(text["title"]) > 256:
        errors.append(f"строка {line}: название длиннее 256 символов")
    audiences = [a.strip().lower() for a in re.split(r"[;,]", text["audience"]) if a.strip()]
    if not audiences:
        errors.append(f"строка {line}: не указана аудитория")
    for audience in audiences:
        if audience not in AUDIENCES:
            known = ", ".join(AUDIENCES)
            errors.append(f"строка {line}: неизвестная аудитория «{audience}» ({known})")
    if errors or chat_id is None:
        return None, errors
    return ChatRow(line, chat_id, text["title"], tuple(dict.fromkeys(audiences))), []


def parse_chats_csv(data: bytes) -> list[ChatRow]:
    """Every row of the file, or ImportErrors naming each bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportErrors(["файл не в кодировке UTF-8"]) from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not set(COLUMNS) <= set(fields):
        raise ImportErrors([f"строка 1: нужны столбцы {','.join(COLUMNS)}"])
    reader.fieldnames = fields
    rows: list[ChatRow] = []
    errors: list[str] = []
    seen: dict[int, int] = {}
    for raw in reader:
        row, row_errors = _parse_row(reader.line_num, raw)
        errors += row_errors
        if row is not None and row.chat_id in seen:
            first = seen[row.chat_id]
            errors.append(f"строка {row.line}: chat_id {row.chat_id} уже был в строке {first}")
        elif row is not None:
            seen[row.chat_id] = row.line
            rows.append(row)
    if errors or not rows:
        raise ImportErrors(errors or ["в файле нет ни одного чата"])
    return rows


def _guess_kind(chat_id: int) -> str:
    return "supergroup" if str(chat_id).startswith("-100") else "group"


async def import_rows(repo: ChatRepo, rows: Sequence[ChatRow]) -> tuple[int, int, list[str]]:
    """(added, updated, notes); raises ImportErrors when two lines mean the same chat."""
    added = updated = 0
    notes: list[str] = []
    taken: dict[int, int] = {}
    for row in rows:
        chat = await repo.current(row.chat_id)
        created = chat is None
        if chat is None:
            chat, _ = await repo.upsert(row.chat_id, _guess_kind(row.chat_id), row.title)
        if chat.id in taken:
            raise ImportErrors([f"строка {row.line}: тот же чат, что в строке {taken[chat.id]}"])
        taken[chat.id] = row.line
        renamed = not created and await repo.rename(chat.id, row.title)
        changed = await repo.set_audiences(chat.id, row.audiences)
        added += int(created)
        updated += int(not created and (changed or renamed))
        if chat.id != row.chat_id:
            notes.append(f"строка {row.line}: группа стала супергруппой {chat.id}, записано в неё")
        if not chat.is_active:
            notes.append(f"строка {row.line}: бота нет в этом чате — рассылки не дойдут")
    return added, updated, notes
