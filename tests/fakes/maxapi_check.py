"""Cross-check: the real `maxapi` library (not a dependency of ours) drives the fake MAX server.

If a library written against the real MAX API polls, sends, answers callbacks and fetches chats
through the fake without a single non-200 answer, the fake speaks MAX's wire format. Run by
hand in a separate virtualenv (maxapi 1.2.3 passed on 2026-12-05):

    python3 -m venv /tmp/maxapi-venv && /tmp/maxapi-venv/bin/pip install maxapi
    PYTHONPATH=. /tmp/maxapi-venv/bin/python tests/fakes/maxapi_check.py
"""

from __future__ import annotations

import asyncio

from maxapi import Bot, Dispatcher, F
from maxapi.types import BotStarted, CallbackButton, MessageCallback, MessageCreated
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser

PARENT = MaxUser(501, "Ольга")


def dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.bot_started()
    async def started(event: BotStarted) -> None:
        await event.bot.send_message(chat_id=event.chat_id, text=f"payload={event.payload}")

    @dp.message_created(F.message.body.text)
    async def echo(event: MessageCreated) -> None:
        keyboard = InlineKeyboardBuilder().row(CallbackButton(text="Да", payload="yes"))
        text = f"<b>{event.message.body.text}</b>"
        await event.message.answer(text, attachments=[keyboard.as_markup()], format="html")

    @dp.message_callback()
    async def pressed(event: MessageCallback) -> None:
        await event.answer(notification=f"got {event.callback.payload}")

    return dp


async def main() -> None:
    async with FakeMaxServer() as fake:
        bot = Bot(fake.token)
        bot.set_api_url(fake.url)
        assert (await bot.get_me()).user_id == fake.bot.user_id
        polling = asyncio.create_task(dispatcher().start_polling(bot))
        fake.bot_started(PARENT, payload="deep")
        assert (await fake.wait_sent(PARENT, 1))[0].text == "payload=deep"
        fake.user_writes(PARENT, "Привет")
        reply = (await fake.wait_sent(PARENT, 2))[1]
        assert (reply.text, reply.format) == ("<b>Привет</b>", "html"), reply
        fake.press(PARENT, reply, "Да")
        for _ in range(100):
            if fake.answers:
                break
            await asyncio.sleep(0.05)
        assert fake.answers[0][1]["notification"] == "got yes"
        refused = [(c.method, c.path, c.status) for c in fake.calls if c.status != 200]
        assert refused == [], refused
        print("maxapi ↔ fake: OK;", sorted({(c.method, c.path) for c in fake.calls}))
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await bot.close_session()


if __name__ == "__main__":
    asyncio.run(main())
