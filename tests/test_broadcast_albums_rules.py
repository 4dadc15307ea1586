"""An album broadcast against Telegram's own rules: a media group counts per file toward the
flood limits (the pacing charges it so), the fake refuses what Telegram refuses in a media
group, the grouping of a mixed album, and the web panel's page of an album broadcast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputMediaDocument, InputMediaPhoto

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from broadcasts import service
from broadcasts.content import AlbumFile, Content
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_album import runs
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.outbound import of
from storage.db import SessionMaker
from storage.models import Chat, ChatAudience
from storage.repositories.stored_files import StoredFileRepo
from tests.conftest import ADMIN, PARENT
from tests.fakes.telegram_api import FakeFile, FakeTelegramServer
from tests.helpers.panel import RecordingMessenger, client_for, sign_in
from tests.helpers.panel import clock as clock  # a fixture
from tests.helpers.panel import panel_settings as panel_settings  # a fixture
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import NOW, PARENT_GROUPS, TEACHER_GROUP, Staff
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture


async def test_telegram_refuses_what_it_refuses_in_a_media_group(
    server: FakeTelegramServer,
) -> None:
    """The fake server answers sendMediaGroup as Telegram does (its 400s), so the channel's
    grouping is checked against them: documents alone, at most 10 files."""
    server.files["doc"] = FakeFile("doc", "u-doc", "a.pdf", b"%PDF", None, "d/1")
    server.files["pic"] = FakeFile("pic", "u-pic", "a.jpg", b"x", None, "p/1")
    bot = Bot(server.token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))
    try:
        with pytest.raises(TelegramBadRequest, match="document can't be mixed"):
            await bot.send_media_group(
                TEACHER_GROUP,
                [InputMediaPhoto(media="pic"), InputMediaDocument(media="doc")],
            )
        with pytest.raises(TelegramBadRequest, match="too many messages to send as an album"):
            await bot.send_media_group(TEACHER_GROUP, [InputMediaPhoto(media="pic")] * 11)
    finally:
        await bot.session.close()


def test_an_album_goes_as_runs_of_one_kind_of_at_most_ten() -> None:
    photo, doc = AlbumFile("photo", "p"), AlbumFile("document", "d")
    assert runs([photo, photo, doc]) == [[0, 1], [2]]
    assert runs([doc, photo, doc, doc]) == [[0], [1], [2, 3]]
    assert runs([photo] * 12) == [list(range(10)), [10, 11]]


async def test_an_album_of_ten_is_paced_as_ten_messages_not_one(harness: Staff) -> None:
    """Telegram counts each file of a media group toward its 30 a second. Before, the pacing
    counted an album of 10 as one message, so albums to several chats went out 10 times too
    fast and Telegram answered 429 (which also halves the bot's pace for everyone)."""
    h = harness
    await h.worker.stop(wait=5)  # the bot's own worker, sharing the Bot's limiter as in run
    outbound = of(h.bot)
    assert outbound is not None
    h.worker = BroadcastWorker(
        h.sessionmaker, TelegramChannel(h.bot), h.clock, instance_id="albums", poll_seconds=0.2,
        limiter=outbound.limiter,
    )  # fmt: skip
    h.worker.start()
    # Telegram's 30 a second; a burst of 20 absorbs the jitter of a busy test machine
    h.server.set_rate_limit(global_per_second=30, global_burst=20, retry_after=None)
    ids = [f"ten-{n}" for n in range(10)]
    for n, file_id in enumerate(ids):
        h.server.files[file_id] = FakeFile(file_id, f"u-{file_id}", "p.jpg", b"x", None, f"t/{n}")
    content = Content("photo", "", ids[0], more=tuple(AlbumFile("photo", f) for f in ids[1:]))
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=content, target=service.Target(("parents",)),
            at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    for chat_id in PARENT_GROUPS:
        await until(lambda c=chat_id: len(h.server.sent_to(c)) >= 10, 20, f"album in {chat_id}")
    await until(lambda: len(h.server.sent_to(PARENT.id)) >= 11, 20, "the subscriber's album")
    assert h.server.flood_stats()["429_global"] == 0
    assert all(len(h.server.sent_to(c)) == 10 for c in PARENT_GROUPS)  # each once


async def test_the_panel_shows_every_file_of_an_album(
    sessionmaker: SessionMaker, panel_settings: Settings, clock: FrozenClock
) -> None:
    """A MAX staffer's album, looked at in the web panel: every photo and the programme, not
    only the first photo."""
    async with sessionmaker() as session:
        group = Chat(id=-1001001, kind="supergroup", title="Родители 1А")
        group.audiences = [ChatAudience(chat_id=-1001001, audience="parents")]
        session.add(group)
        files = StoredFileRepo(session)
        refs = [
            await files.add(
                kind=kind, name=name, mime=mime, data=b"x", uploaded_by=None, now=clock.now()
            )
            for kind, name, mime in (
                ("photo", "a.png", "image/png"),
                ("photo", "b.png", "image/png"),
                ("document", "Программа.pdf", "application/pdf"),
            )
        ]
        content = Content(
            "photo", "Концерт", stored_file=refs[0], file_name="a.png",
            more=(AlbumFile("photo", stored_file=refs[1], file_name="b.png"),
                  AlbumFile("document", stored_file=refs[2], file_name="Программа.pdf")),
        )  # fmt: skip
        made = await service.create_broadcast(
            session, author_id=ADMIN.id, content=content, target=service.Target(("parents",)),
            at=clock.now() + timedelta(days=1), now=clock.now(),
        )  # fmt: skip
        await session.commit()
    client = await client_for(panel_settings, sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(client, panel_settings, clock)
        page = await (await client.get(f"/web/broadcasts/{made.id}")).text()
    finally:
        await client.close()
    for ref in refs[:2]:
        assert f'<img class="attachment" src="/web/broadcasts/files/{ref}"' in page
    assert f'href="/web/broadcasts/files/{refs[2]}">Программа.pdf</a>' in page
