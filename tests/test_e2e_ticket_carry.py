"""«Спросить специалиста» under an entry the bot offered for the parent's question («Возможно,
вы имели в виду…», «не нашёл» with the nearest entries), or under the entry it answered the
question with directly, forwards that question, as the button under the offer itself does: the
parent is not asked to type it again. Under a direct answer it is the question that very
answer replied to, however late the answer went out, and a photo or file whose caption it was
reaches staff with it. Telegram and MAX."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot import texts
from bot.services.tickets.escalation import ANSWER_SECONDS
from bot.texts import max as max_texts
from storage.models import Ticket
from tests.conftest import PARENT, STAFF_CHAT
from tests.fakes.max_media import PNG, user_sends
from tests.fakes.max_model import Message
from tests.fakes.telegram_api import SAMPLE_MEDIA, SentMessage
from tests.helpers.max_both import KNOWN, MOTHER, Both, as_parent, labels, max_answer
from tests.helpers.wait import until

VAGUE = "остаток сертификата"  # «Возможно, вы имели в виду…»
NEAREST = "подскажите по поводу кружков для сына, ему скучно дома"  # «не нашёл» + entries
SECOND = "забыла пароль от навигатора"  # answered directly too, by another entry


async def questions(h: Both) -> list[str]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Ticket.question).order_by(Ticket.id))).all())


async def tg_parent(h: Both) -> None:
    h.tg.user_sends("/start", user=PARENT)
    welcome = await h.tg.next_message(PARENT.id)
    h.tg.press(welcome, texts.ROLE_TITLES["parent"], user=PARENT)
    await h.tg.next_message(PARENT.id)


async def tg_offer_then_ask(h: Both, question: str, expected: str) -> SentMessage:
    """The parent asks, presses the first offered entry, then «Спросить специалиста» under
    its answer; returns the bot's reply to that press."""
    h.tg.user_sends(question, user=PARENT)
    offer = await h.tg.next_message(PARENT.id)
    assert offer.text == expected, offer.text
    h.tg.press(offer, offer.inline_texts[0], user=PARENT)
    await h.tg.idle()
    answer = h.tg.messages[(PARENT.id, offer.message_id)]  # the offer became the answer
    assert answer.text != expected and texts.BTN_ASK_INLINE in answer.inline_texts
    h.tg.press(answer, texts.BTN_ASK_INLINE, user=PARENT)
    return await h.tg.next_message(PARENT.id)


async def test_ask_under_an_offered_entry_carries_the_question_in_telegram(both: Both) -> None:
    h = both
    await tg_parent(h)
    reply = await tg_offer_then_ask(h, VAGUE, texts.FAQ_SUGGEST)
    assert reply.text != texts.ASK_PROMPT, "asked to type the question again"
    assert "Передал ваш вопрос" in reply.text, reply.text
    assert VAGUE in (await h.tg.next_message(STAFF_CHAT)).text
    assert await questions(h) == [VAGUE]


async def test_ask_under_a_nearest_entry_carries_the_question(both: Both) -> None:
    h = both
    await tg_parent(h)
    reply = await tg_offer_then_ask(h, NEAREST, texts.FAQ_UNKNOWN_TOPICS)
    assert "Передал ваш вопрос" in reply.text, reply.text
    assert NEAREST in (await h.tg.next_message(STAFF_CHAT)).text
    assert await questions(h) == [NEAREST]


async def test_ask_under_the_offer_itself_still_carries_the_question(both: Both) -> None:
    h = both
    await tg_parent(h)
    h.tg.user_sends(VAGUE, user=PARENT)
    offer = await h.tg.next_message(PARENT.id)
    h.tg.press(offer, texts.BTN_ASK_INLINE, user=PARENT)
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text
    assert await questions(h) == [VAGUE]


async def test_ask_under_an_offered_entry_carries_the_question_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, VAGUE)
    assert offer.plain == texts.FAQ_SUGGEST
    shown = offer.plain
    await max_answer(h, await h.press(MOTHER, offer, labels(offer)[0]))
    await until(lambda: offer.plain != shown, what="the offer turned into the answer")
    assert texts.BTN_ASK_INLINE in labels(offer)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, offer, texts.BTN_ASK_INLINE)
    reply = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert reply.plain != max_texts.ASK_PROMPT and "Номер обращения" in reply.plain, reply.plain
    assert VAGUE in (await h.tg.next_message(STAFF_CHAT)).text
    assert await questions(h) == [VAGUE]


