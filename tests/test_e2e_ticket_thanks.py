"""A plain «спасибо» after a specialist's answer is thanked, not added to the ticket (staff
are not pinged with it); a real follow-up question still joins it. Telegram and MAX alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import texts
from bot.services.faq.thanks import plain_thanks
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import SentMessage
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.test_e2e_tickets import ask_specialist

THANKS = ("спасибо", "Спасибо, всё понятно!", "благодарю 🙏")
# after «Задать уточняющий вопрос» too: a thumbs-up, «ок, спасибо» (issue: reached staff)
CLARIFY_THANKS = (*THANKS, "ок, спасибо", "👍", "🙏🏻", "❤️", "Благодарим вас!")


async def answered(h: BotHarness) -> SentMessage:
    """The parent's ticket, answered by a specialist; returns the answer the parent got."""
    await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    answer = await h.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in answer.text
    assert "доставлен" in (await h.server.next_message(STAFF_CHAT)).text
    return answer


async def conversation(h: BotHarness | Both) -> list[tuple[bool, str]]:
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(TicketMessage).order_by(TicketMessage.id))).all()
    return [(m.from_staff, m.text) for m in rows]


async def status(h: BotHarness | Both) -> str:
    async with h.sessionmaker() as session:
        return (await session.scalars(select(Ticket))).one().status


async def test_thanks_after_the_answer_is_answered_and_not_added(harness: BotHarness) -> None:
    await answered(harness)
    for thanks in THANKS:
        reply = await harness.say(PARENT, thanks)
        assert "Пожалуйста" in reply.text and "обращени" not in reply.text  # the FAQ's thanks
    await harness.server.idle()
    assert len(harness.server.sent_to(STAFF_CHAT)) == 2  # the ticket and «доставлен» only
    assert await conversation(harness) == [(False, UNKNOWN), (True, "Да, можно.")]
    assert await status(harness) == "answered"


async def test_thanks_after_asking_to_clarify_is_not_added_but_a_question_is(
    harness: BotHarness,
) -> None:
    """«Задать уточняющий вопрос» reopens the ticket; a thanks then is no question for staff
    (the ticket goes back to answered), a real question still joins it."""
    answer = await answered(harness)
    more = answer.button(texts.BTN_FOLLOW_UP).callback_data or ""  # gone once pressed
    for thanks in CLARIFY_THANKS:
        harness.server.press_data(answer, more, user=PARENT)
        prompt = await harness.server.next_message(PARENT.id)
        assert "уточняющий" in prompt.text and await status(harness) == "open"
        reply = await harness.say(PARENT, thanks)
        assert reply.text == texts.TICKET_THANKS
        assert await status(harness) == "answered"
    assert await conversation(harness) == [(False, UNKNOWN), (True, "Да, можно.")]

    harness.server.press_data(answer, more, user=PARENT)
    await harness.server.next_message(PARENT.id)
    joined = await harness.say(PARENT, "а справку какую нести, спасибо")
    assert "Добавил это к обращению" in joined.text
    addition = await harness.server.next_message(STAFF_CHAT)
    assert "справку какую нести" in addition.text
    assert await status(harness) == "open"


async def test_thanks_in_max_after_asking_to_clarify_is_thanked(both: Both) -> None:
    h = both
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT)
    h.tg.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    assert "доставлен" in (await h.tg.next_message(STAFF_CHAT)).text
    answer = next(m for m in h.max.sent_to(MOTHER) if "Ответ специалиста МОЦ" in m.plain)
    more = answer.button(texts.BTN_FOLLOW_UP)["payload"]  # gone once pressed, as in Telegram
    for thanks in CLARIFY_THANKS:
        before = len(h.max.sent_to(MOTHER))
        h.max.press_payload(MOTHER, answer, more)
        await h.max.wait_sent(MOTHER, before + 1)
        assert await status(h) == "open"
        reply = await h.say(MOTHER, thanks)
        assert reply.plain == texts.TICKET_THANKS
        assert await status(h) == "answered"
    assert await conversation(h) == [(False, UNKNOWN), (True, "Да, можно.")]


# with no ticket at all: the FAQ's samples hold the common wordings only, and these were
# taken for questions — «благодарим» got «не нашёл», «спасибо за ответ» an article
NO_TICKET_THANKS = (
    "спасибо", "спасибо большое!", "благодарю", "благодарим", "Благодарна!",
    "спасибо за ответ", "Спасибо за консультацию", "спасибо за ответы",
)  # fmt: skip


async def test_thanks_without_a_ticket_is_answered_politely(harness: BotHarness) -> None:
    await harness.say(PARENT, "/start")
    for thanks in NO_TICKET_THANKS:
        reply = await harness.say(PARENT, thanks)
        assert reply.text.startswith("Пожалуйста!"), (thanks, reply.text)
        assert not reply.inline_texts, (thanks, reply.inline_texts)  # no articles, no «ask»
    assert harness.server.sent_to(STAFF_CHAT) == []


async def test_thanks_without_a_ticket_is_answered_politely_in_max(both: Both) -> None:
    await as_parent(both)
    for thanks in NO_TICKET_THANKS:
        reply = await both.say(MOTHER, thanks)
        assert reply.plain.startswith("Пожалуйста!"), (thanks, reply.plain)
        assert not reply.buttons(), (thanks, reply.buttons())


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("спасибо", True),
        ("Спасибо большое, всё понятно!", True),
        ("благодарю 🙏", True),
        ("СПС", True),
        ("ок, спасибо", True),
        ("👍", True),
        ("👍🏻👍🏻", True),
        ("🙏", True),
        ("❤️!", True),
        ("Благодарим вас", True),
        ("Спасибо за информацию", True),
        ("😡", False),  # no thanks in it
        ("👍 а справку какую?", False),
        ("", False),
        ("понятно", False),  # no thanks in it
        ("спасибо, а справку какую нести?", False),
        ("спасибо, но у меня не получается войти", False),
        ("спасибо заранее, жду ответа", False),
    ],
)
def test_a_plain_thanks_is_only_thanks_and_courtesy(text: str, plain: bool) -> None:
    assert plain_thanks(text) is plain
