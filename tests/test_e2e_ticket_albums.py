"""A parent's album of screenshots: Telegram sends one message per picture sharing a
`media_group_id` (the caption on one of them), MAX one message with several attachments.
The parent gets one answer for the album, and staff — the Telegram staff chat and a MAX
staffer — get every picture with the question: sent on from the offer, after /ask, or added
to an open ticket."""

from __future__ import annotations

import secrets
from pathlib import Path

from bot import texts
from bot.services.faq import FaqService
from bot.texts import faq_learn as shot
from storage.db import SessionMaker
from tests.conftest import PARENT, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import PNG
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_ticket_carry import tg_parent
from tests.test_e2e_two_desks import max_files, tg_user_file, two_desks

SHOTS = [b"\x89PNG first", b"\x89PNG second", b"\x89PNG third"]


def tg_album(h: Both, group: str, caption: str = "", count: int = 3, on: int = 0) -> list[int]:
    """The Telegram parent sends `count` photos as one album, the caption on photo `on`
    (the first unless told); returns their message ids."""
    ids = []
    for i in range(count):
        file_id = f"{group}-{i}"
        tg_user_file(h, file_id, "photo", SHOTS[i])
        photo = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 800,
                 "height": 600}  # fmt: skip
        extra = {"photo": [photo], "media_group_id": group}
        if caption and i == on:
            extra["caption"] = caption
        ids.append(h.tg.user_sends(None, user=PARENT, extra=extra)["message"]["message_id"])
    return ids


def copies_of(h: Both, ids: list[int]) -> list[SentMessage]:
    return [m for m in h.tg.sent_to(STAFF_CHAT) if m.source in [(PARENT.id, i) for i in ids]]


async def replies_after(h: Both, before: int) -> list[SentMessage]:
    await h.tg.idle(quiet=0.5)
    return h.tg.sent_to(PARENT.id)[before:]


async def test_a_telegram_album_gets_one_offer_and_staff_get_every_picture(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent(h)
        before = len(h.tg.sent_to(PARENT.id))
        ids = tg_album(h, "album-1", UNKNOWN)
        [offer] = await replies_after(h, before)  # one offer, not one per picture
        assert offer.text == shot.SHOT_UNKNOWN
        h.tg.press(offer, shot.BTN_SEND_SHOT, user=PARENT)
        await until(lambda: any("Номер обращения" in (m.text or "")
                                for m in h.tg.sent_to(PARENT.id)), 15, "the ticket")  # fmt: skip
        await until(lambda: len(copies_of(h, ids)) == 3, 15, "three copies in the staff chat")
        assert "вложение от" in (copies_of(h, ids)[0].text or "")
        await until(lambda: len(max_files(h, "image")) == 3, 15, "three images in MAX")
        assert sorted(data for _, _, data in max_files(h, "image")) == sorted(SHOTS)


async def test_a_telegram_album_after_ask_and_into_an_open_ticket(both: Both) -> None:
    h = both
    await tg_parent(h)
    h.tg.user_sends("/ask", user=PARENT)
    await h.tg.idle(quiet=0.3)
    assert h.tg.sent_to(PARENT.id)[-1].text == texts.ASK_PROMPT
    before = len(h.tg.sent_to(PARENT.id))
    ids = tg_album(h, "album-2", "Что значит эта ошибка?", count=2)
    [created] = await replies_after(h, before)
    assert "Номер обращения" in created.text
    await until(lambda: len(copies_of(h, ids)) == 2, 15, "both pictures in the staff chat")

    before = len(h.tg.sent_to(PARENT.id))
    ids = tg_album(h, "album-3")  # no caption: joins the open ticket, said once
    [appended] = await replies_after(h, before)
    assert "№1" in appended.text
    await until(lambda: len(copies_of(h, ids)) == 3, 15, "the album added to the ticket")


async def test_a_max_message_with_several_pictures_reaches_staff_whole(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    sent = max_album(h, UNKNOWN)
    offer = (await h.max.wait_sent(MOTHER, before + 1))[before]
    assert offer.plain == shot.SHOT_UNKNOWN
    h.max.press(MOTHER, offer, shot.BTN_SEND_SHOT)
    assert "Номер обращения" in (await h.max.wait_sent(MOTHER, before + 2))[-1].plain

    def shown() -> list[bytes]:
        return [m.document.data for m in h.tg.sent_to(STAFF_CHAT) if m.document is not None]

    await until(lambda: len(shown()) == 3, 15, "three pictures in the staff chat")
    assert sorted(shown()) == sorted(sent)

    before = len(h.max.sent_to(MOTHER))
    more = max_album(h, "", count=2)  # during the ticket: both join it
    assert "№1" in (await h.max.wait_sent(MOTHER, before + 1))[-1].plain
    await until(lambda: len(shown()) == 5, 15, "the two more pictures in the staff chat")
    assert sorted(shown()[3:]) == sorted(more)


def max_album(h: Both, caption: str, count: int = 3) -> list[bytes]:
    """MOTHER sends one MAX message carrying `count` images; returns their bytes."""
    sent, attachments = [], []
    for i in range(count):
        token = f"in.{secrets.token_hex(8)}"
        data = PNG + SHOTS[i]
        h.max.uploads[token] = ("photo", data)
        payload = {"photo_id": 900 + i, "token": token, "url": f"{h.max.url}/files/{token}"}
        attachments.append({"type": "image", "payload": payload})
        sent.append(data)
    h.max.user_writes(MOTHER, caption, attachments=attachments)
    return sent


async def test_an_older_albums_offer_pressed_late_sends_that_album(both: Both) -> None:
    h = both
    await tg_parent(h)
    before = len(h.tg.sent_to(PARENT.id))
    first = tg_album(h, "album-a", UNKNOWN)
    [offer] = await replies_after(h, before)
    before = len(h.tg.sent_to(PARENT.id))
    second = tg_album(h, "album-b", count=2)
    assert len(await replies_after(h, before)) == 1
    h.tg.press(offer, shot.BTN_SEND_SHOT, user=PARENT)
    await until(lambda: len(copies_of(h, first)) == 3, 15, "the first album in the staff chat")
    await h.tg.idle(quiet=0.5)
    assert not copies_of(h, second)


async def test_an_album_captioned_on_a_later_photo_gets_one_answer(both: Both) -> None:
    """Telegram puts an album's caption on whichever photo the parent typed it under: the
    first photo got «Получил изображение. Напишите вопрос в подписи…» and the captioned one
    a second answer. Now the first answer becomes the caption's answer, and its button
    sends the whole album with the question."""
    h = both
    await tg_parent(h)
    before = len(h.tg.sent_to(PARENT.id))
    ids = tg_album(h, "album-late", UNKNOWN, on=2)
    [offer] = await replies_after(h, before)
    assert offer.text == shot.SHOT_UNKNOWN  # the caption was read: «не нашёл по подписи»
    h.tg.press(offer, shot.BTN_SEND_SHOT, user=PARENT)
    await until(lambda: len(copies_of(h, ids)) == 3, 15, "three copies in the staff chat")
    posts = [m.text or "" for m in h.tg.sent_to(STAFF_CHAT)]
    assert any("собаку-поводыря" in p for p in posts), posts  # the question, not «без подписи»
    h.tg.user_sends("/my_data", user=PARENT)
    await until(lambda: "Что бот хранит" in h.tg.sent_to(PARENT.id)[-1].text, 15, "/my_data")
    assert "Записанных вопросов (для улучшения ответов): 1" in h.tg.sent_to(PARENT.id)[-1].text
