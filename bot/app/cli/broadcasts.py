"""`python -m bot broadcast create|status|list|cancel|resume`: broadcasts from a terminal or a
script.

The command only writes the broadcast to the database; the running bot's worker sends it when
it is due (within seconds for «now»), exactly as for one composed in the chat. Such a broadcast
has no author in a chat, so its outcome is printed here: `create --wait` waits for the end of
the sending and prints the final report in Russian, `status` shows it any time, and the bot
writes it to its own log (broadcasts.closing.unattended). A broadcast held after a long pause
waits for «Досылать»: from here `resume` (or `cancel`). `cancel` also rewrites the author's
progress message, as the bot's own cancel does. Errors go to stderr in Russian with exit code
1; `--json` output is meant for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.cli.db import DatabaseDown, database_failure
from bot.app.cli.db import fail as _fail
from bot.app.cli.db import run_in_session as _run
from bot.core.config import Settings
from bot.core.file_errors import why
from bot.texts import broadcasts as t

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.messages import Messenger
    from broadcasts.service import Status

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

AT_FORMAT = "%Y-%m-%d %H:%M"
LOCAL_FORMAT = "%d.%m.%Y %H:%M"
COUNTERS = ("total", "sent", "failed", "blocked", "pending")

CREATE_HELP = """\
Создать рассылку. Текст берётся из файла (UTF-8) в разметке Telegram HTML: <b>, <i>, <u>,
<a href="https://…">, <blockquote>; символы < > & в обычном тексте пишите как &lt; &gt; &amp;.
Без --at рассылка уходит сразу (её отправит запущенный бот в течение нескольких секунд).
В stdout печатается номер рассылки (с --json: {"id": N})."""


def add_parsers(sub: Subparsers) -> None:
    """Register `broadcast` and its actions on the main parser's subcommands."""
    broadcast = sub.add_parser("broadcast", help="рассылки: создать, статус, список, отменить")
    actions = broadcast.add_subparsers(
        dest="broadcast_command", metavar="BROADCAST_COMMAND", required=True
    )
    create = actions.add_parser(
        "create", help="создать рассылку", description=CREATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    create.add_argument(
        "--audience", required=True, choices=["parents", "directors", "teachers", "all"],
        help="кому: родители, руководители, педагоги или все три",
    )  # fmt: skip
    create.add_argument(
        "--tag", action="append", default=[], metavar="T",
        help="только чаты с этим тегом (можно несколько --tag: любой из них)",
    )  # fmt: skip
    create.add_argument(
        "--text-file", type=Path, required=True, metavar="F", help="файл с текстом"
    )
    create.add_argument(
        "--at", metavar='"ГГГГ-ММ-ДД ЧЧ:ММ"', help="когда отправить, по времени МОЦ (TIMEZONE)"
    )
    create.add_argument("--ack", action="store_true", help="добавить кнопку «Ознакомлен»")
    create.add_argument("--json", action="store_true", help='вывести {"id": N}')
    create.add_argument(
        "--wait", action="store_true",
        help="дождаться конца отправки (её делает запущенный бот) и напечатать итог",
    )  # fmt: skip
    status = actions.add_parser("status", help="сколько отправлено, ошибок, в очереди")
    status.add_argument("id", type=int, help="номер рассылки")
    status.add_argument("--json", action="store_true", help="JSON: " + ", ".join(COUNTERS))
    listing = actions.add_parser("list", help="последние рассылки")
    listing.add_argument("--json", action="store_true", help="JSON-список")
    cancel = actions.add_parser("cancel", help="отменить запланированную рассылку")
    cancel.add_argument("id", type=int, help="номер рассылки")
    resume = actions.add_parser(
        "resume", help="досылать рассылку, прерванную надолго (ждёт решения)"
    )
    resume.add_argument("id", type=int, help="номер рассылки")


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import DBAPIError

    from broadcasts.service import BroadcastError

    command = args.broadcast_command
    try:
        if command == "create":
            return create(settings, args)
        if command == "status":
            return show_status(settings, args.id, args.json)
        if command == "list":
            return list_broadcasts(settings, args.json)
        if command == "resume":
            return resume(settings, args.id)
        return cancel(settings, args.id)
    except BroadcastError as exc:
        return _fail([f"ошибка: {exc}"])
    except (DBAPIError, DatabaseDown) as exc:
        return database_failure(settings.database_url, exc)


def local_text(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.tz).strftime(LOCAL_FORMAT)


def parse_at(value: str, settings: Settings, now: datetime) -> datetime:
    """`--at` in the МОЦ's zone as aware UTC; ValueError with a Russian message otherwise.

    Not bot.core.dates: it pulls in aiogram, which alone takes seconds to import in a script.
    Like bot.core.dates.to_utc, a wall time skipped by a clock change is refused.
    """
    from bot.core.dates import MAX_YEARS_AHEAD

    try:
        wall = datetime.strptime(value.strip(), AT_FORMAT)
    except ValueError:
        raise ValueError(t.CLI_BAD_DATE.format(value=value)) from None
    if abs(wall.year - now.year) > MAX_YEARS_AHEAD:  # a slip (0001, 2206), as the panel says
        raise ValueError(t.CLI_BAD_YEAR.format(value=value, years=MAX_YEARS_AHEAD))
    moment = wall.replace(tzinfo=settings.tz).astimezone(UTC)
    if moment.astimezone(settings.tz).replace(tzinfo=None) != wall:
        raise ValueError(t.CLI_BAD_DATE.format(value=value))
    if moment <= now:
        raise ValueError(t.CLI_PAST.format(moment=local_text(moment, settings)))
    return moment


def create(settings: Settings, args: argparse.Namespace) -> int:
    from broadcasts import service
    from broadcasts.content import Content
    from storage.repositories.chats import clean_tag

    now = datetime.now(UTC)
    try:
        text = args.text_file.read_text("utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(["ошибка: " + t.CLI_NO_FILE.format(path=args.text_file, reason=why(exc))])
    try:
        at = parse_at(args.at, settings, now) if args.at else None
    except ValueError as exc:
        return _fail([f"ошибка: {exc}"])
    tags = {raw: clean_tag(raw) for raw in args.tag}  # as the registry stores them
    if bad := [raw for raw, tag in tags.items() if tag is None]:
        return _fail(["ошибка: " + t.CLI_BAD_TAG.format(tag=tag) for tag in bad])
    chosen = tuple(sorted({tag for tag in tags.values() if tag}))
    target = service.Target((args.audience,), chosen, include_private=not chosen)
    content = Content("text", text, ack=args.ack)

    async def work(session: AsyncSession) -> int:
        broadcast = await service.create_broadcast(
            session, author_id=None, content=content, target=target, at=at, now=now
        )
        return broadcast.id

    broadcast_id = _run(settings, work)
    print(json.dumps({"id": broadcast_id}) if args.json else broadcast_id)
    when = local_text(at, settings) if at else t.CLI_NOW
    print(t.CLI_CREATED.format(id=broadcast_id, when=when), file=sys.stderr)
    if not args.wait:
        print(t.CLI_HOW_TO_SEE.format(id=broadcast_id), file=sys.stderr)
        return 0
    print(t.CLI_WAITING.format(id=broadcast_id), file=sys.stderr)
    return wait_for_outcome(settings, broadcast_id, at)


def wait_for_outcome(settings: Settings, broadcast_id: int, at: datetime | None) -> int:
    """Poll the database until the running bot has ended the broadcast; print its outcome
    as the author would read it. A broadcast that has not begun a minute after its time (no
    bot running) is not waited for."""
    import time

    from broadcasts import closing, report
    from storage.repositories import Repositories

    async def look(session: AsyncSession) -> tuple[str, str]:
        repo = Repositories(session)
        item = await repo.broadcasts.get(broadcast_id)
        state = item.state if item is not None else "cancelled"
        if state in ("done", "cancelled"):
            return state, await closing.final(repo, broadcast_id, cancelled=state != "done")
        if state == "missed" and item is not None:
            return state, report.missed_text(broadcast_id, item.scheduled_at, settings.tz, None)
        return state, ""

    start_by = (at or datetime.now(UTC)).timestamp() + 60
    while True:
        state, text = _run(settings, look)
        if text or state == "held":
            break
        if state == "scheduled" and time.time() > start_by:
            print(t.CLI_STILL_SCHEDULED.format(id=broadcast_id), file=sys.stderr)
            return 1
        time.sleep(2)
    if state == "held":
        return show_status(settings, broadcast_id, as_json=False)
    print(report.console(text, one_line=False))
    return 0 if state == "done" else 1


def resume(settings: Settings, broadcast_id: int) -> int:
    """«Досылать» for a broadcast held after a long pause, from the terminal."""
    from broadcasts import service

    async def work(session: AsyncSession) -> tuple[bool, Status | None]:
        done = await service.decide_held(session, broadcast_id, resume=True, now=datetime.now(UTC))
        return done, await service.status(session, broadcast_id)

    done, item = _run(settings, work)
    if done:
        print(t.CLI_RESUMED.format(id=broadcast_id))
        return 0
    if item is None:
        return _fail(["ошибка: " + t.CLI_NOT_FOUND.format(id=broadcast_id)])
    state = t.CLI_STATES.get(item.state, item.state)
    return _fail(["ошибка: " + t.CLI_NOT_HELD.format(id=broadcast_id, state=state)])


def _counters(item: Status) -> dict[str, Any]:
    return {"total": item.total, "sent": item.sent, "failed": item.failed,
            "blocked": item.blocked, "pending": item.pending}  # fmt: skip


def _line(item: Status, settings: Settings) -> str:
    from broadcasts.report import waiting_word

    repeat = " · еженедельно" if item.repeat else ""
    return (
        f"№{item.id}  {item.state:9}  {local_text(item.scheduled_at, settings)}{repeat}  "
        f"отправлено {item.sent}/{item.total}, заблокировали {item.blocked}, "
        f"ошибок {item.failed}, {waiting_word(item.state)} {item.pending}  {item.preview[:60]}"
    )


def show_status(settings: Settings, broadcast_id: int, as_json: bool) -> int:
    from broadcasts import service
    from broadcasts.report import channel_lines

    async def load(session: AsyncSession) -> tuple[Status | None, dict[str, dict[str, int]]]:
        found = await service.status(session, broadcast_id)
        return found, await service.counts_by_channel(session, broadcast_id)

    item, channels = _run(settings, load)
    if item is None:
        return _fail(["ошибка: " + t.CLI_NOT_FOUND.format(id=broadcast_id)])
    if as_json:  # `channels`: the same counters per messenger, for rows already in the ledger
        print(json.dumps({**_counters(item), "state": item.state, "channels": channels}))
    else:
        print("\n  ".join([_line(item, settings), *channel_lines(channels, item.state)]))
    return 0


def list_broadcasts(settings: Settings, as_json: bool) -> int:
    from broadcasts import service

    items = _run(settings, lambda session: service.recent(session, limit=50))
    if as_json:
        rows = [
            {"id": i.id, "state": i.state, "scheduled_at": i.scheduled_at.isoformat(),
             "repeat": i.repeat, **_counters(i), "preview": i.preview}
            for i in items
        ]  # fmt: skip
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not items:
        print("Рассылок пока нет.")
    else:
        print("\n".join(_line(item, settings) for item in items))
    return 0


def cancel(settings: Settings, broadcast_id: int) -> int:
    """As /broadcasts «Отменить» does it (bot.services.staff.broadcasts.cancel): a broadcast
    that had not started says so in its author's progress message, when this process can
    reach the author's messenger (BOT_TOKEN, MAX_BOT_TOKEN); the cancel holds all the same."""
    from bot.services.staff import broadcasts as staff_broadcasts
    from broadcasts import service
    from storage.repositories import Repositories

    async def work(session: AsyncSession) -> tuple[bool, Status | None]:
        async with _messenger(settings, session) as messenger:
            repo = Repositories(session)
            outcome = await staff_broadcasts.cancel(repo, messenger, broadcast_id, t.CLI_WHO)
        return outcome.done, await service.status(session, broadcast_id)

    done, item = _run(settings, work)
    if done:
        print(f"Рассылка №{broadcast_id} отменена")
        return 0
    if item is None:
        return _fail(["ошибка: " + t.CLI_NOT_FOUND.format(id=broadcast_id)])
    state = t.CLI_STATES.get(item.state, item.state)
    return _fail(["ошибка: " + t.CLI_NOT_CANCELLED.format(id=broadcast_id, state=state)])


@asynccontextmanager
async def _messenger(settings: Settings, session: AsyncSession) -> AsyncIterator[Messenger]:
    """Telegram (BOT_TOKEN) and MAX (MAX_BOT_TOKEN), whose progress messages this process can
    edit (a MAX one by the `mid` its broadcast keeps), written to directly: one edit needs no
    pacing, and a refusal only leaves the message as it was. Without a usable token the
    cancel still goes through, with nothing to edit with in that messenger."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.app.factory import create_bot
    from bot.app.jobs import max_client
    from bot.app.runner import has_telegram
    from bot.core.config import SettingsError
    from bot.core.messages import Switchboard
    from handlers.max.messenger import MaxMessenger
    from handlers.max.pacing import MaxPacer
    from handlers.tg.messenger import TelegramMessenger
    from storage.db import create_sessionmaker

    try:
        bot = create_bot(settings, outbound=False) if has_telegram(settings) else None
    except SettingsError as exc:  # a malformed token must not stand in the way of a cancel
        print(f"предупреждение: {exc}", file=sys.stderr)
        bot = None
    board, client = Switchboard({}), max_client(settings)
    if bot is not None:
        board.messengers["tg"] = TelegramMessenger(bot)
    if client is not None and isinstance(engine := session.bind, AsyncEngine):
        sessions = create_sessionmaker(engine)  # its own, to read the author's MAX id
        board.messengers["max"] = MaxMessenger(client, sessions, MaxPacer(settings.max_rate))
    try:
        yield board
    finally:
        if bot is not None:
            await bot.session.close()
        if client is not None:
            await client.close()
