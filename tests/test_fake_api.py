"""The fake Bot API must behave like Telegram for a real aiogram client.

Every e2e test of the bot trusts this double, so here a real ``aiogram.Bot`` over HTTP and a
real polling ``Dispatcher`` check the wire format, the refusals (403, 429, migrate, too long,
bad HTML) and the long-polling protocol; and the in-memory RecordingSession is checked too.
"""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router, html
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ContentType, ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from tests.fakes.recording import RecordingSession
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer, FakeUser

pytestmark = pytest.mark.filterwarnings("error")  # leaked sessions or tasks fail the test


@pytest.fixture(autouse=True, scope="module")
def _earlier_modules_garbage() -> None:
    """Collect what earlier modules left before this module's warnings become errors: a
    session another module leaked would otherwise fail whichever test here the garbage
    collector happens to run in (this module checks its own leaks, not theirs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()


USER = 100001
MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Вопросы", callback_data="faq")],
        [InlineKeyboardButton(text="Сайт", url="https://example.org")],
    ]
)


@pytest.fixture
async def fake_server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture
async def bot(fake_server: FakeTelegramServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_server.url))
    bot = Bot(
        fake_server.token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    yield bot
    await bot.session.close()


def demo_router() -> Router:
    router = Router(name="demo")

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        payload = html.quote(command.args or "нет")
        await message.answer(f"<b>Здравствуйте!</b> Код: {payload}", reply_markup=MENU)

    @router.callback_query(F.data == "faq")
    async def faq(callback: CallbackQuery) -> None:
        await callback.answer("Открываю вопросы")
        if isinstance(callback.message, Message):
            await callback.message.edit_text("Частые вопросы")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.quote(message.text or ""))

    @router.message()
    async def anything(message: Message) -> None:
        await message.answer(f"Получено: {ContentType(message.content_type).value}")

    return router


@pytest.fixture
async def polling(fake_server: FakeTelegramServer, bot: Bot) -> AsyncIterator[Dispatcher]:
    dp = Dispatcher()
    dp.include_router(demo_router())
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    await fake_server.wait_for("getMe")  # start_polling calls getMe before the first poll
    yield dp
    await dp.stop_polling()
    await task


async def api(server: FakeTelegramServer, method: str, **kwargs: Any) -> tuple[int, Any]:
    """A raw HTTP call, for what aiogram never sends (unknown methods, JSON bodies)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.url}/bot{server.token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


# --------------------------------------------------------------------------- the real Bot


async def test_send_message_with_inline_keyboard(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    sent = await bot.send_message(USER, "<b>Меню</b> &lt;МОЦ&gt;", reply_markup=MENU)

    assert sent.text == "Меню <МОЦ>"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == MENU.model_dump()
    stored = fake_server.messages[(USER, sent.message_id)]
    assert stored.raw_text == "<b>Меню</b> &lt;МОЦ&gt;"
    assert stored.parse_mode == "HTML"
    assert stored.inline_texts == ["Вопросы", "Сайт"]
    assert stored.buttons[1][0].url == "https://example.org"


async def test_edit_keeps_history_and_refuses_no_op(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    sent = await bot.send_message(USER, "Первый", reply_markup=MENU)

    edited = await bot.edit_message_text(
        "Второй", chat_id=USER, message_id=sent.message_id, reply_markup=MENU
    )
    assert isinstance(edited, Message) and edited.text == "Второй"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Второй", chat_id=USER, message_id=sent.message_id, reply_markup=MENU
        )
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)

    stored = fake_server.messages[(USER, sent.message_id)]
    assert (stored.text, stored.history, stored.buttons) == ("Второй", ["Первый"], [])


async def test_send_document_uploads_bytes_and_can_be_downloaded(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    upload = BufferedInputFile("id;имя\n1;Мария\n".encode(), filename="отчёт.csv")

    sent = await bot.send_document(USER, upload, caption="<i>Отчёт</i>", reply_markup=MENU)

    stored = fake_server.messages[(USER, sent.message_id)]
    assert stored.kind == "document" and stored.text == "Отчёт"
    assert stored.document is not None and stored.document.filename == "отчёт.csv"
    assert stored.document.data == "id;имя\n1;Мария\n".encode()
    assert sent.document is not None and sent.document.file_name == "отчёт.csv"
    assert stored.inline_texts == ["Вопросы", "Сайт"]
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None and downloaded.read() == stored.document.data


async def test_answer_to_unknown_callback_is_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123", text="поздно")


async def test_reply_keyboard_is_tracked_per_chat(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Записаться")]])

    sent = await bot.send_message(USER, "Выберите", reply_markup=keyboard)

    assert fake_server.reply_keyboard(USER) == [["Записаться"]]
    assert fake_server.messages[(USER, sent.message_id)].reply_keyboard == [["Записаться"]]


# --------------------------------------------------------------------------- a conversation


async def test_start_command_reply_and_button_press(
    fake_server: FakeTelegramServer, polling: Dispatcher
) -> None:
    fake_server.user_sends("/start <promo>")
    greeting = await fake_server.next_message(USER)
    assert greeting.text == "Здравствуйте! Код: <promo>"
    assert greeting.inline_texts == ["Вопросы", "Сайт"]

    fake_server.press(greeting, "Вопросы")
    answer = await fake_server.callback_answer()
    await fake_server.wait_for("editMessageText")

    assert answer.params["text"] == "Открываю вопросы"
    assert greeting.text == "Частые вопросы"
    assert greeting.history == ["Здравствуйте! Код: <promo>"]


async def test_every_sample_media_reaches_handlers(
    fake_server: FakeTelegramServer, polling: Dispatcher
) -> None:
    for extra in SAMPLE_MEDIA.values():
        fake_server.user_sends(extra=extra)

    replies = [(await fake_server.next_message(USER)).text for _ in SAMPLE_MEDIA]
    assert replies == [f"Получено: {kind}" for kind in SAMPLE_MEDIA]


async def test_group_messages_and_idle(
    fake_server: FakeTelegramServer, polling: Dispatcher
) -> None:
    anna = FakeUser(200002, "Анна", username="anna")
    fake_server.user_sends("привет", user=anna, chat_type="supergroup", chat_title="Педагоги")

    await fake_server.idle()

    (reply,) = fake_server.sent_to(-1001000000001)
    assert reply.text == "привет"
    assert fake_server.chats[-1001000000001]["title"] == "Педагоги"


async def test_next_message_timeout_explains_what_happened(
    fake_server: FakeTelegramServer,
) -> None:
    fake_server.user_sends("есть кто?")

    with pytest.raises(AssertionError, match="never fetched: is the dispatcher polling"):
        await fake_server.next_message(USER, timeout=0.05)


async def test_polling_stops_quickly_and_cleanly(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    dp = Dispatcher()
    dp.include_router(demo_router())
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    await fake_server.wait_for("getMe")
    await asyncio.sleep(0.05)  # let the long poll start waiting on the server
    started = time.monotonic()

    await dp.stop_polling()
    await task

    assert time.monotonic() - started < 1.0
    assert task.done() and task.exception() is None


async def test_copy_forward_media_group_delete_and_pin(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    question = fake_server.user_sends("Где записаться?", extra=SAMPLE_MEDIA["photo"])["message"]
    staff = -1001000000001

    copied = await bot.copy_message(staff, USER, question["message_id"])
    forwarded = await bot.forward_message(staff, USER, question["message_id"])
    album = await bot.send_media_group(
        USER,
        [
            InputMediaDocument(media=BufferedInputFile(b"1", "1.pdf"), caption="один"),
            InputMediaDocument(media=BufferedInputFile(b"2", "2.pdf")),
        ],
    )  # documents group with documents only, as Telegram allows
    reply = await bot.send_message(
        USER, "Ответ", reply_parameters=ReplyParameters(message_id=question["message_id"])
    )
    await bot.pin_chat_message(USER, reply.message_id)
    await bot.send_chat_action(USER, "typing")
    chat = await bot.get_chat(staff)
    assert await bot.delete_message(USER, reply.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, reply.message_id)

    assert fake_server.messages[(staff, copied.message_id)].kind == "copy"
    assert forwarded.forward_origin is not None and forwarded.photo is not None
    assert [m.media_group_id for m in album] == [album[0].media_group_id] * 2
    assert album[0].caption == "один" and album[1].document is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == question["message_id"]
    assert chat.type == "supergroup"
    stored = fake_server.messages[(USER, reply.message_id)]
    assert (
        stored.pinned and stored.deleted and stored.reply_to_message_id == question["message_id"]
    )


async def test_reply_to_missing_message_is_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER, "ответ", reply_parameters=ReplyParameters(message_id=777))


# --------------------------------------------------------------------------- Telegram is hostile


async def test_blocked_user_and_kicked_group_give_forbidden(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    fake_server.block(USER)
    fake_server.block(-4000000001)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "рассылка")
    with pytest.raises(TelegramForbiddenError, match="kicked from the group chat"):
        await bot.send_message(-4000000001, "рассылка")
    assert fake_server.stats["403"] == 2


async def test_user_blocks_queues_my_chat_member(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    fake_server.user_blocks()

    updates = await bot.get_updates(allowed_updates=["my_chat_member"])

    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER, "привет")


async def test_migrated_group_names_the_new_chat(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    fake_server.migrate(-4000000001, -1009999999999)

    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(-4000000001, "объявление")

    assert caught.value.migrate_to_chat_id == -1009999999999
    await bot.send_message(caught.value.migrate_to_chat_id, "объявление")


async def test_fail_next_429_then_recovers(fake_server: FakeTelegramServer, bot: Bot) -> None:
    fake_server.fail_next("sendMessage", status=429, retry_after=3)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "раз")
    await bot.send_message(USER, "два")

    assert caught.value.retry_after == 3
    assert [m.text for m in fake_server.sent_to(USER)] == ["два"]


async def test_rate_limit_per_chat_gives_retry_after(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    fake_server.set_rate_limit(per_chat_per_second=1, retry_after=2)

    await bot.send_message(USER, "первое")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "второе сразу")
    await bot.send_message(USER + 1, "другому чату можно")

    assert caught.value.retry_after == 2
    assert fake_server.stats["429"] == 1


async def test_telegram_limits_private_burst_group_minute_and_early_retries(
    fake_server: FakeTelegramServer, bot: Bot
) -> None:
    fake_server.telegram_limits()
    for i in range(3):  # a private chat takes a burst of three
        await bot.send_message(USER, f"сообщение {i}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "четвёртое сразу")
    assert caught.value.retry_after == 1  # the seconds until the chat frees up
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER, "снова, не дождавшись")
    assert fake_server.flood_stats()["early_retry"] == 1
    fake_server.set_rate_limit(group_per_minute=20, retry_after=None)  # no 1/s, to be quick
    group = -100777
    for i in range(20):
        await bot.send_message(group, f"в группу {i}")
    with pytest.raises(TelegramRetryAfter) as in_group:
        await bot.send_message(group, "двадцать первое")
    assert in_group.value.retry_after == 3  # 20 a minute: a message every three seconds
    assert fake_server.flood_stats() == {
        "429_global": 0, "429_private": 1, "429_group": 1, "early_retry": 1,
    }  # fmt: skip
    assert fake_server.stats["429"] == 3


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * 4097, "message is too long"),
        ("<b></b>", "message text is empty"),
        ("a < b", 'Unsupported start tag ""'),
        ("строка<br>строка", 'Unsupported start tag "br"'),
        ("<b>жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("x</b>", "Unexpected end tag"),
    ],
)
async def test_text_refused_like_telegram(bot: Bot, text: str, reason: str) -> None:
    with pytest.raises(TelegramBadRequest, match=reason):
        await bot.send_message(USER, text)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a &lt; b &amp; c", "a < b & c"),
        ("Том & Джерри", "Том & Джерри"),
        ('<a href="https://example.org/?a=1&amp;b=2">сайт</a>', "сайт"),
        ("<blockquote expandable>цитата</blockquote>", "цитата"),
        ("x" * 4096, "x" * 4096),
        (html.quote("<script>alert(1)</script>"), "<script>alert(1)</script>"),
    ],
)
async def test_valid_html_is_rendered(bot: Bot, text: str, plain: str) -> None:
    sent = await bot.send_message(USER, text)
    assert sent.text == plain


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="я" * 33)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "кнопка", reply_markup=markup)


