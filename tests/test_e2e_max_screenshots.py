"""Issue 11: screenshots in tickets from MAX, as in Telegram — a MAX parent sends a photo or a
file (with or without a caption); the caption is matched like a typed question; unanswered, the
bot offers to send the picture with the question to a specialist; staff see the picture beside
the ticket (the Telegram staff chat: uploaded as a document; MAX admins: as a MAX image) —
over the fake MAX and Telegram servers (real HTTP)."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.texts import faq_learn as shot
from storage.models import Ticket
from tests.conftest import ADMIN, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import PNG, user_sends
from tests.fakes.max_model import Message
from tests.helpers.max_both import KNOWN, MOTHER, UNKNOWN, Both, as_parent, new_runtime
from tests.test_e2e_max_loose_ends import ADMIN_MAX, ticket_to_max_admin
from tests.test_e2e_max_loose_ends import max_only as max_only  # a fixture


async def picture(h: Both, data: bytes = PNG, caption: str = "", **kw: str) -> Message:
    before = len(h.max.sent_to(MOTHER))
    user_sends(h.max, MOTHER, data, caption, **kw)
    return (await h.max.wait_sent(MOTHER, before + 1))[before]


async def test_a_photo_without_words_goes_to_the_telegram_staff_chat(both: Both) -> None:
    h = both
    await as_parent(h)
    offer = await picture(h)
    assert offer.plain == shot.SHOT_NO_CAPTION
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, offer, shot.BTN_SEND_SHOT)
    created = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert "Номер обращения" in created.plain

    card = await h.tg.next_message(STAFF_CHAT)
    assert shot.SHOT_QUESTION in (card.text or "") and f"MAX, id {MOTHER.user_id}" in card.text
    shown = await h.tg.next_message(STAFF_CHAT)
    assert shown.document is not None and shown.document.data == PNG
    assert shown.document.filename == "screenshot.png"
    assert "вложение от Ольга Петрова" in (shown.text or "")

    # a staff reply to the picture answers the ticket, back in MAX
    h.tg.user_sends(
        "Это экран оплаты: нажмите «Продолжить».", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=shown,
    )  # fmt: skip
    answer = (await h.max.wait_sent(MOTHER, before + 2, within=15))[-1]
    assert "Ответ специалиста МОЦ" in answer.plain and "Продолжить" in answer.plain


async def test_the_caption_is_matched_like_a_typed_question(both: Both) -> None:
    h = both
    await as_parent(h)
    answered = await picture(h, caption=KNOWN)
    assert "активир" in answered.plain.lower()  # the knowledge base's answer

    offer = await picture(h, b"%PDF-1.4 the receipt", UNKNOWN, filename="квитанция.pdf")
    assert offer.plain == shot.FILE_UNKNOWN  # a PDF is a file, not «изображение»
    h.max.press(MOTHER, offer, shot.BTN_SEND_SHOT)
    card = await h.tg.next_message(STAFF_CHAT)
    assert UNKNOWN in (card.text or "")
    shown = await h.tg.next_message(STAFF_CHAT)
    assert shown.document is not None and shown.document.filename == "квитанция.pdf"
    assert shown.document.data == b"%PDF-1.4 the receipt"
    assert UNKNOWN in (shown.text or "")
    async with h.sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.question == UNKNOWN


async def test_after_ask_and_during_a_ticket_pictures_reach_staff(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    created = await picture(h, caption="Что значит эта ошибка?")
    assert "Номер обращения" in created.plain
    assert "ошибка" in ((await h.tg.next_message(STAFF_CHAT)).text or "")
    assert (await h.tg.next_message(STAFF_CHAT)).document is not None

    appended = await picture(h, b"GIF89a second shot")  # a second picture joins the ticket
    assert "№1" in appended.plain
    shown = await h.tg.next_message(STAFF_CHAT, timeout=15)
    assert shown.document is not None and shown.document.data == b"GIF89a second shot"


async def test_max_admins_see_the_picture_after_a_restart(
    max_only: tuple[FakeMaxServer, Services],
) -> None:
    """MAX only: the offer survives a restart (the attachment waits in the database), and
    the admin gets the picture as a MAX image beside the ticket."""
    fake, services = max_only
    runtime = new_runtime(services)
    await runtime.start()
    try:
        post = await ticket_to_max_admin(fake)  # a first ticket; the admin closes it
        fake.press(ADMIN_MAX, post, texts.BTN_CLOSE)
        await fake.wait_sent(MOTHER, 5)
        user_sends(fake, MOTHER, PNG, "ничего не понятно на экране оплаты")
        offer = (await fake.wait_sent(MOTHER, 6))[-1]
        assert offer.plain == shot.SHOT_UNKNOWN
        await runtime.stop()
        runtime = new_runtime(services)
        await runtime.start()
        before = len(fake.sent_to(ADMIN_MAX))
        fake.press(MOTHER, offer, shot.BTN_SEND_SHOT)
        card, shown = (await fake.wait_sent(ADMIN_MAX, before + 2, within=15))[before:]
        assert "экране оплаты" in card.plain
        assert [a["type"] for a in shown.attachments] == ["image"]
        token = shown.attachments[0]["payload"]["token"]
        assert fake.uploads[token] == ("screenshot.png", PNG)
        assert "вложение от Ольга Петрова" in shown.plain
    finally:
        await runtime.stop()
