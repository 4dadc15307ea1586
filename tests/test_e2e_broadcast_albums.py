"""An announcement made of several files (an album) reaches every chat whole, in both
messengers: a Telegram staffer's album (several messages sharing a media_group_id) and a MAX
staffer's (one message with several attachments) go to the parents' groups of Telegram AND MAX
through the real worker. Before, only the album's first file went out; the rest was lost.

In Telegram the album is a media group (caption under its first file) and, since a media group
carries no buttons, «Ознакомлен» comes in a short reply right after it; in MAX the album is one
message with every file and the buttons under them."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.texts import broadcasts as bt
from broadcasts import service
from broadcasts.content import AlbumFile, Content
from broadcasts.uploads import KEEP_UNUSED
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from storage.models import Ack, Delivery, DeliveryStatus, StoredFile
from tests.conftest import ADMIN, PARENT
from tests.fakes.max_media import user_sends
from tests.fakes.max_model import JsonDict, Message
from tests.fakes.telegram_api import (
    SAMPLE_MEDIA,
    FakeFile,
    FakeTelegramServer,
    FakeUser,
    SentMessage,
)
from tests.helpers.panel import clock as clock  # a fixture
from tests.helpers.panel import panel_settings as panel_settings  # a fixture
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import NOW, PARENT_GROUPS, TEACHER_GROUP, Staff
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture
from tests.test_e2e_max_broadcast_compose import (
    COLLEAGUE,
    MAX_PARENTS,
    STAFFER,
    TG_PARENTS,
    World,
    to_the_time,
)
from tests.test_e2e_max_broadcast_compose import world as world  # a fixture
from tests.test_web_broadcast_files import png

MEMBER = FakeUser(id=3001, first_name="Ирина", last_name="Смирнова")
POSTERS = {f"album-{n}": b"\xff\xd8\xff" + bytes([n]) * 40 for n in (1, 2, 3)}
CAPTION = "Афиша <концерта> & программа"
_photo_ids = itertools.count(500)


def tg_album(tg: FakeTelegramServer, group: str = "55") -> None:
    """ADMIN sends three photos as one album, the caption on the first, as Telegram does."""
    for n, (file_id, data) in enumerate(POSTERS.items()):
        tg.files[file_id] = FakeFile(file_id, f"u-{file_id}", "photo.jpg", data, None, f"p/{n}")
        photo = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 800, "height": 600}
        caption = {"caption": CAPTION} if n == 0 else {}
        tg.user_sends(
            None, user=ADMIN, extra={"photo": [photo], "media_group_id": group, **caption}
        )


async def tg_step(tg: FakeTelegramServer, message: SentMessage, label: str) -> SentMessage:
    tg.press(message, label, user=ADMIN)
    return await tg.next_message(ADMIN.id, timeout=10)


async def tg_compose_album_with_ack(w: World) -> list[SentMessage]:
    """/broadcast, the album, parents, «Ознакомлен», now: what ADMIN got from the preview on."""
    tg = w.h.tg
    tg.user_sends("/broadcast", user=ADMIN)
    await tg.next_message(ADMIN.id)
    tg_album(tg)
    audiences = await tg.next_message(ADMIN.id)
    assert "Кому отправить" in (audiences.text or "")
    tg.press(audiences, "Родители", user=ADMIN)
    await tg.wait_for("editMessageText", lambda c: c.params["message_id"] == audiences.message_id)
    tags = await tg_step(tg, audiences, bt.BTN_NEXT)
    button = await tg_step(tg, tags, bt.BTN_NO_TAGS)
    ack_q = await tg_step(tg, button, bt.BTN_NO_BUTTON)
    when = await tg_step(tg, ack_q, bt.BTN_ACK_ON)
    repeat = await tg_step(tg, when, bt.BTN_NOW)
    tg.press(repeat, bt.BTN_REPEAT_NONE, user=ADMIN)
    await until(lambda: _summary(tg) is not None, 10, "the preview's summary")
    summary = _summary(tg)
    assert summary is not None
    preview = tg.sent_to(ADMIN.id)[tg.sent_to(ADMIN.id).index(repeat) + 1 :]
    tg.press(summary, bt.BTN_CONFIRM_NOW, user=ADMIN)
    return preview


def _summary(tg: FakeTelegramServer) -> SentMessage | None:
    return next(
        (m for m in tg.sent_to(ADMIN.id) if "Так сообщение увидят" in (m.text or "")), None
    )


async def test_a_telegram_album_reaches_both_messengers_whole_with_its_acknowledge(
    world: World,
) -> None:
    w = world
    preview = await tg_compose_album_with_ack(w)
    photos = [m for m in preview if m.kind == "photo"]
    assert len(photos) == 3 and photos[0].text == CAPTION  # the preview: the album as sent
    assert "Альбом, файлов: 3" in (preview[-1].text or "")

    await until(lambda: len(w.h.tg.sent_to(TG_PARENTS)) >= 4, 15, "the album in Telegram")
    await until(lambda: w.h.max.sent_to(MAX_PARENTS), 15, "the album in MAX")
    *album, buttons = w.h.tg.sent_to(TG_PARENTS)
    assert [m.kind for m in album] == ["photo"] * 3
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    assert album[0].text == CAPTION and not album[1].text and not album[2].text
    assert [m.document.data for m in album if m.document] == list(POSTERS.values())
    assert buttons.text == bt.ALBUM_BUTTONS and "✅ Ознакомлен" in [
        b.text for row in buttons.buttons for b in row
    ]
    assert buttons.reply_to_message_id == album[0].message_id

    (in_max,) = w.h.max.sent_to(MAX_PARENTS)  # one message: every file, the button under them
    images = [a for a in in_max.attachments if a["type"] == "image"]
    assert in_max.plain == CAPTION and len(images) == 3
    assert [w.h.max.uploads[a["payload"]["token"]][1] for a in images] == list(POSTERS.values())
    assert "✅ Ознакомлен" in str(in_max.attachments)

    w.h.tg.press(buttons, "✅ Ознакомлен", user=MEMBER)
    await w.h.tg.wait_for("answerCallbackQuery", lambda c: "Спасибо" in str(c.params))
    async with w.h.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Ack)) == 1


def max_album(w: World, files: list[tuple[bytes, str | None]], caption: str) -> Message:
    """STAFFER sends one MAX message carrying several photos (no name) and files."""
    attachments: list[JsonDict] = []
    for data, filename in files:
        token = f"in.{secrets.token_hex(8)}"
        w.h.max.uploads[token] = (filename or "photo", data)
        url = f"{w.h.max.url}/files/{token}"
        if filename is None:
            payload = {"photo_id": next(_photo_ids), "token": token, "url": url}
            attachments.append({"type": "image", "payload": payload})
        else:
            attachments.append({"type": "file", "payload": {"url": url, "token": token},
                                "filename": filename, "size": len(data)})  # fmt: skip
    return w.h.max.user_writes(STAFFER, caption, attachments=attachments)


async def test_a_max_album_of_photos_and_a_file_reaches_both_messengers_whole(
    world: World,
) -> None:
    """MAX mixes images and files in one message; Telegram groups photos with photos only,
    so there the photos are one album and the programme follows it."""
    w = world
    pdf = b"%PDF-1.4\n%programme\n"
    first, second = png(640, 480), png(480, 640)
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    max_album(w, [(first, None), (second, None), (pdf, "Программа.pdf")], "Концерт в пятницу")
    (audiences,) = (await w.h.max.wait_sent(STAFFER, before + 1))[before:]
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    *sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 4)
    assert len(sample) == 3 and sample[0].plain == "Концерт в пятницу"  # every file shown
    assert "Альбом, файлов: 3" in summary.plain
    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)

    await until(lambda: len(w.h.tg.sent_to(TG_PARENTS)) >= 3, 15, "the album in Telegram")
    await until(lambda: w.h.max.sent_to(MAX_PARENTS), 15, "the album in MAX")
    photo1, photo2, programme = w.h.tg.sent_to(TG_PARENTS)
    assert (photo1.kind, photo2.kind, programme.kind) == ("photo", "photo", "document")
    assert photo1.media_group_id and photo1.media_group_id == photo2.media_group_id
    assert photo1.text == "Концерт в пятницу"
    assert photo1.document and photo1.document.data == first
    assert photo2.document and photo2.document.data == second
    assert programme.document and programme.document.data == pdf
    assert programme.document.filename == "Программа.pdf"
    (in_max,) = w.h.max.sent_to(MAX_PARENTS)
    kinds = [a["type"] for a in in_max.attachments]
    assert kinds == ["image", "image", "file"] and in_max.plain == "Концерт в пятницу"
    (broadcast,) = await w.broadcasts()
    assert len(Content.from_json(broadcast.content).files()) == 3


# --- the ledger's rules hold for an album ---------------------------------------------------


async def test_an_album_waits_out_a_429_skips_a_blocked_group_and_follows_a_migration(
    harness: Staff,
) -> None:
    """Each chat gets the album once: a 429 on the media group is waited out (not the album
    twice), a group that removed the bot is written down as such, a group that became a
    supergroup gets it at its new id; the private subscriber's «Отписаться» comes under it."""
    h = harness
    files = list(POSTERS)
    for n, file_id in enumerate(files):
        h.server.files[file_id] = FakeFile(file_id, f"u-{file_id}", "p.jpg", b"x", None, f"p/{n}")
    flooded, kicked, moved = PARENT_GROUPS
    h.server.fail_next("sendMediaGroup", status=429, retry_after=1, chat_id=flooded)
    h.server.block(kicked)
    h.server.migrate(moved, -1009993)
    content = Content(
        "photo", "Праздник", files[0], more=tuple(AlbumFile("photo", f) for f in files[1:])
    )
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=content, target=service.Target(("parents",)),
            at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()

    for chat_id in (flooded, -1009993):
        await until(lambda c=chat_id: len(h.server.sent_to(c)) >= 3, 15, f"album in {chat_id}")
    await until(lambda: len(h.server.sent_to(PARENT.id)) >= 4, 15, "the subscriber's album")
    await h.server.idle(quiet=0.5)
    for chat_id in (flooded, -1009993):
        sent = h.server.sent_to(chat_id)
        assert [m.kind for m in sent] == ["photo"] * 3  # once; no buttons, no message for them
        assert sent[0].text == "Праздник"
    *_, unsubscribe = h.server.sent_to(PARENT.id)
    assert unsubscribe.text == bt.ALBUM_BUTTONS
    assert [b.text for row in unsubscribe.buttons for b in row] == ["Отписаться"]
    assert not h.server.sent_to(kicked) and not h.server.sent_to(moved)
    async with h.sessionmaker() as session:
        rows = dict((await session.execute(select(Delivery.chat_id, Delivery.status))).all())
    assert rows[kicked] == DeliveryStatus.BLOCKED
    assert rows[flooded] == rows[-1009993] == rows[PARENT.id] == DeliveryStatus.SENT


