"""A parent answers the specialist's answer with the messenger's own «Ответить» (a reply):
the message is for the specialist and joins that ticket, reopened — in Telegram and MAX.

Before, the reply went to the FAQ like any typed text: «спасибо, а справку от какого врача?»
under the specialist's «Да, можно, возьмите справку» got the article «Записью к врачу бот МОЦ
не занимается…», and the specialist never saw the question. A plain «спасибо» in reply is
still only thanks: no staff ping, the solved ticket stays closed."""

from __future__ import annotations

from bot import texts
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.max_model import Message
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent, labels
from tests.test_e2e_ticket_thanks import answered, conversation, status

CLARIFY = "спасибо, а справку от какого врача?"


async def test_a_reply_to_the_specialists_answer_joins_the_ticket_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    answer = await answered(h)
    joined = await h.say(PARENT, CLARIFY, reply_to=answer)
    assert "Добавил это к обращению" in joined.text, joined.text
    assert "врач" not in joined.text.lower()  # not the FAQ's article about doctors
    assert texts.BTN_WITHDRAW in joined.inline_texts
    note = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert "дополнение" in note.text and CLARIFY in note.text
    assert await status(h) == "open"
    assert (await conversation(h))[-1] == (False, CLARIFY)


async def test_a_reply_after_solved_reopens_the_ticket_and_thanks_stay_thanks_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    answer = await answered(h)
    thanks = await h.say(PARENT, "Спасибо!", reply_to=answer)
    assert "обращени" not in thanks.text  # thanked, not added
    assert await status(h) == "answered"
    await h.press(PARENT, answer, texts.BTN_SOLVED)
    assert await status(h) == "closed"

    joined = await h.say(PARENT, "а если справки нет, можно без неё?", reply_to=answer)
    assert "Добавил это к обращению" in joined.text, joined.text
    assert await status(h) == "open"


async def test_a_reply_to_an_faq_answer_is_still_a_question_for_the_faq(
    harness: BotHarness,
) -> None:
    """Only the bot's messages about the parent's own ticket are for the specialist."""
    h = harness
    await h.say(PARENT, "/start")
    article = await h.say(PARENT, "как активировать сертификат")
    again = await h.say(PARENT, "как активировать сертификат", reply_to=article)
    assert again.text == article.text
    assert h.server.sent_to(STAFF_CHAT) == []


async def max_answered(h: Both) -> Message:
    """The MAX parent's ticket, answered from the Telegram staff chat; the answer in MAX."""
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT)
    h.tg.user_sends(
        "Да, можно, возьмите справку.", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    answer = (await h.max.wait_sent(MOTHER, 5, within=15))[-1]
    assert "Ответ специалиста МОЦ" in answer.plain
    assert "доставлен" in (await h.tg.next_message(STAFF_CHAT)).text
    return answer


async def max_reply(h: Both, answer: Message, text: str) -> Message:
    before = len(h.max.sent_to(MOTHER))
    h.max.user_replies(MOTHER, answer, text)
    return (await h.max.wait_sent(MOTHER, before + 1))[before]


async def test_a_reply_to_the_specialists_answer_joins_the_ticket_in_max(both: Both) -> None:
    h = both
    answer = await max_answered(h)
    joined = await max_reply(h, answer, CLARIFY)
    assert "Добавил это к обращению" in joined.plain, joined.plain
    assert "врач" not in joined.plain.lower()
    assert texts.BTN_WITHDRAW in labels(joined)
    note = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert "дополнение" in note.text and CLARIFY in note.text
    assert await status(h) == "open"


async def test_a_reply_after_solved_reopens_and_thanks_stay_thanks_in_max(both: Both) -> None:
    h = both
    answer = await max_answered(h)
    thanks = await max_reply(h, answer, "Спасибо!")
    assert "обращени" not in thanks.plain
    assert await status(h) == "answered"
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, answer, texts.BTN_SOLVED)
    await h.max.wait_sent(MOTHER, before + 1)
    assert await status(h) == "closed"

    joined = await max_reply(h, answer, "а если справки нет, можно без неё?")
    assert "Добавил это к обращению" in joined.plain, joined.plain
    assert await status(h) == "open"