async def test_long_caption_is_refused(bot: Bot) -> None:
    upload = BufferedInputFile(b"\x89PNG", filename="a.png")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, upload, caption="x" * 1025)


# --------------------------------------------------------------------------- the wire protocol


async def test_unknown_method_and_wrong_token(fake_server: FakeTelegramServer, bot: Bot) -> None:
    status, body = await api(fake_server, "sendTelepathy", json={"chat_id": USER})
    assert (status, body["description"]) == (404, "Not Found: method not found")

    wrong = Bot("999:WRONG", session=AiohttpSession(api=bot.session.api))
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.session.close()


async def test_json_and_urlencoded_bodies_are_accepted(fake_server: FakeTelegramServer) -> None:
    markup = {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]}
    as_json = await api(
        fake_server, "SENDMESSAGE", json={"chat_id": USER, "text": "123", "reply_markup": markup}
    )
    as_form = await api(fake_server, "sendMessage", data={"chat_id": str(USER), "text": "true"})

    assert as_json[1]["result"]["text"] == "123"  # a str field stays a str
    assert as_json[1]["result"]["reply_markup"] == markup
    assert as_form[1]["result"]["text"] == "true"


async def test_get_updates_protocol(fake_server: FakeTelegramServer, bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == []
    menu = await bot.send_message(USER, "Меню", reply_markup=MENU)
    first = fake_server.user_sends("раз")["update_id"]
    fake_server.press_data(fake_server.messages[(USER, menu.message_id)], "forged")

    only_messages = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in only_messages] == [first]  # the callback is never delivered
    assert await bot.get_updates(offset=first + 1, timeout=0) == []

    waiting = asyncio.create_task(bot.get_updates(offset=first + 1, timeout=5))
    await asyncio.sleep(0.05)
    second = fake_server.user_sends("два")["update_id"]
    assert [u.update_id for u in await asyncio.wait_for(waiting, 1)] == [second]


