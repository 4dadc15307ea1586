"""While a ticket is open, FAQ questions are still answered; screenshots reach staff."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot import texts
from bot.texts import faq_learn as t
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import SAMPLE_MEDIA, JsonDict, SentMessage

DOG = "можно ли привести на занятие собаку-поводыря"
KNOWN = "как активировать сертификат"


def photo(caption: str | None = None) -> JsonDict:
    extra: dict[str, Any] = dict(SAMPLE_MEDIA["photo"])
    if caption is not None:
        extra["caption"] = caption
    return extra


async def open_ticket(h: BotHarness) -> SentMessage:
    reply = await h.say(PARENT, DOG)
    await h.press(PARENT, reply, texts.BTN_ASK_SHORT)
    return await h.server.next_message(STAFF_CHAT)


async def conversation(h: BotHarness) -> list[tuple[bool, str]]:
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(TicketMessage).order_by(TicketMessage.id))).all()
    return [(m.from_staff, m.text) for m in rows]


async def test_a_question_the_faq_answers_is_answered_while_a_ticket_is_open(
    harness: BotHarness,
) -> None:
    await open_ticket(harness)
    answer = await harness.say(PARENT, KNOWN)
    assert "активир" in answer.text.lower() and "обращению" not in answer.text
    follow = await harness.say(PARENT, "ребёнку 9 лет, если это важно")
    assert "Добавил это к обращению" in follow.text
    addition = await harness.server.next_message(STAFF_CHAT)
    assert "ребёнку 9 лет" in addition.text and KNOWN not in addition.text
    assert await conversation(harness) == [(False, DOG), (False, "ребёнку 9 лет, если это важно")]


async def test_a_screenshot_with_an_unanswered_caption_reaches_staff(harness: BotHarness) -> None:
    offer = await harness.say(PARENT, None, extra=photo(DOG))  # type: ignore[arg-type]
    assert offer.text == t.SHOT_UNKNOWN
    created = await harness.press(PARENT, offer, t.BTN_SEND_SHOT)
    assert "Номер обращения" in created.text

    post = await harness.server.next_message(STAFF_CHAT)
    assert DOG in post.text
    image = await harness.server.next_message(STAFF_CHAT)
    assert image.kind == "copy" and "photo" in image.content
    assert image.source == (PARENT.id, offer.message_id - 1)  # the parent's own message
    assert "Обращение №1" in (image.text or "") and DOG in (image.text or "")

    # a staff reply to the picture answers the ticket
    harness.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=image
    )
    answer = await harness.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in answer.text and "Да, можно." in answer.text


async def test_a_screenshot_whose_caption_the_faq_knows_is_answered(harness: BotHarness) -> None:
    answer = await harness.say(PARENT, None, extra=photo(KNOWN))  # type: ignore[arg-type]
    assert "активир" in answer.text.lower()
    assert t.BTN_SEND_SHOT not in answer.inline_texts


async def test_a_file_without_caption_can_be_sent_and_joins_an_open_ticket(
    harness: BotHarness,
) -> None:
    offer = await harness.say(PARENT, None, extra=photo())  # type: ignore[arg-type]
    assert offer.text == t.SHOT_NO_CAPTION
    await harness.press(PARENT, offer, t.BTN_SEND_SHOT)
    post = await harness.server.next_message(STAFF_CHAT)
    assert t.SHOT_QUESTION in post.text
    image = await harness.server.next_message(STAFF_CHAT)
    assert "photo" in image.content

    document = dict(SAMPLE_MEDIA["document"]) | {"caption": "вот справка"}
    appended = await harness.say(PARENT, None, extra=document)  # type: ignore[arg-type]
    assert "Добавил это к обращению" in appended.text
    # the copy goes at once; the text follow-up comes with the relay's next batch
    both = [await harness.server.next_message(STAFF_CHAT) for _ in range(2)]
    assert any("вот справка" in (m.text or "") for m in both)
    assert any(m.kind == "copy" and "document" in m.content for m in both)
    # a picture whose caption the FAQ knows: answered, and staff still get the picture
    answer = await harness.say(PARENT, None, extra=photo(KNOWN))  # type: ignore[arg-type]
    assert "активир" in answer.text.lower()
    assert "Добавил это к обращению" in (await harness.server.next_message(PARENT.id)).text
    # the picture reaches staff at once; its caption joins the ticket (checked below) and is
    # posted with the relay's next batch of follow-ups, at most one a ticket per 20 s
    assert "photo" in (await harness.server.next_message(STAFF_CHAT)).content

    async with harness.sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.question == t.SHOT_QUESTION
    assert await conversation(harness) == [
        (False, t.SHOT_QUESTION),
        (False, "вот справка"),
        (False, KNOWN),
    ]


async def test_a_sticker_still_gets_the_text_hint(harness: BotHarness) -> None:
    sticker = await harness.say(PARENT, None, extra=SAMPLE_MEDIA["sticker"])  # type: ignore[arg-type]
    assert "текст" in sticker.text


async def test_a_screenshot_sent_after_ask_specialist_is_the_question(
    harness: BotHarness,
) -> None:
    prompt = await harness.say(PARENT, texts.BTN_ASK)
    assert "Напишите ваш вопрос" in prompt.text
    created = await harness.say(PARENT, None, extra=photo("ошибка при входе"))  # type: ignore[arg-type]
    assert "Номер обращения" in created.text
    post = await harness.server.next_message(STAFF_CHAT)
    assert "ошибка при входе" in post.text
    image = await harness.server.next_message(STAFF_CHAT)
    assert image.kind == "copy" and "photo" in image.content


async def test_a_screenshot_follow_up_is_acknowledged_while_the_staff_chat_is_throttled(
    harness: BotHarness,
) -> None:
    """People first: the asker hears «Добавил» at once; the copy waits out the staff chat's
    429 and then arrives (before, the acknowledgement waited behind the copy)."""
    await open_ticket(harness)
    harness.server.fail_next("copyMessage", status=429, retry_after=4, chat_id=STAFF_CHAT)
    loop = asyncio.get_running_loop()
    sent_at = loop.time()
    appended = await harness.say(PARENT, None, extra=photo("вот скриншот"))  # type: ignore[arg-type]
    assert "Добавил это к обращению" in appended.text
    assert loop.time() - sent_at < 3.0  # not behind the 4 s pause of the staff chat
    copy = await harness.server.next_message(STAFF_CHAT, timeout=15)
    while copy.kind != "copy":  # the relay's text note may come first
        copy = await harness.server.next_message(STAFF_CHAT, timeout=15)
    assert "photo" in copy.content and "вот скриншот" in (copy.text or "")


async def test_ask_specialist_pressed_twice_makes_one_ticket_and_says_so(
    harness: BotHarness,
) -> None:
    """The second press used to say «добавил вопрос туда» though nothing was added."""
    reply = await harness.say(PARENT, DOG)
    first = await harness.press(PARENT, reply, texts.BTN_ASK_SHORT)
    assert "№" in first.text
    await harness.server.next_message(STAFF_CHAT)
    second = await harness.press(PARENT, reply, texts.BTN_ASK_SHORT)
    assert "уже у специалиста" in second.text and "добавил" not in second.text.lower()
    await asyncio.sleep(0.5)
    assert harness.server.drain(STAFF_CHAT) == []
    assert await conversation(harness) == [(False, DOG)]
    async with harness.sessionmaker() as session:
        assert len((await session.scalars(select(Ticket))).all()) == 1