async def test_a_forged_offer_opens_the_entry_but_forwards_nothing(both: Both) -> None:
    """The question id in the button is checked on the press: another's id asks anew."""
    h = both
    await tg_parent(h)
    h.tg.user_sends(VAGUE, user=PARENT)
    offer = await h.tg.next_message(PARENT.id)
    h.tg.press_data(offer, "faq:s:999-certificate.get", user=PARENT)
    await h.tg.idle()
    answer = h.tg.messages[(PARENT.id, offer.message_id)]
    h.tg.press(answer, texts.BTN_ASK_INLINE, user=PARENT)
    assert (await h.tg.next_message(PARENT.id)).text == texts.ASK_PROMPT
    assert await questions(h) == []


async def test_ask_under_a_direct_answer_carries_the_question_in_telegram(both: Both) -> None:
    """The answer is the entry's cached view, its button «ask anew»: the question it answered
    is found by the answer's message."""
    h = both
    await tg_parent(h)
    h.tg.user_sends(KNOWN, user=PARENT)
    answer = await h.tg.next_message(PARENT.id)
    assert texts.BTN_ASK_INLINE in answer.inline_texts, answer.inline_texts
    h.tg.press(answer, texts.BTN_ASK_INLINE, user=PARENT)
    reply = await h.tg.next_message(PARENT.id)
    assert reply.text != texts.ASK_PROMPT, "asked to type the question again"
    assert "Передал ваш вопрос" in reply.text, reply.text
    assert KNOWN in (await h.tg.next_message(STAFF_CHAT)).text
    assert await questions(h) == [KNOWN]


async def test_ask_under_a_direct_answer_carries_the_question_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    answer = await h.say(MOTHER, KNOWN)
    assert texts.BTN_ASK_INLINE in labels(answer), labels(answer)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, answer, texts.BTN_ASK_INLINE)
    reply = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert reply.plain != max_texts.ASK_PROMPT, "asked to type the question again"
    assert "Передал ваш вопрос" in reply.plain, reply.plain
    assert KNOWN in (await h.tg.next_message(STAFF_CHAT)).text
    assert await questions(h) == [KNOWN]


async def test_an_entry_from_all_topics_asks_anew_in_telegram(both: Both) -> None:
    """An earlier direct answer is not what an entry opened from «📚 Все темы» answered."""
    h = both
    await tg_parent(h)
    h.tg.user_sends(KNOWN, user=PARENT)
    await h.tg.next_message(PARENT.id)
    await asyncio.sleep(ANSWER_SECONDS + 1.5)  # Telegram dates messages to the whole second
    h.tg.user_sends("👍", user=PARENT)
    topics = await h.tg.next_message(PARENT.id)
    for label in (texts.BTN_CATEGORIES, None, None):  # the topics, a category, an entry
        h.tg.press(topics, label or topics.inline_texts[0], user=PARENT)
        await h.tg.idle()
        topics = h.tg.messages[(PARENT.id, topics.message_id)]  # edited in place
    assert texts.BTN_ASK_INLINE in topics.inline_texts, topics.inline_texts
    h.tg.press(topics, texts.BTN_ASK_INLINE, user=PARENT)
    assert (await h.tg.next_message(PARENT.id)).text == texts.ASK_PROMPT
    assert await questions(h) == []


async def test_an_entry_from_all_topics_asks_anew_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, KNOWN)
    await asyncio.sleep(ANSWER_SECONDS + 0.5)
    topics: Message = await h.say(MOTHER, "🙏🙏🙏")
    for label in (texts.BTN_CATEGORIES, None, None):  # the topics, a category, an entry
        shown = topics.plain
        await max_answer(h, await h.press(MOTHER, topics, label or labels(topics)[0]))
        await until(lambda was=shown: topics.plain != was, what="the next view")
    assert texts.BTN_ASK_INLINE in labels(topics), labels(topics)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, topics, texts.BTN_ASK_INLINE)
    reply = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert reply.plain == max_texts.ASK_PROMPT, reply.plain
    assert await questions(h) == []