async def test_second_poller_conflicts_the_first(fake_server: FakeTelegramServer) -> None:
    async def poll() -> tuple[int, Any]:
        return await api(fake_server, "getUpdates", json={"timeout": 5})

    first = asyncio.create_task(poll())
    await asyncio.sleep(0.05)
    second = asyncio.create_task(poll())
    status, body = await asyncio.wait_for(first, 1)
    fake_server.user_sends("будите второго")

    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert len((await asyncio.wait_for(second, 1))[1]["result"]) == 1


async def test_commands_and_chat_member(fake_server: FakeTelegramServer, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    fake_server.set_member_status(-4000000001, USER, "administrator")

    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert (await bot.get_chat_member(-4000000001, USER)).status == "administrator"
    assert (await bot.get_chat_member(-4000000001, 5)).status == "member"
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])


# --------------------------------------------------------------------------- RecordingSession


async def test_recording_session_answers_without_network() -> None:
    session = RecordingSession(max_requests=3)
    bot = Bot("123456:TEST", session=session)

    sent = await bot.send_message(42, "привет", reply_markup=MENU)
    edited = await bot.edit_message_text("пока", chat_id=42, message_id=sent.message_id)
    me = await bot.get_me()
    session.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(42, "ещё")
    document = await bot.send_document(42, BufferedInputFile(b"x", "a.txt"), caption="файл")
    album = await bot.send_media_group(42, [InputMediaPhoto(media="file-id")] * 2)
    copied = await bot.copy_message(42, 42, sent.message_id)
    await bot.session.close()

    assert document.document is not None and document.document.file_name == "a.txt"
    assert len(album) == 2 and album[0].photo is not None
    assert copied.message_id > sent.message_id
    assert (sent.text, sent.chat.id) == ("привет", 42)
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == MENU.model_dump()
    assert isinstance(edited, Message) and edited.message_id == sent.message_id
    assert me.id == 123456 and me.is_bot
    assert [name for name, _ in session.requests] == [
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
    ]
    assert session.counts["sendMessage"] == 2 and session.closed
