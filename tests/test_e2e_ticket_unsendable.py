"""What a parent sends that cannot reach a specialist — a sticker, a video note, a location,
a contact, a file over 20 МБ — is said so in Russian, in Telegram and MAX: during an open
ticket the parent no longer gets the general «Я понимаю только текст» hint as if the message
had been read, and a too big file no longer silently misses staff. A voice message is passed
on (tests/test_e2e_ticket_voice.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.services.faq import FaqService
from bot.texts import faq_learn as shot
from bot.texts import unread
from storage.db import SessionMaker
from tests.conftest import PARENT, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import user_sends
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer
from tests.helpers.max_both import MOTHER, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_qa_parent_max import ATTACHMENTS, open_ticket
from tests.test_e2e_two_desks import (
    MAX_STAFF,
    max_parent_asks,
    tg_parent_asks,
    tg_post,
    tg_user_file,
    two_desks,
)

NOT_ADDED = "не добавлено к обращению №1"


@pytest.mark.parametrize("kind", ["sticker", "video_note"])
async def test_a_telegram_voice_during_a_ticket_is_said_not_to_join_it(
    both: Both, kind: str
) -> None:
    h = both
    await tg_parent_asks(h)
    await tg_post(h, STAFF_CHAT)
    staff_before = len(h.tg.sent_to(STAFF_CHAT))
    h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA[kind]))
    told = await h.tg.next_message(PARENT.id)
    assert NOT_ADDED in told.text, told.text
    await asyncio.sleep(0.5)
    assert len(h.tg.sent_to(STAFF_CHAT)) == staff_before


async def test_a_telegram_location_without_a_ticket_gets_the_hint(both: Both) -> None:
    h = both
    h.tg.user_sends("/start", user=PARENT)
    await h.tg.next_message(PARENT.id)
    location = {"location": {"latitude": 55.75, "longitude": 37.62}}
    h.tg.user_sends(None, user=PARENT, extra=location)
    told = await h.tg.next_message(PARENT.id)
    assert told.text == unread.NON_TEXT.replace("<i>", "").replace("</i>", "")
    assert "изображения и файлы" in told.text  # what the bot does take


@pytest.mark.parametrize("kind", sorted(set(ATTACHMENTS) - {"audio"}))  # a voice joins it
async def test_a_max_sticker_during_a_ticket_is_said_not_to_join_it(both: Both, kind: str) -> None:
    h = both
    await max_parent_asks(h)
    await asyncio.sleep(0.5)
    staff_before = len(h.tg.sent_to(STAFF_CHAT))
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, "", attachments=[ATTACHMENTS[kind]])
    (told,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert NOT_ADDED in told.plain, told.plain
    await asyncio.sleep(0.5)
    assert len(h.tg.sent_to(STAFF_CHAT)) == staff_before


async def test_a_max_file_over_20_mb_is_said_not_to_reach_staff(both: Both) -> None:
    h = both
    await as_parent(h)
    await open_ticket(h)
    before = len(h.max.sent_to(MOTHER))
    big = b"%PDF-1.4 " + bytes(21 * 1024 * 1024)
    user_sends(h.max, MOTHER, big, filename="скан.pdf")
    appended, told = (await h.max.wait_sent(MOTHER, before + 2, within=30))[before:]
    assert "№1" in appended.plain
    assert told.plain == shot.SHOT_NOT_PASSED.format(what="файл «скан.pdf»")
    # staff are not left without a word of it either
    await until(lambda: [m for m in h.tg.sent_to(STAFF_CHAT) if "скан.pdf" in (m.text or "")],
                15, "a word of the file in the staff chat")  # fmt: skip


async def test_a_telegram_file_over_20_mb_for_max_staff_only_is_said_not_to_reach(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """No Telegram staff at all: the MAX staffer can get the file only through the bot's
    download, which Telegram refuses over 20 MB — the parent is told, not left believing."""
    async with two_desks(
        server, max_server, db_path, sessionmaker, faq_service, staff_chat_id=None, admin_ids=""
    ) as h:
        await tg_parent_asks(h)
        await h.tg.idle(quiet=0.5)
        tg_user_file(h, "sample-document", "скан.pdf", b"%PDF-1.4 " + bytes(21 * 1024 * 1024))
        before = len(h.tg.sent_to(PARENT.id))
        h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
        await until(lambda: len(h.tg.sent_to(PARENT.id)) >= before + 2, 30, "two replies")
        appended, told = h.tg.sent_to(PARENT.id)[before : before + 2]
        assert "№1" in appended.text
        name = SAMPLE_MEDIA["document"]["document"]["file_name"]
        assert told.text == shot.SHOT_NOT_PASSED.format(what=f"файл «{name}»")


async def test_max_staff_hear_of_a_file_that_reached_only_telegram_staff(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """A Telegram parent's 21 MB scan: the Telegram staff chat got its copy, the MAX staffer
    (whose copy needs the bot's download, refused over 20 MB) got nothing at all — not even
    that the parent had sent a file. Now the MAX staffer is told what came and where it is."""
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent_asks(h)
        await h.tg.idle(quiet=0.5)
        tg_user_file(h, "sample-document", "скан.pdf", b"%PDF-1.4 " + bytes(21 * 1024 * 1024))
        sent = h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
        source = (PARENT.id, sent["message"]["message_id"])
        name = SAMPLE_MEDIA["document"]["document"]["file_name"]

        def copied() -> bool:
            return any(m.source == source for m in h.tg.sent_to(STAFF_CHAT))

        await until(copied, 30, "the copy in the Telegram staff chat")

        def told() -> list[str]:
            return [m.plain for m in h.max.sent_to(MAX_STAFF) if name in m.plain]

        await until(told, 15, "a word about the file for the MAX staffer")
        [note] = told()
        assert "№1" in note and "не удалось" in note and "Telegram" in note, note
        replies = [m.text for m in h.tg.sent_to(PARENT.id)]
        assert not [r for r in replies if "Не удалось передать" in r], replies  # staff have it
