"""`python -m bot chats import|list`: the chat registry from a file and for scripts.

A МОЦ usually already has a spreadsheet of its parent and school chats, and the bot may have
joined them before it kept a registry; a CSV import binds them all at once. The whole file is
checked first and written in one transaction, so a typo on line 40 leaves nothing half done.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.app.cli.db import DatabaseDown, database_failure
from bot.app.cli.db import fail as _fail
from bot.app.cli.db import run_in_session as _run
from bot.core.config import Settings
from bot.core.file_errors import why
from bot.services.import_errors import ImportErrors

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

T = TypeVar("T")
IMPORT_HELP = """\
Импорт чатов для рассылок из CSV (UTF-8 или Windows-1251 — оба варианта «Сохранить как
CSV» в Excel; разделитель «;», «,» или табуляция).
Столбцы: chat_id,title,audience и по желанию messenger
  chat_id   id группы или канала в его мессенджере: в Telegram отрицательное число
            (например -1001234567890), в MAX — id группы из MAX (как в `chats list`)
  title     название (пусто — оставить прежнее)
  audience  parents, directors, teachers или staff; несколько — через «;»
  messenger telegram (или tg, или пусто) либо max
Аудитории чата из файла заменяют прежние; метки (/tag) не меняются. Чат, ставший
супергруппой, записывается под новым id. Сначала проверяются все строки: при ошибках ничего
не записывается, каждая ошибка — в stderr («строка N: …»), код выхода 1.
Пример: examples/chats.csv"""


def add_parsers(sub: Subparsers) -> None:
    chats = sub.add_parser("chats", help="чаты для рассылок: импорт из CSV, список")
    actions = chats.add_subparsers(dest="chats_command", metavar="CHATS_COMMAND", required=True)
    imp = actions.add_parser(
        "import", help="импорт из .csv", description=IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    imp.add_argument("file", type=Path, help="файл .csv")
    listing = actions.add_parser("list", help="все чаты: аудитории, метки, активность")
    shape = listing.add_mutually_exclusive_group()
    shape.add_argument(
        "--json", action="store_true",
        help="JSON: chat_id (id в мессенджере channel), channel, title, kind, active, "
        "audiences, tags",
    )  # fmt: skip
    shape.add_argument(
        "--csv", action="store_true",
        help="CSV для `chats import` (UTF-8 с BOM — Excel откроет): chat_id,title,audience,"
        "messenger; чаты без аудитории не выводятся (импорт их не примет)",
    )  # fmt: skip


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import DBAPIError

    try:
        if args.chats_command == "import":
            return import_file(settings, args.file)
        return list_chats(settings, args.json, as_csv=args.csv)
    except (DBAPIError, DatabaseDown) as exc:
        return database_failure(settings.database_url, exc)


def import_file(settings: Settings, path: Path) -> int:
    # here, not at the top: `--help` must not load SQLAlchemy
    from bot.services.chats.importer import import_rows, parse_chats_csv
    from storage.repositories import Repositories

    try:
        rows = parse_chats_csv(path.read_bytes())
        added, updated, notes = _run(settings, lambda s: import_rows(Repositories(s), rows))
    except OSError as exc:
        return _fail([f"ошибка: не удалось прочитать {path}: {why(exc)}"])
    except ImportErrors as exc:
        return _fail([*exc.errors, "Ничего не импортировано."])
    for note in notes:
        print(note, file=sys.stderr)
    unchanged = len(rows) - added - updated
    print(f"Добавлено чатов: {added}, обновлено: {updated}, без изменений: {unchanged}")
    return 0


def list_chats(settings: Settings, as_json: bool, as_csv: bool = False) -> int:
    from bot.core.ids import channel_of
    from storage.repositories import Repositories
    from storage.repositories.chats import audiences_of, tags_of

    async def load(session: AsyncSession) -> list[dict[str, Any]]:
        """chat_id is the messenger's own id (a MAX group's as MAX shows it, not the bot's
        internal one): what the CSV import takes back with `messenger`."""
        repo = Repositories(session)
        chats = await repo.chats.all()
        own = await repo.channel_ids.externals(c.id for c in chats)
        return [
            {"chat_id": own.get(c.id), "channel": channel_of(c.id), "title": c.title,
             "kind": c.kind, "active": c.is_active, "audiences": audiences_of(c),
             "tags": tags_of(c)}
            for c in chats
        ]  # fmt: skip

    chats = _run(settings, load)
    if as_csv:
        return _print_csv(chats)
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
                f"{c['chat_id'] or '?':>20}  {c['channel']:3}  {c['kind']:10}  {audiences:28}  "
                f"{c['title']}  {tags}{state}"
            )
    return 0


def _print_csv(chats: list[dict[str, Any]]) -> int:
    """The registry as `chats import` reads it back: edit in Excel, import, or move it to a
    new bot. A chat without audiences (or a MAX group the bot knows no id of) would fail the
    whole import, so it is left out and counted on stderr."""
    import csv

    from bot.services.chats.importer import title_cell

    out = csv.writer(sys.stdout, lineterminator="\r\n")  # as Excel writes its own CSV
    sys.stdout.write("\ufeff")  # without the BOM Excel reads UTF-8 as Windows-1251
    out.writerow(("chat_id", "title", "audience", "messenger"))
    kept = [c for c in chats if c["audiences"] and c["chat_id"] is not None]
    for c in kept:
        messenger = "max" if c["channel"] == "max" else "telegram"
        out.writerow((c["chat_id"], title_cell(c["title"]), ";".join(c["audiences"]), messenger))
    if left := len(chats) - len(kept):
        print(f"Без аудитории (не выведены): {left}", file=sys.stderr)
    return 0