async def test_a_max_album_left_at_the_preview_keeps_every_file(world: World) -> None:
    """A colleague's upload prunes files nobody sent; the album's later files, held by the
    draft only in its list of the album, must stay as its first does."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    photos = [png(640, 480), png(480, 640)]
    max_album(w, [(data, None) for data in photos], "Фото")
    (audiences,) = (await w.h.max.wait_sent(STAFFER, before + 1))[before:]
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    *_, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 3)
    async with w.h.sessionmaker() as session:  # the draft's files, stored over a day ago
        old = datetime.now(UTC) - KEEP_UNUSED - timedelta(hours=1)
        await session.execute(update(StoredFile).values(created_at=old))
        await session.commit()
    await w.h.say(COLLEAGUE, "/broadcast")
    before = len(w.h.max.sent_to(COLLEAGUE))
    user_sends(w.h.max, COLLEAGUE, b"%PDF-1.4\n%plan\n", filename="План.pdf")  # prunes
    assert (await w.h.max.wait_sent(COLLEAGUE, before + 1))[-1].plain.startswith("Кому")

    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    await until(lambda: len(w.h.tg.sent_to(TG_PARENTS)) >= 2, 15, "the album in Telegram")
    sent = w.h.tg.sent_to(TG_PARENTS)
    assert [m.document.data for m in sent if m.document] == photos  # not the colleague's PDF


async def test_a_video_in_the_album_is_left_out_with_a_word_and_later_captions_join(
    harness: Staff,
) -> None:
    """A broadcast carries photos and documents: the album's video is left out and the
    staffer told so once; a caption on a later photo joins the first one's, not lost."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    photo = SAMPLE_MEDIA["photo"]
    for extra in (
        {**photo, "caption": "Концерт"},
        SAMPLE_MEDIA["video"],
        {"photo": [{**photo["photo"][-1], "file_id": "sample-photo-2"}], "caption": "Программа"},
    ):
        h.server.user_sends(None, user=ADMIN, extra={**extra, "media_group_id": "91"})
    audience = await h.server.next_message(ADMIN.id)
    told = await h.server.next_message(ADMIN.id)
    assert "Кому отправить" in (audience.text or "") and told.text == bt.ALBUM_PART_LEFT_OUT
    await h.server.idle(quiet=0.5)
    assert len(h.server.sent_to(ADMIN.id)) == 3  # the question and one word about the video
    await tg_send_now(h, audience, "Педагоги", sample=2)
    await until(lambda: len(h.server.sent_to(TEACHER_GROUP)) >= 2, 10, "the album")
    first, second = h.server.sent_to(TEACHER_GROUP)
    assert (first.kind, second.kind) == ("photo", "photo")
    assert first.text == "Концерт\n\nПрограмма" and first.media_group_id == second.media_group_id


