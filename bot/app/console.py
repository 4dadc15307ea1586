"""`python -m bot chat`: the real Dispatcher in a terminal, talking to an in-process Bot API
(bot/app/console_session.py: the Bot's session answers the calls itself, nothing goes online).

Staff can try the FAQ offline: what you type is sent as a Telegram message, the bot's replies
are printed with their buttons numbered; type a number to press a button, /quit to leave.
The chat keeps its own SQLite file (data/chat.db, never the real bot's database), writes its log
beside it (data/chat.log, so no log line lands inside the conversation) and, while that file
has no events, loads the examples from examples/events.yaml so a teacher has something to find.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from aiogram.types import User
from pydantic import SecretStr

from bot.app.console_session import Button, ChatMessage, ConsoleSession
from bot.app.factory import create_bot, create_dispatcher
from bot.app.runner import build_services
from bot.core.config import Settings, env_file
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.migrate import upgrade
from storage.repositories.events import EventRepo

CONSOLE_TOKEN = "100000:CONSOLE-LOCAL"
CONSOLE_USER = User(
    id=700_000_001, is_bot=False, first_name="Гость", last_name="Консоли", language_code="ru"
)


class Transcript:
    """Prints each bot message once, and again when the bot edits it."""

    def __init__(self) -> None:
        self.shown: dict[int, str] = {}
        self.buttons: list[tuple[ChatMessage, Button]] = []  # inline: pressed as callbacks
        self.keyboard: list[str] = []  # reply keyboard: pressed by sending the text

    def render(self, messages: list[ChatMessage], alerts: list[str]) -> str:
        out = [f"     ({alert})" for alert in alerts]  # a callback answer pops up
        for message in messages:
            snapshot = message.text  # a keyboard removed after a tap is not news
            if self.shown.get(message.message_id) == snapshot or message.deleted:
                continue
            self.shown[message.message_id] = snapshot
            # ChatMessage.text is what the user sees: HTML already reduced to text
            out.append("бот> " + message.text.replace("\n", "\n     "))
            if message.document is not None:
                out.append(f"     📎 {message.document.name} ({message.document.size} байт)")
            if message.keyboard is not None:
                self.keyboard = message.keyboard
            if message.keyboard:
                out.append(
                    "     меню: "
                    + " | ".join(f"[{MENU_KEYS[i]}] {t}" for i, t in enumerate(self.keyboard))
                )
            if message.buttons:
                self.buttons = []
                for row in message.buttons:
                    for button in row:
                        self.buttons.append((message, button))
                        label = f" → {button.url}" if button.url else ""
                        out.append(f"     [{len(self.buttons)}] {button.text}{label}")
        return "\n".join(out)


async def _read_line(prompt: str) -> str | None:
    line = await asyncio.to_thread(_input, prompt)
    return line


def _input(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events.yaml"


def run_chat(settings: Settings, db: Path) -> int:
    """`python -m bot chat`: its own database and log file, then the conversation."""
    from sqlalchemy.exc import DBAPIError

    from bot.core.file_errors import why

    url = f"sqlite+aiosqlite:///{db}"
    if db.is_dir():
        print(
            f"ошибка: --db {db}: это папка, а нужен файл базы чата (data/chat.db)", file=sys.stderr
        )
        return 1
    try:
        upgrade(url)
    except (OSError, DBAPIError) as exc:  # a file where a folder should be, no rights
        reason = why(exc) if isinstance(exc, OSError) else "файл не открывается как база SQLite"
        print(f"ошибка: --db {db}: {reason}", file=sys.stderr)
        return 1
    log_file = db.with_suffix(".log")
    log_to_file(log_file, settings.log_level)
    print(f"База чата: {db} (не база бота). Журнал: {log_file}")
    return asyncio.run(run_console(settings.model_copy(update={"database_url": url})))


def log_to_file(path: Path, level: str) -> None:
    """Every log record into `path` instead of the terminal the conversation is in."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


async def load_examples(sessionmaker: SessionMaker, settings: Settings) -> str | None:
    """The example events when the chat's database has none; a line saying so, or None."""
    from bot.services.events.import_files import parse_events_file
    from bot.services.events.importing import import_events
    from bot.services.import_errors import ImportErrors

    async with sessionmaker() as session:
        repo = EventRepo(session)
        if await repo.all() or not EXAMPLES.exists():
            return None
        try:
            drafts = parse_events_file(
                EXAMPLES.name, EXAMPLES.read_bytes(), settings.tz, datetime.now(UTC)
            )
        except ImportErrors:  # the examples' dates have passed: nothing to show
            return None
        ids = (await import_events(repo, drafts, None)).ids
        await session.commit()
    return (
        f"В базе чата не было мероприятий — загрузил примеры мероприятий из "
        f"examples/events.yaml ({len(ids)}): откройте «📅 Мероприятия» как педагог."
    )


async def run_console(settings: Settings) -> int:
    # the local server numbers updates from 1 on every run: nothing to deduplicate against
    settings = settings.model_copy(
        update={"bot_token": SecretStr(CONSOLE_TOKEN), "dedupe_updates": False}
    )
    engine = create_engine(settings.database_url)
    note = await load_examples(create_sessionmaker(engine), settings)
    services = build_services(settings, engine)
    session = ConsoleSession(CONSOLE_USER)
    bot = create_bot(settings, session=session, outbound=False)  # no Telegram, no limits
    dp = create_dispatcher(services)
    # idle() also waits for updates still being handled; polling keeps a task for each (read)
    session.busy = lambda: bool(getattr(dp, "_handle_update_tasks", ()))
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    if note:
        print(note)
    print(
        "Чат с ботом (офлайн). Цифра — кнопка под сообщением, буква — кнопка меню, "
        "/quit — выход.\n"
    )
    try:
        await _loop(session, Transcript())
    finally:
        await dp.stop_polling()
        await polling
        await engine.dispose()
    return 0


# Russian letters, as staff type them; a Latin letter still picks by its place in the alphabet
MENU_KEYS = "абвгдежзиклмнопрстуфхцчшщэюя"


def menu_key(line: str) -> int | None:
    """The menu button a one-letter answer means, or None."""
    letter = line.lower()
    if len(letter) != 1:
        return None
    if letter in MENU_KEYS:
        return MENU_KEYS.index(letter)
    return ord(letter) - ord("a") if "a" <= letter <= "z" else None


async def _loop(session: ConsoleSession, transcript: Transcript) -> None:
    session.user_sends("/start")
    while True:
        await session.idle()
        shown = transcript.render(session.sent_to(CONSOLE_USER.id), session.alerts)
        session.alerts.clear()
        if shown:
            print(shown, flush=True)
        line = await _read_line("вы> ")
        if line is None or line.strip() in ("/quit", "/exit"):
            return
        line = line.strip()
        if (key := menu_key(line)) is not None and key < len(transcript.keyboard):
            session.user_sends(transcript.keyboard[key])
        elif line.isdigit() and 0 < int(line) <= len(transcript.buttons):
            _press(session, *transcript.buttons[int(line) - 1])
        elif line:
            session.user_sends(line)


def _press(session: ConsoleSession, message: ChatMessage, shown: Button) -> None:
    """The button as it is now: the bot may have edited the message since it was shown."""
    button = next((b for row in message.buttons for b in row if b.text == shown.text), None)
    if button is None or message.deleted:
        print("     (этой кнопки уже нет)")
    elif button.callback_data is None:
        print(f"     (ссылка: {button.url or button.text})")
    else:
        session.press(message, button)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_chat(Settings(_env_file=env_file()), Path("data/chat.db")))
