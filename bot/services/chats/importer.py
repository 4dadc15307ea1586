"""Chats for broadcasts from a CSV file: the one importer behind `python -m bot chats import`
and the web panel's upload.

The whole file is checked first (ImportErrors names every bad line) and then written through
the caller's session, which commits once: a typo on line 40 leaves nothing half done.
An optional `messenger` column says whose id `chat_id` is (empty: Telegram). A MAX id is the
one staff see in MAX; it is stored under the bot's internal id (`bot.core.ids`), made here if
the bot has not met the group yet, so a later `bot_added` finds the same row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.ids import BASE, Channel
from bot.core.tables import EMPTY, UnreadableText, csv_rows, decode_table, is_empty
from bot.services.import_errors import ImportErrors
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES

COLUMNS = ("chat_id", "title", "audience")
OPTIONAL = ("messenger",)
MESSENGERS: dict[str, Channel] = {"": "tg", "telegram": "tg", "tg": "tg", "max": "max"}
INT64 = 2**63
# a title so begun opens in Excel as a formula: the export (`chats list --csv`) writes it
# after «'», as a spreadsheet's own text mark, and the import takes the mark off again
FORMULA_START = ("=", "+", "-", "@")


def title_cell(title: str) -> str:
    """A chat's title as a CSV cell a spreadsheet shows as text."""
    return "'" + title if title.startswith(FORMULA_START) else title


def _title_of(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell


@dataclass(frozen=True)
class ChatRow:
    line: int
    channel: Channel
    chat_id: int  # the messenger's own id, as written in the file
    title: str
    audiences: tuple[str, ...]


def _id_errors(line: int, channel: Channel, chat_id: int) -> list[str]:
    """Telegram: a group or channel id is negative and below the bot's internal ids. MAX:
    any int64 but 0 (its group ids carry no sign rule; the bot maps them)."""
    if channel == "max":
        if chat_id == 0 or not -INT64 <= chat_id < INT64:
            return [f"строка {line}: chat_id {chat_id} — не id группы MAX"]
        return []
    if chat_id >= 0:
        return [f"строка {line}: chat_id {chat_id} — нужен id группы или канала (< 0)"]
    if chat_id <= -BASE:
        hint = "для группы MAX укажите messenger max"
        return [f"строка {line}: chat_id {chat_id} — не id Telegram ({hint})"]
    return []


def _parse_row(line: int, raw: dict[str, str | None]) -> tuple[ChatRow | None, list[str]]:
    text = {key: (raw.get(key) or "").strip() for key in COLUMNS + OPTIONAL}
    text["title"] = _title_of(text["title"])
    errors: list[str] = []
    channel = MESSENGERS.get(text["messenger"].lower())
    if channel is None:
        errors.append(f"строка {line}: мессенджер «{text['messenger']}» — нужен telegram или max")
    chat_id = int(text["chat_id"]) if re.fullmatch(r"[-+]?\d{1,30}", text["chat_id"]) else None
    if chat_id is None:
        errors.append(f"строка {line}: chat_id «{text['chat_id']}» — не целое число")
    elif channel is not None:
        errors += _id_errors(line, channel, chat_id)
    if len(text["title"]) > 256:
        errors.append(f"строка {line}: название длиннее 256 символов")
    audiences = [a.strip().lower() for a in re.split(r"[;,]", text["audience"]) if a.strip()]
    if not audiences:
        errors.append(f"строка {line}: не указана аудитория")
    for audience in audiences:
        if audience not in AUDIENCES:
            known = ", ".join(AUDIENCES)
            errors.append(f"строка {line}: неизвестная аудитория «{audience}» ({known})")
    if errors or chat_id is None or channel is None:
        return None, errors
    return ChatRow(line, channel, chat_id, text["title"], tuple(dict.fromkeys(audiences))), []


def parse_chats_csv(data: bytes) -> list[ChatRow]:
    """Every row of the file, or ImportErrors naming each bad line."""
    if is_empty(data):
        raise ImportErrors([EMPTY])
    try:  # Excel's «CSV UTF-8» or its plain «CSV» (cp1251), «;» or «,»
        table = csv_rows(decode_table(data))
    except UnreadableText as exc:
        raise ImportErrors([str(exc)]) from None
    fields = [name.strip().lower() for name in table[0][1]] if table else []
    if not set(COLUMNS) <= set(fields):
        needed = f"нужны столбцы {','.join(COLUMNS)} (и по желанию {','.join(OPTIONAL)})"
        raise ImportErrors([f"строка 1: {needed}"])
    rows: list[ChatRow] = []
    errors: list[str] = []
    seen: dict[tuple[Channel, int], int] = {}  # the same number may be a chat in each messenger
    for line, cells in table[1:]:
        if not any(cell.strip() for cell in cells):  # Excel saves emptied rows as «;;»
            continue
        row, row_errors = _parse_row(line, dict(zip(fields, cells, strict=False)))
        errors += row_errors
        if row is not None and (row.channel, row.chat_id) in seen:
            first = seen[row.channel, row.chat_id]
            errors.append(f"строка {row.line}: chat_id {row.chat_id} уже был в строке {first}")
        elif row is not None:
            seen[row.channel, row.chat_id] = row.line
            rows.append(row)
    if errors or not rows:
        raise ImportErrors(errors or ["в файле нет ни одного чата"])
    return rows


def _guess_kind(row: ChatRow) -> str:
    if row.channel == "max":
        return "chat"  # as handlers/max/groups.py registers a MAX group
    return "supergroup" if str(row.chat_id).startswith("-100") else "group"


async def import_rows(repo: Repositories, rows: Sequence[ChatRow]) -> tuple[int, int, list[str]]:
    """(added, updated, notes); raises ImportErrors when two lines mean the same chat."""
    added = updated = 0
    notes: list[str] = []
    taken: dict[int, int] = {}
    chats = repo.chats
    for row in rows:
        chat_id = await repo.channel_ids.internal(row.channel, "chat", row.chat_id)
        chat = await chats.current(chat_id)
        created = chat is None
        if chat is None:
            chat, _ = await chats.upsert(chat_id, _guess_kind(row), row.title)
        if chat.id in taken:
            raise ImportErrors([f"строка {row.line}: тот же чат, что в строке {taken[chat.id]}"])
        taken[chat.id] = row.line
        renamed = not created and await chats.rename(chat.id, row.title)
        changed = await chats.set_audiences(chat.id, row.audiences)
        added += int(created)
        updated += int(not created and (changed or renamed))
        if chat.id != chat_id:  # only Telegram groups migrate
            title = chat.title or row.title  # staff know a chat by its name, not its new id
            notes.append(f"строка {row.line}: группа «{title}» стала супергруппой, записано в неё")
        if not chat.is_active:
            notes.append(f"строка {row.line}: бота нет в этом чате — рассылки не дойдут")
    return added, updated, notes
