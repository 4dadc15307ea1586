"""Staff answer a ticket with a picture or a file, with or without a caption, from Telegram
and from MAX, to a parent in either messenger: the parent gets the file. A bare picture
used to be refused («Ответ должен быть текстом»); a voice or a video with a caption went as
its caption alone, the media silently dropped — now staff are told it cannot go."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot import texts
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import ADMIN, PARENT, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import PNG
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer, SentMessage
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_qa_parent_max import ATTACHMENTS, open_ticket, staff_says
from tests.test_e2e_two_desks import (
    MAX_STAFF,
    max_card,
    max_parent_asks,
    tg_parent_asks,
    tg_post,
    tg_user_file,
    two_desks,
)

SCAN = b"%PDF-1.4 the answer"


def parent_got(h: Both) -> list[SentMessage]:
    return h.tg.sent_to(PARENT.id)


async def test_a_bare_photo_from_telegram_staff_reaches_a_telegram_parent(both: Both) -> None:
    h = both
    await tg_parent_asks(h)
    post = await tg_post(h, STAFF_CHAT)
    before = len(parent_got(h))
    staff_says(h, None, post, **SAMPLE_MEDIA["photo"])
    await until(lambda: len(parent_got(h)) >= before + 2, 15, "the answer and the photo")
    answer, photo = parent_got(h)[before : before + 2]
    assert "Ответ специалиста МОЦ" in answer.text
    assert texts.STAFF_ANSWER_ONLY_PICTURE in answer.text
    assert "photo" in photo.content and "К ответу на обращение №1" in (photo.text or "")
    await tg_post(h, STAFF_CHAT, "доставлен")


async def test_a_bare_document_from_telegram_staff_reaches_a_max_parent(both: Both) -> None:
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    tg_user_file(h, "sample-document", "заявление.pdf", SCAN)
    before = len(h.max.sent_to(MOTHER))
    staff_says(h, None, post, **SAMPLE_MEDIA["document"])
    answer, shown = (await h.max.wait_sent(MOTHER, before + 2, within=15))[before:]
    assert texts.STAFF_ANSWER_ONLY_FILE in answer.plain
    [attached] = shown.attachments
    assert attached["type"] == "file"
    assert h.max.uploads[attached["payload"]["token"]] == ("заявление.pdf", SCAN)


async def test_a_voice_with_a_caption_from_telegram_staff_is_refused_not_cut(
    both: Both,
) -> None:
    h = both
    await tg_parent_asks(h)
    post = await tg_post(h, STAFF_CHAT)
    before = len(parent_got(h))
    staff_says(h, None, post, **SAMPLE_MEDIA["voice"], caption="Послушайте")
    await tg_post(h, STAFF_CHAT, texts.STAFF_ANSWER_NEEDS_TEXT[:40])
    await asyncio.sleep(0.5)
    assert len(parent_got(h)) == before  # nothing half-delivered


async def max_staff_sends(h: Both, card: object, attachments: list[dict[str, object]]) -> None:
    before = len(h.max.sent_to(MAX_STAFF))
    await h.press(MAX_STAFF, card, texts.BTN_REPLY)  # type: ignore[arg-type]
    await h.max.wait_sent(MAX_STAFF, before + 1)
    h.max.user_writes(MAX_STAFF, "", attachments=attachments)


def max_image(h: Both, token: str, data: bytes) -> dict[str, object]:
    h.max.uploads[token] = ("photo", data)
    payload = {"photo_id": 700, "token": token, "url": f"{h.max.url}/files/{token}"}
    return {"type": "image", "payload": payload}


async def test_max_staff_answer_with_bare_pictures_in_both_messengers(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent_asks(h)
        card = await max_card(h)
        before = len(parent_got(h))
        images = [max_image(h, "in.one", PNG + b"1"), max_image(h, "in.two", PNG + b"2")]
        await max_staff_sends(h, card, images)
        await until(lambda: len(parent_got(h)) >= before + 3, 15, "the answer and 2 pictures")
        answer, *files = parent_got(h)[before : before + 3]
        assert texts.STAFF_ANSWER_ONLY_PICTURE in answer.text
        assert sorted(f.document.data for f in files if f.document) == [PNG + b"1", PNG + b"2"]

        await max_parent_asks(h)  # the MAX parent's ticket №2: a voice cannot be the answer
        card = await max_card(h, "Обращение №2")
        before = len(h.max.sent_to(MOTHER))
        await max_staff_sends(h, card, [ATTACHMENTS["audio"]])
        await until(
            lambda: any(texts.STAFF_ANSWER_NEEDS_TEXT in m.plain for m in h.max.sent_to(MAX_STAFF))
        )
        h.max.user_writes(MAX_STAFF, "", attachments=[max_image(h, "in.three", PNG + b"3")])
        answer, shown = (await h.max.wait_sent(MOTHER, before + 2, within=15))[before:]
        assert texts.STAFF_ANSWER_ONLY_PICTURE in answer.plain and UNKNOWN not in answer.plain
        assert [a["type"] for a in shown.attachments] == ["image"]


def staff_album(h: Both, group: str, caption: str) -> None:
    """ADMIN sends two photos as one album in the staff chat (after «Ответить»)."""
    for i in range(2):
        file_id = f"{group}-{i}"
        tg_user_file(h, file_id, "photo", PNG + bytes([i]))
        photo = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 800,
                 "height": 600}  # fmt: skip
        extra: dict[str, object] = {"photo": [photo], "media_group_id": group}
        if i == 0:
            extra["caption"] = caption
        h.tg.user_sends(None, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", extra=extra)


async def test_a_telegram_staff_album_reaches_the_parent_whole(both: Both) -> None:
    """Only the album's first photo was the answer; the second, a message of its own, went
    nowhere once the «Ответить» wait had ended."""
    h = both
    await tg_parent_asks(h)
    post = await tg_post(h, STAFF_CHAT)
    h.tg.press(post, texts.BTN_REPLY, user=ADMIN)
    await tg_post(h, STAFF_CHAT, "№1")
    await h.tg.idle(quiet=0.3)
    before = len(parent_got(h))
    staff_album(h, "staff-album", "Вот два экрана")
    await until(lambda: len(parent_got(h)) >= before + 3, 15, "the answer and both photos")
    await h.tg.idle(quiet=0.5)
    answer, *photos = parent_got(h)[before:]
    assert "Вот два экрана" in answer.text
    assert len(photos) == 2 and all("photo" in p.content for p in photos)
    assert len({p.source for p in photos}) == 2  # both album parts, each copied once
