"""Command line: `python -m bot [command]`. Every command explains itself with --help."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.app.cli.help import Parser, russian
from bot.core.config import Settings, SettingsError, load_settings

DESCRIPTION = """\
moc-bot — бот муниципального опорного центра (МОЦ) в Telegram и MAX, с веб-панелью
для сотрудников (/web в боте присылает ссылку для входа).

Настройки берутся из переменных окружения и файла .env (образец — .env.example).
Без команды бот запускается (как `run`). У каждой команды есть --help."""


def _build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = Parser(  # its subcommands are Parsers too
        prog="python -m bot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = _command(
        sub,
        "run",
        "запустить бота: Telegram (BOT_TOKEN) и/или MAX (MAX_BOT_TOKEN); webhook, если задан "
        "WEBHOOK_URL / MAX_WEBHOOK_URL, иначе long polling; веб-панель на WEB_HOST:WEB_PORT",
    )
    run.add_argument(
        "--migrate", action="store_true", help="перед запуском применить миграции базы данных"
    )
    run.add_argument(
        "--no-jobs",
        action="store_true",
        help="только отвечать на апдейты; напоминания и рассылки — в `python -m bot worker`",
    )
    _command(
        sub,
        "worker",
        "только фоновые задачи (напоминания, рассылки) без апдейтов; "
        "/healthz и /metrics на WEB_HOST:WEB_PORT",
    )
    _command(
        sub,
        "web",
        "только веб-панель сотрудников (и /healthz, /metrics) на WEB_HOST:WEB_PORT, без "
        "апдейтов и фоновых задач — отдельный экземпляр панели за nginx; нужны WEB_SECRET и "
        "BOT_TOKEN и/или MAX_BOT_TOKEN",
    )

    db = _command(sub, "db", "обслуживание базы данных").add_subparsers(
        dest="db_command", metavar="DB_COMMAND", required=True
    )
    upgrade = _command(db, "upgrade", "применить миграции Alembic к DATABASE_URL")
    upgrade.add_argument(
        "revision", nargs="?", default="head", help="до какой ревизии (по умолчанию head)"
    )
    backup = _command(
        db,
        "backup",
        "копия базы SQLite на ходу (бот может работать); для PostgreSQL печатает команду "
        "pg_dump и выходит с кодом 2",
    )
    backup.add_argument("file", type=Path, help="новый файл копии (не перезаписывается)")

    faq = _command(sub, "faq", "база знаний").add_subparsers(
        dest="faq_command", metavar="FAQ_COMMAND", required=True
    )
    search = _command(
        faq,
        "search",
        "найти ответ на вопрос так же, как бот",
        "Найти ответ на вопрос. С '-' читает по вопросу в строке из stdin и печатает "
        "по объекту JSON в строке.",
    )
    search.add_argument("text", help="вопрос или '-' для чтения из stdin")
    search.add_argument("--json", action="store_true", help="вывод для программ (JSON)")
    search.add_argument(
        "--audience",
        choices=["parents", "teachers", "organisations"],
        help="предпочитать статьи для этой аудитории",
    )
    export = _command(
        faq,
        "export",
        "вывести все статьи так, как их видят пользователи (с текущими настройками региона)",
    )
    export.add_argument("--json", action="store_true", help="список JSON (единственный формат)")
    export.add_argument(
        "--raw", action="store_true", help="шаблоны как в YAML: {плейсхолдеры} и [[if]]-блоки"
    )
    check = _command(
        faq,
        "check",
        "проверить то, что бот показывает: файлы базы знаний и правки сотрудников из базы "
        "данных (id, плейсхолдеры, HTML, длина); код 1 при ошибке",
    )
    check.add_argument(
        "--files-only", action="store_true", help="только YAML-файлы, без базы данных"
    )
    _command(faq, "drafts", "черновики статей, сделанные сотрудниками из обращений (YAML)")
    _command(faq, "staff", "что сотрудники добавили в базу в боте: вопросы и статьи (YAML)")

    chat = _command(
        sub, "chat", "поговорить с ботом в терминале (офлайн: тот же Dispatcher, Bot API в памяти)"
    )
    chat.add_argument(
        "--db",
        type=Path,
        default=Path("data/chat.db"),
        help="свой SQLite-файл чата, не база настоящего бота (по умолчанию data/chat.db)",
    )
    from bot.app.cli import broadcasts as cli_broadcasts
    from bot.app.cli import chats as cli_chats
    from bot.app.cli import events as cli_events

    cli_events.add_parsers(sub)
    cli_chats.add_parsers(sub)
    cli_broadcasts.add_parsers(sub)
    return parser


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand whose --help starts with what it does (argparse shows `help` only above)."""
    return sub.add_parser(name, help=summary, description=description or summary)


