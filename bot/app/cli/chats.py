"""`python -m bot chats import|list`: the chat registry from a file and for scripts.

A МОЦ usually already has a spreadsheet of its parent and school chats, and the bot may have
joined them before it kept a registry; a CSV import binds them all at once. The whole file is
checked first and written in one transaction, so a typo on line 40 leaves nothing half done.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.app.cli.db import fail as _fail
from bot.app.cli.db import run_in_session as _run
from bot.core.config import Settings
from bot.services.import_errors import ImportErrors

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.repositories.chats import ChatRepo

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

T = TypeVar("T")
COLUMNS = ("chat_id", "title", "audience")
IMPORT_HELP = """\
Импорт чатов для рассылок из CSV (UTF-8, разделитель «,» или «;»).
Столбцы: chat_id,title,audience
  chat_id   id группы или канала (отрицательное число, например -1001234567890)
  title     название (пусто — оставить прежнее)
  audience  parents, directors, teachers или staff; несколько — через «;»
Аудитории чата из файла заменяют прежние; метки (/tag) не меняются. Чат, ставший
супергруппой, записывается под новым id. Сначала проверяются все строки: при ошибках ничего
не записывается, каждая ошибка — в stderr («строка N: …»), код выхода 1.
Пример: examples/chats.csv"""


@dataclass(frozen=True)
class ChatRow:
    line: int
    chat_id: int
    title: str
    audiences: tuple[str, ...]


def add_parsers(sub: Subparsers) -> None:
    chats = sub.add_parser("chats", help="чаты для рассылок: импорт из CSV, список")
    actions = chats.add_subparsers(dest="chats_command", metavar="CHATS_COMMAND", required=True)
    imp = actions.add_parser(
        "import", help="импорт из .csv", description=IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    imp.add_argument("file", type=Path, help="файл .csv")
    listing = actions.add_parser("list", help="все чаты: аудитории, метки, активность")
    listing.add_argument(
        "--json", action="store_true",
        help="JSON: chat_id, title, kind, active, audiences, tags",
    )  # fmt: skip


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import DBAPIError

    try:
        if args.chats_command == "import":
            return import_file(settings, args.file)
        return list_chats(settings, args.json)
    except DBAPIError as exc:
        print(f"ошибка базы данных: {exc.orig}", file=sys.stderr)
        print("Если база новая, сначала выполните: python -m bot db upgrade", file=sys.stderr)
        return 1


def _parse_row(line: int, raw: dict[str, str | None]) -> tuple[ChatRow | None, list[str]]:
    from storage.repositories.chats import AUDIENCES  # here: `--help` must not load SQLAlchemy

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


async def _import_rows(repo: ChatRepo, rows: Sequence[ChatRow]) -> tuple[int, int, list[str]]:
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


def import_file(settings: Settings, path: Path) -> int:
    from storage.repositories.chats import ChatRepo

    try:
        rows = parse_chats_csv(path.read_bytes())
        added, updated, notes = _run(settings, lambda s: _import_rows(ChatRepo(s), rows))
    except OSError as exc:
        return _fail([f"ошибка: не удалось прочитать {path}: {exc.strerror}"])
    except ImportErrors as exc:
        return _fail([*exc.errors, "Ничего не импортировано."])
    for note in notes:
        print(note, file=sys.stderr)
    unchanged = len(rows) - added - updated
    print(f"Добавлено чатов: {added}, обновлено: {updated}, без изменений: {unchanged}")
    return 0


def list_chats(settings: Settings, as_json: bool) -> int:
    from bot.core.ids import channel_of
    from storage.repositories.chats import ChatRepo, audiences_of, tags_of

    async def load(session: AsyncSession) -> list[dict[str, Any]]:
        return [
            {"chat_id": c.id, "channel": channel_of(c.id), "title": c.title, "kind": c.kind,
             "active": c.is_active, "audiences": audiences_of(c), "tags": tags_of(c)}
            for c in await ChatRepo(session).all()
        ]  # fmt: skip

    chats = _run(settings, load)
    if as_json:
        print(json.dumps(chats, ensure_ascii=False, indent=2))
    elif not chats:
        print("Чатов пока нет. Добавьте бота в группу или: python -m bot chats import FILE.csv")
    else:
        for c in chats:
            state = "" if c["active"] else "  (неактивен)"
            tags = " ".join(f"#{tag}" for tag in c["tags"])
            audiences = ",".join(c["audiences"]) or "-"
            print(
                f"{c['chat_id']:>20}  {c['channel']:3}  {c['kind']:10}  {audiences:28}  "
                f"{c['title']}  {tags}{state}"
            )
    return 0