async def test_an_answer_held_past_seconds_carries_its_own_question_in_telegram(
    both: Both,
) -> None:
    """Telegram makes the bot wait 4 s before the first answer goes out (a 429), and the
    parent asks another question as soon as it arrives: «Спросить специалиста» under the
    first answer forwards the first question, not the one asked just before it was pressed."""
    h = both
    await tg_parent(h)
    h.tg.fail_next("sendMessage", status=429, retry_after=4, chat_id=PARENT.id)
    h.tg.user_sends(KNOWN, user=PARENT)
    first = await h.tg.next_message(PARENT.id, timeout=15)
    assert "активир" in first.text.lower(), first.text
    h.tg.user_sends(SECOND, user=PARENT)
    second = await h.tg.next_message(PARENT.id)
    assert "парол" in second.text.lower() and texts.BTN_ASK_INLINE in second.inline_texts
    h.tg.press(first, texts.BTN_ASK_INLINE, user=PARENT)
    reply = await h.tg.next_message(PARENT.id)
    assert "Передал ваш вопрос" in reply.text, reply.text
    post = (await h.tg.next_message(STAFF_CHAT)).text
    assert KNOWN in post and SECOND not in post, post
    assert await questions(h) == [KNOWN]


async def test_an_answer_held_past_seconds_carries_its_own_question_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    h.max.fail_next(429, "too.many.requests", times=2)  # the answer waits 1 s, then 2 s
    first = await h.say(MOTHER, KNOWN)
    assert "активир" in first.plain.lower(), first.plain
    second = await h.say(MOTHER, SECOND)
    assert "парол" in second.plain.lower() and texts.BTN_ASK_INLINE in labels(second)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, first, texts.BTN_ASK_INLINE)
    reply = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert "Передал ваш вопрос" in reply.plain, reply.plain
    post = (await h.tg.next_message(STAFF_CHAT)).text
    assert KNOWN in post and SECOND not in post, post
    assert await questions(h) == [KNOWN]


async def test_a_photo_whose_caption_was_answered_reaches_staff_in_telegram(both: Both) -> None:
    """The caption is answered from the knowledge base; «Спросить специалиста» under that
    answer hands staff the caption and the photo, as «Отправить специалисту» would."""
    h = both
    await tg_parent(h)
    shot = h.tg.user_sends(user=PARENT, extra=dict(SAMPLE_MEDIA["photo"]) | {"caption": KNOWN})
    answer = await h.tg.next_message(PARENT.id)
    assert "активир" in answer.text.lower() and texts.BTN_ASK_INLINE in answer.inline_texts
    h.tg.press(answer, texts.BTN_ASK_INLINE, user=PARENT)
    assert "Передал ваш вопрос" in (await h.tg.next_message(PARENT.id)).text
    assert KNOWN in (await h.tg.next_message(STAFF_CHAT)).text
    image = await h.tg.next_message(STAFF_CHAT)
    assert image.kind == "copy" and "photo" in image.content
    assert image.source == (PARENT.id, shot["message"]["message_id"])  # the parent's photo
    assert "Обращение №1" in (image.text or "") and KNOWN in (image.text or "")
    assert await questions(h) == [KNOWN]


async def test_a_photo_whose_caption_was_answered_reaches_staff_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    user_sends(h.max, MOTHER, PNG, KNOWN)
    answer = (await h.max.wait_sent(MOTHER, before + 1))[before]
    assert "активир" in answer.plain.lower() and texts.BTN_ASK_INLINE in labels(answer)
    await h.press(MOTHER, answer, texts.BTN_ASK_INLINE)
    reply = (await h.max.wait_sent(MOTHER, before + 2))[-1]
    assert "Передал ваш вопрос" in reply.plain, reply.plain
    assert KNOWN in (await h.tg.next_message(STAFF_CHAT)).text
    shown = await h.tg.next_message(STAFF_CHAT)
    assert shown.document is not None and shown.document.data == PNG
    assert "вложение от Ольга Петрова" in (shown.text or "") and KNOWN in (shown.text or "")
    assert await questions(h) == [KNOWN]