def main(argv: Sequence[str] | None = None) -> int:
    args = russian(_build_parser()).parse_args(argv)
    try:
        settings = load_settings()
        return _dispatch(args, settings)
    except SettingsError as exc:
        print(f"ошибка: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # the knowledge base's files (FAQ_DIR) broken: which and where
        from bot.services.faq import KnowledgeBaseError

        if not isinstance(exc, KnowledgeBaseError):
            raise
        print(f"ошибка: база знаний (FAQ_DIR) не загружается: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `faq export --json | head`: the reader has what it wanted; no traceback, and
        # nothing more written to the closed pipe when Python flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.cli import faq as cli_faq
    from bot.app.preflight import check_database, check_redis

    command = args.command or "run"
    if command == "run":
        from bot.app.runner import pick_runner, setup_logging
        from storage.migrate import upgrade

        runner = pick_runner(settings)  # fails first when no token is set
        setup_logging(settings.log_level)
        check_database(settings.database_url)
        if getattr(args, "migrate", False):
            upgrade(settings.database_url)
        jobs = not getattr(args, "no_jobs", False)
        asyncio.run(runner(settings, jobs=jobs))
        return 0
    if command == "worker":
        from bot.app.roles import run_worker
        from bot.app.runner import pick_runner, setup_logging

        pick_runner(settings)  # BOT_TOKEN, or MAX_BOT_TOKEN alone: the jobs of a MAX-only bot
        setup_logging(settings.log_level)
        check_database(settings.database_url)
        check_redis(settings.redis_url)
        asyncio.run(run_worker(settings))
        return 0
    if command == "web":
        from bot.app.roles import check_web_settings, run_web
        from bot.app.runner import setup_logging

        check_web_settings(settings)  # WEB_SECRET and a bot token, before anything starts
        setup_logging(settings.log_level)
        check_database(settings.database_url)
        check_redis(settings.redis_url)
        asyncio.run(run_web(settings))
        return 0
    if command == "db" and args.db_command == "backup":
        from bot.app.backup import backup_command

        return backup_command(settings.database_url, args.file)
    if command == "db":
        from bot.app.cli.db import upgrade_command

        check_database(settings.database_url)
        return upgrade_command(settings.database_url, args.revision)
    if command == "chat":
        from bot.app.console import run_chat

        return run_chat(settings, args.db)
    if command in ("events", "report", "orgs"):
        from bot.app.cli import events as cli_events

        return cli_events.dispatch(args, settings)
    if command == "chats":
        from bot.app.cli import chats as cli_chats

        return cli_chats.dispatch(args, settings)
    if command == "broadcast":
        from bot.app.cli import broadcasts as cli_broadcasts

        return cli_broadcasts.dispatch(args, settings)
    if args.faq_command == "search":
        return cli_faq.search(settings, args.text, args.json, args.audience)
    if args.faq_command == "export":
        return cli_faq.export(settings, raw=args.raw)
    if args.faq_command == "check":
        return cli_faq.check(settings, date.today(), files_only=args.files_only)
    if args.faq_command == "drafts":
        return asyncio.run(cli_faq.drafts(settings))
    if args.faq_command == "staff":
        from bot.app.cli.faq_staff import staff_additions

        return asyncio.run(staff_additions(settings))
    raise AssertionError(command)
