"""A PDF or another document sent to the bot is called a file, not «изображение» — in the
offer to send it on, in the ticket's question and in what staff read; a photo is still a
picture. Telegram and MAX."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.texts import faq_learn as t
from storage.models import Ticket
from tests.conftest import PARENT, STAFF_CHAT
from tests.fakes.max_media import user_sends
from tests.fakes.telegram_api import SAMPLE_MEDIA
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.test_e2e_ticket_carry import tg_parent

PDF = b"%PDF-1.4\n%fake\n"


async def questions(h: Both) -> list[str]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Ticket.question).order_by(Ticket.id))).all())


def no_picture_words(text: str) -> None:
    assert "изображен" not in text.lower(), text


async def test_a_document_is_called_a_file_in_telegram(both: Both) -> None:
    h = both
    await tg_parent(h)
    h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
    offer = await h.tg.next_message(PARENT.id)
    assert offer.text == t.FILE_NO_CAPTION
    no_picture_words(offer.text)
    h.tg.press(offer, t.BTN_SEND_SHOT, user=PARENT)
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text
    post = await h.tg.next_message(STAFF_CHAT)
    assert t.FILE_QUESTION in post.text
    no_picture_words(post.text)
    copy = await h.tg.next_message(STAFF_CHAT)
    assert "document" in copy.content
    no_picture_words(copy.text or "")
    assert await questions(h) == [t.FILE_QUESTION]


async def test_a_captioned_document_and_one_after_ask_are_files(both: Both) -> None:
    h = both
    await tg_parent(h)
    captioned = dict(SAMPLE_MEDIA["document"]) | {"caption": UNKNOWN}
    h.tg.user_sends(None, user=PARENT, extra=captioned)
    offer = await h.tg.next_message(PARENT.id)
    assert offer.text == t.FILE_UNKNOWN

    h.tg.user_sends("/ask", user=PARENT)
    assert (await h.tg.next_message(PARENT.id)).text == texts.ASK_PROMPT
    h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text
    assert await questions(h) == [t.FILE_QUESTION]


async def test_a_photo_is_still_a_picture(both: Both) -> None:
    h = both
    await tg_parent(h)
    h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["photo"]))
    assert (await h.tg.next_message(PARENT.id)).text == t.SHOT_NO_CAPTION


async def test_a_file_is_called_a_file_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    user_sends(h.max, MOTHER, PDF, filename="справка.pdf")
    offer = (await h.max.wait_sent(MOTHER, before + 1))[before]
    assert offer.plain == t.FILE_NO_CAPTION
    h.max.press(MOTHER, offer, t.BTN_SEND_SHOT)
    assert "Номер обращения" in (await h.max.wait_sent(MOTHER, before + 2))[-1].plain
    post = await h.tg.next_message(STAFF_CHAT)
    assert t.FILE_QUESTION in post.text
    no_picture_words(post.text)
    shown = await h.tg.next_message(STAFF_CHAT)
    assert shown.document is not None and shown.document.filename == "справка.pdf"
    no_picture_words(shown.text or "")

    before = len(h.max.sent_to(MOTHER))
    user_sends(h.max, MOTHER, PDF, UNKNOWN, filename="ещё.pdf")  # joins the open ticket
    assert "Добавил" in (await h.max.wait_sent(MOTHER, before + 1))[-1].plain
    assert await questions(h) == [t.FILE_QUESTION]


async def test_a_captioned_file_in_max_is_offered_as_a_file(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    user_sends(h.max, MOTHER, PDF, UNKNOWN, filename="справка.pdf")
    assert (await h.max.wait_sent(MOTHER, before + 1))[before].plain == t.FILE_UNKNOWN
