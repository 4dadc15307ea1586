"""The fake MAX Bot API answers like the documented one: raw HTTP here, no client of ours."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, FormData, web

from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser

PARENT = MaxUser(501, "Ольга", "Петрова")
ADMIN = MaxUser(777, "Ирина")
GROUP = -68_123_456_789_012


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


async def call(
    http: ClientSession, srv: FakeMaxServer, method: str, path: str, *,
    token: str | None = "default", **kwargs: Any,
) -> tuple[int, Any]:  # fmt: skip
    headers = {"Authorization": srv.token if token == "default" else token} if token else {}
    async with http.request(method, srv.url + path, headers=headers, **kwargs) as resp:
        return resp.status, await resp.json()


def kb(*rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "inline_keyboard", "payload": {"buttons": list(rows)}}]


def cb(text: str, payload: str = "p") -> dict[str, Any]:
    return {"type": "callback", "text": text, "payload": payload}


async def test_token_only_in_the_authorization_header(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    assert await call(http, max_api, "GET", "/me", token=None) == (
        401, {"code": "verify.token", "message": "Invalid access_token"}
    )  # fmt: skip
    status, _ = await call(http, max_api, "GET", f"/me?access_token={max_api.token}", token=None)
    assert status == 401
    assert (await call(http, max_api, "GET", "/me", token="wrong"))[0] == 401
    status, me = await call(http, max_api, "GET", "/me")
    assert status == 200
    assert me["is_bot"] is True and me["user_id"] == max_api.bot.user_id


async def test_long_polling_marker_confirms_what_came_before(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    max_api.bot_started(PARENT, payload="role_parent")
    max_api.user_writes(PARENT, "Здравствуйте")
    status, first = await call(http, max_api, "GET", "/updates?timeout=0")
    assert status == 200
    assert [u["update_type"] for u in first["updates"]] == ["bot_started", "message_created"]
    assert first["updates"][0]["payload"] == "role_parent"
    written = first["updates"][1]["message"]
    assert written["sender"]["user_id"] == PARENT.user_id
    dialog_id, bot_id = max_api.dialog(PARENT).chat_id, max_api.bot.user_id
    expected = {"chat_id": dialog_id, "chat_type": "dialog", "user_id": bot_id}
    assert written["recipient"] == expected
    marker = first["marker"]
    # not confirmed yet: asked again without a marker, the same updates come back
    again = (await call(http, max_api, "GET", "/updates?timeout=0"))[1]
    assert len(again["updates"]) == 2
    empty = (await call(http, max_api, "GET", f"/updates?timeout=0&marker={marker}"))[1]
    assert empty == {"updates": [], "marker": marker}
    max_api.user_writes(PARENT, "Ещё вопрос")
    later = (await call(http, max_api, "GET", f"/updates?timeout=0&marker={marker}"))[1]
    assert [u["message"]["body"]["text"] for u in later["updates"]] == ["Ещё вопрос"]
    assert later["marker"] == marker + 1


async def test_long_poll_waits_for_an_update_and_filters_types(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    poll = asyncio.create_task(
        call(http, max_api, "GET", "/updates?timeout=20&types=message_callback")
    )
    await asyncio.sleep(0.2)
    max_api.user_writes(PARENT, "не callback")  # passed over by the filter
    message = await _bot_message(max_api, http, kb([cb("Да", "yes")]))
    started = time.monotonic()
    callback_id = max_api.press(PARENT, message, "Да")
    status, body = await asyncio.wait_for(poll, 15)
    assert status == 200 and time.monotonic() - started < 10
    (update,) = body["updates"]
    assert update["update_type"] == "message_callback"
    assert update["callback"]["callback_id"] == callback_id
    assert update["callback"]["payload"] == "yes"
    assert update["callback"]["user"]["user_id"] == PARENT.user_id
    assert update["message"]["body"]["mid"] == message.mid
    bad = await call(http, max_api, "GET", "/updates?timeout=0&types=nonsense")
    assert bad[0] == 400 and bad[1]["code"] == "proto.payload"


async def _bot_message(
    srv: FakeMaxServer, http: ClientSession, attachments: list[dict[str, Any]] | None = None
) -> Any:
    srv.dialog(PARENT)
    body = {"text": "Вопрос?", "attachments": attachments or []}
    status, answer = await call(
        http, srv, "POST", f"/messages?user_id={PARENT.user_id}", json=body
    )
    assert status == 200, answer
    return srv.messages[answer["message"]["body"]["mid"]]


async def test_send_message_shape_and_refusals(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    dialog = max_api.dialog(PARENT)
    ok = {"text": "<b>Привет</b>", "format": "html", "notify": False}
    status, answer = await call(http, max_api, "POST", f"/messages?chat_id={dialog.chat_id}",
                                json=ok)  # fmt: skip
    assert status == 200
    body, recipient = answer["message"]["body"], answer["message"]["recipient"]
    assert body["mid"].startswith("mid.") and body["seq"] == 1 and body["text"] == "<b>Привет</b>"
    assert recipient == {"chat_id": dialog.chat_id, "chat_type": "dialog",
                         "user_id": PARENT.user_id}  # fmt: skip
    assert dialog.chat_id < 0 and dialog.chat_id != PARENT.user_id
    assert max_api.sent_to(PARENT)[0].plain == "Привет"

    path = f"/messages?chat_id={dialog.chat_id}"
    refusals = [
        {"text": "я" * 4001},
        {"text": "x", "format": "bbcode"},
        {"text": "<blockquote>цитата</blockquote>", "format": "html"},
        {"text": "<b>не закрыт", "format": "html"},
        {"text": "x", "attachments": kb([cb(str(n)) for n in range(8)])},
        {"text": "x", "attachments": kb([{"type": "link", "text": str(n),
                                          "url": "https://x.ru"} for n in range(4)])},
        {"text": "x", "attachments": kb(*[[cb(str(n))] for n in range(31)])},
        {"text": "x", "attachments": kb([cb("я" * 129)])},
        {"text": "x", "attachments": kb([cb("x", "p" * 1025)])},
        {"text": "x", "attachments": [{"type": "file", "payload": {"token": "nope"}}]},
        {},
    ]  # fmt: skip
    for body in refusals:
        status, error = await call(http, max_api, "POST", path, json=body)
        assert (status, error["code"]) == (400, "proto.payload"), body
    assert (await call(http, max_api, "POST", "/messages", json=ok))[0] == 400
    assert (await call(http, max_api, "POST", "/messages?user_id=424242", json=ok))[0] == 404
    seven = {"text": "x", "attachments": kb([cb(str(n)) for n in range(7)])}
    assert (await call(http, max_api, "POST", path, json=seven))[0] == 200


async def test_stopped_dialog_and_removed_group_answer_403_chat_denied(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    max_api.dialog(PARENT)
    max_api.block(PARENT)
    status, error = await call(http, max_api, "POST", f"/messages?user_id={PARENT.user_id}",
                               json={"text": "x"})  # fmt: skip
    assert (status, error["code"]) == (403, "chat.denied")
    max_api.bot_added(GROUP, ADMIN, "Родители 2Б")
    path = f"/messages?chat_id={GROUP}"
    assert (await call(http, max_api, "POST", path, json={"text": "x"}))[0] == 200
    max_api.bot_removed(GROUP, ADMIN)
    status, error = await call(http, max_api, "POST", path, json={"text": "x"})
    assert (status, error["code"]) == (403, "chat.denied")
    updates = (await call(http, max_api, "GET", "/updates?timeout=0"))[1]["updates"]
    assert [(u["update_type"], u["chat_id"], u["user"]["user_id"], u["is_channel"])
            for u in updates] == [("bot_added", GROUP, ADMIN.user_id, False),
                                  ("bot_removed", GROUP, ADMIN.user_id, False)]  # fmt: skip


async def test_edit_delete_and_answer_a_callback(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    message = await _bot_message(max_api, http, kb([cb("Ознакомлен", "ack:1")]))
    put = {"text": "Изменено", "attachments": None}
    assert await call(http, max_api, "PUT", f"/messages?message_id={message.mid}", json=put) == (
        200, {"success": True}
    )  # fmt: skip
    assert message.text == "Изменено" and message.edits == 1 and message.buttons()
    callback_id = max_api.press(PARENT, message, "Ознакомлен")
    answer = {"message": {"text": "Спасибо", "attachments": []}, "notification": "Отмечено"}
    status, _ = await call(http, max_api, "POST", f"/answers?callback_id={callback_id}",
                           json=answer)  # fmt: skip
    assert status == 200
    assert message.text == "Спасибо" and message.buttons() == []
    assert max_api.answers == [(callback_id, answer)]
    assert (await call(http, max_api, "POST", "/answers?callback_id=cb.x", json=answer))[0] == 400
    assert (await call(http, max_api, "POST", f"/answers?callback_id={callback_id}",
                       json={}))[0] == 400  # fmt: skip
    assert (await call(http, max_api, "DELETE", f"/messages?message_id={message.mid}"))[0] == 200
    assert max_api.sent_to(PARENT) == []
    assert (await call(http, max_api, "DELETE", f"/messages?message_id={message.mid}"))[0] == 404


async def test_upload_flow_and_attachment_not_ready(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    max_api.dialog(PARENT)
    max_api.not_ready_sends = 1
    status, endpoint = await call(http, max_api, "POST", "/uploads?type=file")
    assert status == 200 and set(endpoint) == {"url"}
    form = FormData()
    form.add_field("data", b"BEGIN:VCALENDAR", filename="event.ics")
    async with http.post(endpoint["url"], data=form) as resp:  # the upload host: no token
        assert resp.status == 200
        token = (await resp.json())["token"]
    assert max_api.uploads[token] == ("event.ics", b"BEGIN:VCALENDAR")
    body = {"text": "Файл", "attachments": [{"type": "file", "payload": {"token": token}}]}
    path = f"/messages?user_id={PARENT.user_id}"
    status, error = await call(http, max_api, "POST", path, json=body)
    assert (status, error["code"]) == (400, "attachment.not.ready")
    assert (await call(http, max_api, "POST", path, json=body))[0] == 200
    async with http.post(endpoint["url"], data=FormData({"data": "x"})) as resp:
        assert resp.status == 404  # one file per upload URL
    assert (await call(http, max_api, "POST", "/uploads?type=photo"))[0] == 400


async def test_subscriptions_and_webhook_delivery_with_secret(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Max-Bot-Api-Secret"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/max", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/max"
    try:
        assert (await call(http, max_api, "POST", "/subscriptions", json={"url": url}))[0] == 400
        max_api.allow_http_webhooks = True
        bad = {"url": url, "secret": "no spaces!"}
        assert (await call(http, max_api, "POST", "/subscriptions", json=bad))[0] == 400
        sub = {"url": url, "secret": "s3cret-Value", "update_types": ["bot_started"]}
        assert (await call(http, max_api, "POST", "/subscriptions", json=sub))[0] == 200
        listed = (await call(http, max_api, "GET", "/subscriptions"))[1]["subscriptions"]
        assert [s["url"] for s in listed] == [url]
        max_api.user_writes(PARENT, "не в подписке")
        max_api.bot_started(PARENT, payload="ev_5")
        for _ in range(100):
            if max_api.webhook_deliveries:
                break
            await asyncio.sleep(0.05)
        assert received == [("s3cret-Value", received[0][1])]
        assert received[0][1]["update_type"] == "bot_started"
        assert received[0][1]["payload"] == "ev_5"
        polled = (await call(http, max_api, "GET", "/updates?timeout=0"))[1]
        assert polled["updates"] == []  # with a webhook, long polling stays empty
        assert (await call(http, max_api, "DELETE", f"/subscriptions?url={url}"))[0] == 200
        assert (await call(http, max_api, "GET", "/subscriptions"))[1] == {"subscriptions": []}
    finally:
        await runner.cleanup()


async def test_per_chat_and_global_limits_answer_429(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    max_api.add_group(GROUP)
    max_api.add_group(GROUP - 1)
    max_api.set_limits(per_chat=2, global_rps=None)

    async def burst(chat_id: int, n: int) -> list[tuple[int, Any]]:
        path = f"/messages?chat_id={chat_id}"
        sends = [call(http, max_api, "POST", path, json={"text": "x"}) for _ in range(n)]
        return list(await asyncio.gather(*sends))

    statuses = sorted(status for status, _ in await burst(GROUP, 4))
    assert statuses == [200, 200, 429, 429]  # concurrent: all four within one second
    assert [status for status, _ in await burst(GROUP - 1, 1)] == [200]  # another chat
    max_api.set_limits(per_chat=None, global_rps=5)
    answers = await asyncio.gather(*[call(http, max_api, "GET", "/me") for _ in range(12)])
    refused = [body for status, body in answers if status == 429]
    assert len(refused) >= 5 and refused[0]["code"] == "too.many.requests"


async def test_edits_and_press_answers_have_their_own_per_chat_limit(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    """PUT /messages and POST /answers: «не более двух … в секунду» into one chat, each
    counted apart from the sends."""
    max_api.add_group(GROUP)
    status, sent = await call(http, max_api, "POST", f"/messages?chat_id={GROUP}",
                              json={"text": "x"})  # fmt: skip
    assert status == 200
    message = max_api.messages[sent["message"]["body"]["mid"]]
    max_api.set_limits(per_chat=2, global_rps=None)
    edit = f"/messages?message_id={message.mid}"
    edits = [call(http, max_api, "PUT", edit, json={"text": "y"}) for _ in range(3)]
    assert sorted(s for s, _ in await asyncio.gather(*edits)) == [200, 200, 429]
    presses = [max_api.press_payload(PARENT, message, "p") for _ in range(3)]
    answers = [
        call(http, max_api, "POST", f"/answers?callback_id={cid}", json={"notification": "ok"})
        for cid in presses
    ]
    assert sorted(s for s, _ in await asyncio.gather(*answers)) == [200, 200, 429]
    send = await call(http, max_api, "POST", f"/messages?chat_id={GROUP}", json={"text": "z"})
    assert send[0] == 200  # the sends' own count was untouched


async def test_chat_info_faults_and_membership_updates(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    max_api.bot_added(GROUP, ADMIN, "Директора")
    status, chat = await call(http, max_api, "GET", f"/chats/{GROUP}")
    assert status == 200 and chat["chat_id"] == GROUP and chat["type"] == "chat"
    assert chat["title"] == "Директора" and chat["status"] == "active"
    assert (await call(http, max_api, "GET", "/chats/-1"))[0] == 404
    max_api.fail_next(502, "internal.error", "Bad gateway", path="/chats/-1")
    assert await call(http, max_api, "GET", "/chats/-1") == (
        502, {"code": "internal.error", "message": "Bad gateway"}
    )  # fmt: skip
    max_api.user_added(GROUP, PARENT, inviter=ADMIN)
    max_api.user_removed(GROUP, PARENT)
    updates = (await call(http, max_api, "GET", "/updates?timeout=0"))[1]["updates"]
    assert [(u["update_type"], u.get("inviter_id"), u.get("admin_id")) for u in updates[1:]] == [
        ("user_added", ADMIN.user_id, None), ("user_removed", None, None)
    ]  # fmt: skip
    assert max_api.calls_to("GET", f"/chats/{GROUP}")[0].status == 200


async def test_patch_me_commands_limits_and_get_me_shows_them(
    max_api: FakeMaxServer, http: ClientSession
) -> None:
    """dev.max.ru PATCH /me/commands: at most 32, name 1–64, description 1–128."""
    too_many = [{"name": f"c{i}"} for i in range(33)]
    for commands in (too_many, [{"name": ""}], [{"name": "a", "description": "д" * 129}]):
        status, body = await call(
            http, max_api, "PATCH", "/me/commands", json={"commands": commands}
        )
        assert (status, body["code"]) == (400, "proto.payload"), commands
    listed = [{"name": "start", "description": "Начать"}, {"name": "help"}]
    status, body = await call(http, max_api, "PATCH", "/me/commands", json={"commands": listed})
    assert (status, body) == (200, {"commands": listed})
    assert (await call(http, max_api, "GET", "/me"))[1]["commands"] == listed
