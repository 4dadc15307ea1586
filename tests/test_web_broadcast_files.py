"""A poster or a PDF from the panel's «Рассылки», over real HTTP end to end.

Staff sign in, attach a PNG to a broadcast, preview it (the picture is shown from the database)
and send it to two Telegram groups and two MAX groups. The real worker with the production
channels (bot.app.jobs.broadcast_channel) uploads the file to Telegram once and reuses the
file_id Telegram returned; MAX gets one upload (an upload URL, the bytes, a token) and the
token in every message. Each chat gets the picture exactly once with its caption. A file
over 10 MB and a caption over 1024 characters are refused beside their fields with the text
kept; a form without its CSRF token stores nothing.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

import asyncio
import re
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import FormData
from sqlalchemy import func, select

from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock, SystemClock
from bot.core.config import Settings
from broadcasts import service
from broadcasts.content import Content
from broadcasts.service import Target
from broadcasts.uploads import FILE_MAX, dimensions, photo_shape_ok
from broadcasts.worker import BroadcastWorker
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from storage.models import Broadcast, Chat, ChatAudience, StoredFile
from storage.repositories.channel_ids import ChannelIdRepo
from tests.conftest import BotHarness, make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeFile
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    Client,
    client,
    client_for,
    clock,
    messenger,
    panel_settings,
    sign_in,
)

TG_GROUPS = (-1001001, -1001003)
MAX_GROUPS = (-68_000_000_000_001, -68_000_000_000_002)
CAPTION = "Афиша фестиваля <b>в субботу</b>"
SHOWN_CAPTION = "Афиша фестиваля в субботу"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


PNG = png()


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as fake:
        for chat_id in MAX_GROUPS:
            fake.add_group(chat_id, "Родители в MAX")
        yield fake


async def seed(sm: SessionMaker) -> None:
    """Two Telegram and two MAX groups of parents (MAX ones under internal ids)."""
    async with sm() as session:
        ids = [await ChannelIdRepo(session).internal("max", "chat", g) for g in MAX_GROUPS]
        for chat_id in [*TG_GROUPS, *ids]:
            chat = Chat(id=chat_id, kind="supergroup", title=f"Родители {chat_id}")
            chat.audiences = [ChatAudience(chat_id=chat_id, audience="parents")]
            session.add(chat)
        await session.commit()


def compose(csrf: str | None, text: str, file: tuple[bytes, str] | None, **extra: str) -> FormData:
    """The compose form as a browser sends it: multipart, the file's name in UTF-8 as is, an
    empty file part when none is chosen."""
    form = FormData(quote_fields=False)
    if csrf is not None:
        form.add_field("csrf", csrf)
    for name, value in {"text": text, "audience": "parents", "when": "now", **extra}.items():
        form.add_field(name, value)
    data, name = file or (b"", "")
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<ul class="field-errors" id="err-{name}">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def textarea(html: str) -> str:
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert found is not None
    return found.group(1)


async def count(sm: SessionMaker, model: type[Broadcast] | type[StoredFile]) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_poster_reaches_every_chat_once_uploaded_once_per_messenger(
    harness: BotHarness, db_path: Path, max_api: FakeMaxServer
) -> None:
    sm, tg = harness.sessionmaker, harness.server
    await seed(sm)
    with_max = make_settings(db_path, max_bot_token=max_api.token, max_api_url=max_api.url)
    channel, max_client = broadcast_channel(with_max, sm, harness.bot)
    worker = BroadcastWorker(
        sm, channel, SystemClock(), instance_id="files", poll_seconds=0.2, tz=with_max.tz
    )
    now = FrozenClock(datetime.now(UTC))
    client = await client_for(harness.settings, sm, TelegramMessenger(harness.bot), now)
    worker.start()
    try:
        csrf = await sign_in(client, harness.settings, now)
        shown = await client.post(
            "/web/broadcasts/preview", data=compose(csrf, CAPTION, (PNG, "afisha.png"))
        )
        page = await shown.text()
        assert shown.status == 200 and "Получателей: <strong>4</strong>" in page
        ref = re.search(r'name="file_ref" value="(\d+)"', page)
        assert (
            ref is not None
            and f'<img class="attachment" src="/web/broadcasts/files/{ref[1]}"' in page
        )
        picture = await client.get(f"/web/broadcasts/files/{ref[1]}")
        assert await picture.read() == PNG and picture.content_type == "image/png"
        assert picture.headers["X-Content-Type-Options"] == "nosniff"

        created = await client.post(
            "/web/broadcasts", data=compose(csrf, CAPTION, None, file_ref=ref[1])
        )
        assert created.status == 200 and "Рассылка создана" in await created.text()
        for _ in range(150):
            progress = await (await client.get(f"{created.url.path}/progress")).json()
            if progress["state"] == "done":
                break
            await asyncio.sleep(0.1)
        assert progress["state"] == "done" and progress["sent"] == 4, progress
        await asyncio.sleep(0.5)  # time for a duplicate, if there were one

        for chat_id in TG_GROUPS:  # each group: one photo, the caption, the PNG's bytes
            (message,) = tg.sent_to(chat_id)
            assert message.kind == "photo" and message.text == SHOWN_CAPTION
            assert message.document is not None and message.document.data == PNG
        sends = [c for c in tg.calls if c.method == "sendphoto" and c.ok]
        first, second = sorted(sends, key=lambda c: c.seq)
        assert str(first.params["photo"]).startswith("attach://")  # the one upload
        assert second.params["photo"] == first.result["photo"][-1]["file_id"]  # reused

        assert len(max_api.calls_to("POST", "/uploads")) == 1
        assert max_api.calls_to("POST", "/uploads")[0].query["type"] == "image"
        uploads = [c for c in max_api.calls if c.path.startswith("/upload/")]
        assert len(uploads) == 1
        tokens = set()
        for chat_id in MAX_GROUPS:
            (message,) = max_api.sent_to(chat_id)
            assert message.plain == SHOWN_CAPTION and message.format == "html"
            (image,) = [a for a in message.attachments if a["type"] == "image"]
            tokens.add(image["payload"]["token"])
        (token,) = tokens
        assert max_api.uploads[token] == ("afisha.png", PNG)

        view = await (await client.get(created.url.path)).text()
        assert f'src="/web/broadcasts/files/{ref[1]}"' in view
    finally:
        await worker.stop(wait=5)
        await client.close()
        if max_client is not None:
            await max_client.close()


async def test_a_file_over_10_mb_and_a_long_caption_are_refused_by_field(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    big = PNG + bytes(FILE_MAX + 1 - len(PNG))
    refused = await client.post(
        "/web/broadcasts/preview", data=compose(csrf, "Программа <b>форума</b>", (big, "a.png"))
    )
    html = await refused.text()
    assert refused.status == 200 and "Файл больше 10 МБ" in field_error(html, "file")
    assert textarea(html) == "Программа &lt;b&gt;форума&lt;/b&gt;"  # kept as typed
    assert "Отправить сейчас" not in html and await count(sessionmaker, StoredFile) == 0

    long = "а" * 1025
    refused = await client.post("/web/broadcasts", data=compose(csrf, long, (PNG, "poster.png")))
    html = await refused.text()
    assert refused.status == 422
    assert "Подпись к файлу длиннее 1024 символов (1025)" in field_error(html, "text")
    assert textarea(html) == long and field_error(html, "file") == ""
    assert 'name="file_ref"' in html  # the good file stays attached for the next try
    assert await count(sessionmaker, Broadcast) == 0

    huge = bytes(13 * 1024 * 1024)  # beyond the form's limit: refused before it is read
    stopped = await client.post(
        "/web/broadcasts/preview", data=compose(csrf, "x", (huge, "huge.pdf"))
    )
    assert stopped.status == 413 and "больше 10 МБ" in await stopped.text()

    banner = await client.post(
        "/web/broadcasts/preview", data=compose(csrf, "x", (png(12000, 10), "banner.png"))
    )
    assert "Telegram не примет такое фото (12000×10)" in field_error(await banner.text(), "file")
    wrong = await client.post(
        "/web/broadcasts/preview", data=compose(csrf, "x", (b"MZ\x90\x00", "setup.exe"))
    )
    assert "Такой файл не отправить" in field_error(await wrong.text(), "file")
    fake = await client.post(
        "/web/broadcasts/preview", data=compose(csrf, "x", (b"%PDF-1.4", "photo.jpg"))
    )
    assert "но им не является" in field_error(await fake.text(), "file")


async def test_a_file_without_the_csrf_token_is_refused_and_not_stored(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    for token in (None, "forged", csrf[:-1]):
        for path in ("/web/broadcasts/preview", "/web/broadcasts"):
            refused = await client.post(path, data=compose(token, "x", (PNG, "a.png")))
            assert refused.status == 403
    assert await count(sessionmaker, StoredFile) == 0
    assert await count(sessionmaker, Broadcast) == 0
    document = await client.post(
        "/web/broadcasts", data=compose(csrf, "Положение", (b"%PDF-1.4 x", "Положение.pdf"))
    )
    assert document.status == 200 and await count(sessionmaker, Broadcast) == 1
    async with sessionmaker() as session:
        stored = (await session.scalars(select(StoredFile))).one()
    assert (stored.kind, stored.name, stored.used) == ("document", "Положение.pdf", True)
    file = await client.get(f"/web/broadcasts/files/{stored.id}")
    assert file.headers["Content-Disposition"].startswith("attachment;")


async def test_a_photo_sent_to_the_bot_reaches_max_groups_fetched_from_telegram_once(
    harness: BotHarness, db_path: Path, max_api: FakeMaxServer
) -> None:
    """A broadcast composed in the bot keeps Telegram's file_id: Telegram chats get it by id,
    MAX groups get the bytes the worker fetched from Telegram once and uploaded once."""
    sm, tg = harness.sessionmaker, harness.server
    await seed(sm)
    tg.files["AgAC-poster"] = FakeFile(  # as if a staff member had sent it to the bot
        "AgAC-poster", "u-poster", "photo", PNG, "image/jpeg", "photos/file_7.jpg"
    )
    async with sm() as session:
        await service.create_broadcast(
            session, author_id=None, content=Content("photo", CAPTION, file_id="AgAC-poster"),
            target=Target(("parents",)), at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await session.commit()
    with_max = make_settings(db_path, max_bot_token=max_api.token, max_api_url=max_api.url)
    channel, max_client = broadcast_channel(with_max, sm, harness.bot)
    worker = BroadcastWorker(
        sm, channel, SystemClock(), instance_id="tg-file", poll_seconds=0.2, tz=with_max.tz
    )
    worker.start()
    try:
        for _ in range(150):
            if all(max_api.sent_to(g) for g in MAX_GROUPS) and all(
                tg.sent_to(g) for g in TG_GROUPS
            ):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        await worker.stop(wait=5)
        if max_client is not None:
            await max_client.close()
    sends = [c for c in tg.calls if c.method == "sendphoto" and c.ok]
    assert sorted(c.params["photo"] for c in sends) == ["AgAC-poster", "AgAC-poster"]
    assert len([c for c in tg.calls if c.method == "getfile"]) == 1
    assert len(max_api.calls_to("POST", "/uploads")) == 1
    for chat_id in MAX_GROUPS:
        (message,) = max_api.sent_to(chat_id)
        (image,) = [a for a in message.attachments if a["type"] == "image"]
        assert max_api.uploads[image["payload"]["token"]][1] == PNG
        assert message.plain == SHOWN_CAPTION


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 (JFIF) segment, then the baseline frame header that carries the size."""
    app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + (11).to_bytes(2, "big") + b"\x08" + height.to_bytes(2, "big")
    sof += width.to_bytes(2, "big") + b"\x01\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof


def test_photo_size_is_read_from_the_header_and_checked_as_telegram_does() -> None:
    assert dimensions(png(3, 5)) == (3, 5)
    assert dimensions(jpeg_header(1280, 720)) == (1280, 720)
    assert dimensions(b"%PDF-1.4") is None and dimensions(b"\xff\xd8\x00") is None
    assert photo_shape_ok(1280, 720) and photo_shape_ok(5000, 5000)
    assert not photo_shape_ok(5001, 5000)  # sides together over 10 000
    assert not photo_shape_ok(2100, 100) and photo_shape_ok(2000, 100)  # ratio over 20
