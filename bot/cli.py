"""Command line: `python -m bot [command]`. Every command explains itself with --help."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings

DESCRIPTION = """\
moc-bot — Telegram-бот муниципального опорного центра (МОЦ).

Settings come from the environment and .env (see .env.example).
Without a command the bot starts (same as `run`)."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="start the bot: webhook mode when WEBHOOK_URL is set, else long polling"
    )
    run.add_argument(
        "--migrate", action="store_true", help="apply database migrations before starting"
    )
    run.add_argument(
        "--no-jobs",
        action="store_true",
        help="handle updates only; reminders and broadcasts run in `python -m bot worker`",
    )
    sub.add_parser(
        "worker",
        help="run only the background jobs (reminders, broadcasts), no updates; "
        "serves /healthz and /metrics on WEB_HOST:WEB_PORT",
    )

    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", metavar="DB_COMMAND", required=True
    )
    upgrade = db.add_parser("upgrade", help="apply Alembic migrations to DATABASE_URL")
    upgrade.add_argument("revision", nargs="?", default="head", help="target (default: head)")
    backup = db.add_parser(
        "backup",
        help="online copy of the SQLite database (safe while the bot runs); "
        "for PostgreSQL prints the pg_dump command and exits 2",
    )
    backup.add_argument("file", type=Path, help="the new backup file (never overwritten)")

    faq = sub.add_parser("faq", help="the knowledge base").add_subparsers(
        dest="faq_command", metavar="FAQ_COMMAND", required=True
    )
    search = faq.add_parser(
        "search",
        help="match a question like the bot does",
        description="Match a question. Use '-' to read one question per line from stdin "
        "and print one JSON object per line.",
    )
    search.add_argument("text", help="the question, or '-' for stdin")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument(
        "--audience", choices=["parents", "teachers", "organisations"], help="prefer this audience"
    )
    export = faq.add_parser("export", help="print every entry")
    export.add_argument("--json", action="store_true", help="JSON list (the only format)")
    faq.add_parser(
        "check", help="validate the data files (ids, placeholders, HTML, length); exit 1 on error"
    )
    faq.add_parser("drafts", help="print FAQ drafts made by staff from tickets, as YAML")

    sub.add_parser(
        "chat", help="talk to the bot in this terminal (offline, same logic, local Bot API)"
    )
    # --- events, report, orgs (bot/cli_events.py) ---
    from bot import cli_events

    cli_events.add_parsers(sub)
    # --- end events ---
    # --- chats ---
    from bot import cli_chats

    cli_chats.add_parsers(sub)
    # --- end chats ---
    # --- broadcast ---
    from bot import cli_broadcasts

    cli_broadcasts.add_parsers(sub)
    # --- end broadcast ---
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return _dispatch(args, settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_faq

    command = args.command or "run"
    if command == "run":
        from bot.runner import run_polling, run_webhook, setup_logging
        from storage.migrate import upgrade

        settings.require_token()
        setup_logging(settings.log_level)
        if getattr(args, "migrate", False):
            upgrade(settings.database_url)
        jobs = not getattr(args, "no_jobs", False)
        runner = run_webhook if settings.webhook_url else run_polling
        asyncio.run(runner(settings, jobs=jobs))
        return 0
    if command == "worker":
        from bot.runner import setup_logging
        from bot.worker import run_worker

        settings.require_token()
        setup_logging(settings.log_level)
        asyncio.run(run_worker(settings))
        return 0
    if command == "db" and args.db_command == "backup":
        from bot.backup import backup_command

        return backup_command(settings.database_url, args.file)
    if command == "db":
        from storage.migrate import upgrade

        upgrade(settings.database_url, args.revision)
        print(f"database at {args.revision}: {settings.database_url}")
        return 0
    if command == "chat":
        from bot.console import run_console
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        return asyncio.run(run_console(settings))
    # --- events, report, orgs (bot/cli_events.py) ---
    if command in ("events", "report", "orgs"):
        from bot import cli_events

        return cli_events.dispatch(args, settings)
    # --- end events ---
    # --- chats ---
    if command == "chats":
        from bot import cli_chats

        return cli_chats.dispatch(args, settings)
    # --- end chats ---
    # --- broadcast ---
    if command == "broadcast":
        from bot import cli_broadcasts

        return cli_broadcasts.dispatch(args, settings)
    # --- end broadcast ---
    if args.faq_command == "search":
        return cli_faq.search(settings, args.text, args.json, args.audience)
    if args.faq_command == "export":
        return cli_faq.export(settings)
    if args.faq_command == "check":
        return cli_faq.check(settings, date.today())
    if args.faq_command == "drafts":
        return asyncio.run(cli_faq.drafts(settings))
    raise AssertionError(command)
