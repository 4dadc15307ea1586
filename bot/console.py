"""`python -m bot chat`: the real Dispatcher in a terminal, talking to an in-process Bot API.

Staff can try the FAQ offline: what you type is sent as a Telegram message, the bot's replies
are printed with their buttons numbered; type a number to press a button, /quit to leave.
"""

from __future__ import annotations

import asyncio
import sys

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from pydantic import SecretStr

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.runner import build_services
from bot.testing.fake_api import FakeTelegramServer, FakeUser, SentMessage
from storage.db import create_engine

CONSOLE_TOKEN = "100000:CONSOLE-LOCAL"
CONSOLE_USER = FakeUser(id=700_000_001, first_name="Гость", last_name="Консоли")


class Transcript:
    """Prints each bot message once, and again when the bot edits it."""

    def __init__(self) -> None:
        self.shown: dict[int, str] = {}
        self.buttons: list[tuple[SentMessage, str]] = []  # inline: pressed as callbacks
        self.keyboard: list[str] = []  # reply keyboard: pressed by sending the text

    def render(self, messages: list[SentMessage]) -> str:
        out: list[str] = []
        for message in messages:
            snapshot = message.text or ""  # a keyboard removed after a tap is not news
            if self.shown.get(message.message_id) == snapshot or message.deleted:
                continue
            self.shown[message.message_id] = snapshot
            # SentMessage.text is what the user sees: HTML already parsed by the fake server
            out.append("бот> " + (message.text or "").replace("\n", "\n     "))
            if message.document is not None:
                out.append(
                    f"     📎 {message.document.filename} ({len(message.document.data)} байт)"
                )
            if message.reply_keyboard:
                self.keyboard = [text for row in message.reply_keyboard for text in row]
                out.append(
                    "     меню: "
                    + " | ".join(f"[{MENU_KEYS[i]}] {t}" for i, t in enumerate(self.keyboard))
                )
            if message.buttons:
                self.buttons = []
                for row in message.buttons:
                    for button in row:
                        self.buttons.append((message, button.text))
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


async def run_console(settings: Settings) -> int:
    # the local server numbers updates from 1 on every run: nothing to deduplicate against
    settings = settings.model_copy(
        update={"bot_token": SecretStr(CONSOLE_TOKEN), "dedupe_updates": False}
    )
    engine = create_engine(settings.database_url)
    services = build_services(settings, engine)
    transcript = Transcript()
    async with FakeTelegramServer(CONSOLE_TOKEN) as server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
        bot = create_bot(settings, session=session, outbound=False)  # no Telegram, no limits
        dp = create_dispatcher(services)
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        print(
            "Чат с ботом (офлайн). Цифра — кнопка под сообщением, буква — кнопка меню, "
            "/quit — выход.\n"
        )
        try:
            await _loop(server, transcript)
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


async def _loop(server: FakeTelegramServer, transcript: Transcript) -> None:
    server.user_sends("/start", user=CONSOLE_USER)
    while True:
        await server.idle(quiet=0.3, timeout=10)
        shown = transcript.render(server.sent_to(CONSOLE_USER.id))
        if shown:
            print(shown, flush=True)
        line = await _read_line("вы> ")
        if line is None or line.strip() in ("/quit", "/exit"):
            return
        line = line.strip()
        if (key := menu_key(line)) is not None and key < len(transcript.keyboard):
            server.user_sends(transcript.keyboard[key], user=CONSOLE_USER)
        elif line.isdigit() and 0 < int(line) <= len(transcript.buttons):
            message, button = transcript.buttons[int(line) - 1]
            if any(b.text == button and b.url for row in message.buttons for b in row):
                print(f"     (ссылка: {button})")
                continue
            server.press(message, button, user=CONSOLE_USER)
        elif line:
            server.user_sends(line, user=CONSOLE_USER)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(asyncio.run(run_console(Settings())))
