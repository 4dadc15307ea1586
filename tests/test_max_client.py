"""The MAX client against the fake server: the calls' wire format and MAX's errors as types."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.messages import Button
from handlers.max.client import (
    DEFAULT_API_URL,
    MaxAttachmentNotReady,
    MaxBadRequest,
    MaxBlocked,
    MaxClient,
    MaxNetworkError,
    MaxNotFound,
    MaxRetryAfter,
    MaxServerError,
    MaxUnauthorized,
)
from handlers.max.render import inline_keyboard
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser

PARENT = MaxUser(501, "Ольга")
GROUP = -68_000_000_000_007


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as fake:
        yield fake


@pytest.fixture
async def client(max_api: FakeMaxServer) -> AsyncIterator[MaxClient]:
    async with MaxClient(max_api.token, base_url=max_api.url + "/") as max_client:
        yield max_client


def test_default_base_url_is_the_current_official_host() -> None:
    assert DEFAULT_API_URL == "https://platform-api2.max.ru"


async def test_token_goes_in_the_authorization_header(max_api: FakeMaxServer) -> None:
    async with MaxClient("wrong", base_url=max_api.url) as bad:
        with pytest.raises(MaxUnauthorized) as caught:
            await bad.get_me()
    assert caught.value.code == "verify.token" and caught.value.status == 401
    async with MaxClient(max_api.token, base_url=max_api.url) as good:
        assert (await good.get_me())["user_id"] == max_api.bot.user_id


async def test_polling_with_marker_receives_each_update_once(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    max_api.bot_started(PARENT, payload="teacher")
    max_api.user_writes(PARENT, "/start")
    batch = await client.get_updates(poll_seconds=0)
    assert [u["update_type"] for u in batch.updates] == ["bot_started", "message_created"]
    poll = asyncio.create_task(client.get_updates(batch.marker, poll_seconds=20))
    await asyncio.sleep(0.1)
    max_api.user_writes(PARENT, "Где расписание?")
    later = await asyncio.wait_for(poll, 15)
    assert [u["message"]["body"]["text"] for u in later.updates] == ["Где расписание?"]
    assert (await client.get_updates(later.marker, poll_seconds=0)).updates == []
    only = await client.get_updates(later.marker, poll_seconds=0, types=["message_callback"])
    assert only.updates == []


async def test_send_edit_delete_and_answer(max_api: FakeMaxServer, client: MaxClient) -> None:
    max_api.dialog(PARENT)
    keyboard = inline_keyboard([[Button("Ознакомлен", action="ack:3")]])
    assert keyboard is not None
    sent = await client.send_message(user_id=PARENT.user_id, text="<b>Собрание</b>",
                                     attachments=[keyboard], notify=False)  # fmt: skip
    (message,) = max_api.sent_to(PARENT)
    assert (sent.mid, sent.seq, sent.chat_id) == (message.mid, 1, max_api.dialog(PARENT).chat_id)
    assert message.format == "html" and message.plain == "Собрание" and not message.notify
    callback_id = max_api.press(PARENT, message, "Ознакомлен")
    await client.answer_callback(callback_id, notification="Спасибо!")
    assert max_api.answers == [(callback_id, {"notification": "Спасибо!"})]
    await client.edit_message(sent.mid, text="<i>Перенесено</i>")
    assert message.plain == "Перенесено" and message.buttons()  # None keeps the keyboard
    await client.edit_message(sent.mid, text="Без кнопок", attachments=[])
    assert message.buttons() == []
    await client.delete_message(sent.mid)
    assert max_api.sent_to(PARENT) == []
    with pytest.raises(MaxNotFound):
        await client.delete_message(sent.mid)
    with pytest.raises(ValueError, match="exactly one"):
        await client.send_message(text="x")


async def test_errors_become_typed_exceptions(max_api: FakeMaxServer, client: MaxClient) -> None:
    max_api.dialog(PARENT)
    max_api.block(PARENT)
    with pytest.raises(MaxBlocked) as blocked:
        await client.send_message(user_id=PARENT.user_id, text="x")
    assert blocked.value.code == "chat.denied"
    max_api.add_group(GROUP)
    with pytest.raises(MaxBadRequest) as bad:
        await client.send_message(chat_id=GROUP, text="я" * 4001)
    assert bad.value.code == "proto.payload"
    max_api.fail_next(503, "service.unavailable", "try later")
    with pytest.raises(MaxServerError):
        await client.send_message(chat_id=GROUP, text="x")
    max_api.set_limits(per_chat=1, global_rps=None)
    await client.send_message(chat_id=GROUP, text="x")
    with pytest.raises(MaxRetryAfter):
        await client.send_message(chat_id=GROUP, text="x")
    with pytest.raises(MaxNotFound):
        await client.get_chat(-5)


async def test_upload_then_send_a_file(max_api: FakeMaxServer, client: MaxClient) -> None:
    max_api.dialog(PARENT)
    max_api.not_ready_sends = 1
    token = await client.upload(b"BEGIN:VCALENDAR\r\n", "event.ics")
    assert max_api.uploads[token] == ("event.ics", b"BEGIN:VCALENDAR\r\n")
    file = {"type": "file", "payload": {"token": token}}
    with pytest.raises(MaxAttachmentNotReady):
        await client.send_message(user_id=PARENT.user_id, text="Файл", attachments=[file])
    await client.send_message(user_id=PARENT.user_id, text="Файл", attachments=[file])
    image = await client.upload(b"\x89PNG", "a.png", kind="image")
    assert image in max_api.uploads


async def test_subscriptions_round_trip(max_api: FakeMaxServer, client: MaxClient) -> None:
    await client.subscribe("https://bot.example.org/max", secret="abc_DEF-123",
                           update_types=["message_created"])  # fmt: skip
    (sub,) = await client.get_subscriptions()
    assert sub["url"] == "https://bot.example.org/max"
    assert sub["update_types"] == ["message_created"]
    await client.unsubscribe("https://bot.example.org/max")
    assert await client.get_subscriptions() == []


async def test_a_dead_server_is_a_network_error() -> None:
    async with MaxClient("t", base_url="http://127.0.0.1:9", timeout=2) as dead:
        with pytest.raises(MaxNetworkError):
            await dead.get_me()