async def tg_send_now(h: Staff, audience: SentMessage, label: str, *, sample: int) -> None:
    """`label` ticked, no tags, no button, no «Ознакомлен», now; the preview of `sample`
    messages checked to be files, then «Отправить»."""
    h.server.press(audience, label, user=ADMIN)
    await h.server.wait_for(
        "editMessageText", lambda c: c.params["message_id"] == audience.message_id
    )
    tags = await tg_step(h.server, audience, bt.BTN_NEXT)
    button = await tg_step(h.server, tags, bt.BTN_NO_TAGS)
    ack_q = await tg_step(h.server, button, bt.BTN_NO_BUTTON)
    when = await tg_step(h.server, ack_q, bt.BTN_ACK_OFF)
    repeat = await tg_step(h.server, when, bt.BTN_NOW)
    h.server.press(repeat, bt.BTN_REPEAT_NONE, user=ADMIN)
    *files, summary = [await h.server.next_message(ADMIN.id) for _ in range(sample + 1)]
    assert all(m.kind != "text" for m in files) and "Так сообщение увидят" in (summary.text or "")
    h.server.press(summary, bt.BTN_CONFIRM_NOW, user=ADMIN)


async def test_an_album_interrupted_by_a_restart_is_resumed_and_no_chat_gets_it_twice(
    harness: Staff,
) -> None:
    """Telegram failed one group's media group (a 5xx) and the bot restarted before its
    retry: the new worker sends that group the album, and the chats that had it get no
    second copy."""
    h = harness
    files = list(POSTERS)
    for n, file_id in enumerate(files):
        h.server.files[file_id] = FakeFile(file_id, f"u-{file_id}", "p.jpg", b"x", None, f"r/{n}")
    failing, *fine = PARENT_GROUPS
    h.server.fail_next("sendMediaGroup", status=500, chat_id=failing)
    content = Content(
        "photo", "Сбор", files[0], more=tuple(AlbumFile("photo", f) for f in files[1:])
    )
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=content, target=service.Target(("parents",)),
            at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    await h.server.wait_for("sendMediaGroup", lambda c: c.params.get("chat_id") == failing)
    for chat_id in fine:
        await until(lambda c=chat_id: len(h.server.sent_to(c)) >= 3, 15, f"album in {chat_id}")
    await h.worker.stop(wait=5)  # before the 2-second retry
    assert not h.server.sent_to(failing)

    h.worker = BroadcastWorker(
        h.sessionmaker, TelegramChannel(h.bot), h.clock, instance_id="e2e", poll_seconds=0.2,
    )  # fmt: skip
    h.worker.start()
    await until(lambda: len(h.server.sent_to(failing)) >= 3, 15, "the album after the restart")
    await h.server.idle(quiet=0.5)
    for chat_id in PARENT_GROUPS:
        assert [m.kind for m in h.server.sent_to(chat_id)] == ["photo"] * 3  # once each
    assert len(h.server.sent_to(PARENT.id)) == 4  # the album and its «Отписаться»


async def test_a_max_album_whose_file_is_gone_never_sends_a_colleagues_upload(
    world: World,
) -> None:
    """The album's second photo is deleted while the draft waits at the preview, then a
    colleague uploads a PDF. SQLite used to give the PDF the photo's id: the parents got the
    colleague's PDF as the album's second file. Now the id stays dead and the author hears
    the file is gone; nothing goes out."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    max_album(w, [(png(640, 480), None), (png(480, 640), None)], "Фото")
    (audiences,) = (await w.h.max.wait_sent(STAFFER, before + 1))[before:]
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    *_, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 3)
    async with w.h.sessionmaker() as session:  # the newest file goes (a cleanup)
        newest = await session.scalar(select(func.max(StoredFile.id)))
        await session.execute(delete(StoredFile).where(StoredFile.id == newest))
        await session.commit()
    await w.h.say(COLLEAGUE, "/broadcast")
    before = len(w.h.max.sent_to(COLLEAGUE))
    user_sends(w.h.max, COLLEAGUE, b"%PDF-1.4\n%plan\n", filename="План.pdf")
    assert (await w.h.max.wait_sent(COLLEAGUE, before + 1))[-1].plain.startswith("Кому")

    await w.h.press(STAFFER, summary, bt.BTN_CONFIRM_NOW)
    said = lambda: [m.plain for m in w.h.max.sent_to(STAFFER)[-2:]]  # noqa: E731
    await until(lambda: any(bt.FILE_GONE in text for text in said()), 10, "the file gone")
    assert not w.h.tg.sent_to(TG_PARENTS) and not w.h.max.sent_to(MAX_PARENTS)
    assert await w.broadcasts() == []
