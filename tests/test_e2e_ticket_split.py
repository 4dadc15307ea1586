"""A long message the messenger split in two (Telegram cuts at 4096 characters and the client
sends the parts a moment apart): «Спросить специалиста» under the reply to either part sends
staff both parts, not only the one it was under. Telegram and MAX."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot import texts
from storage.models import Ticket
from tests.conftest import ADMIN, PARENT, STAFF_CHAT
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.test_e2e_ticket_carry import tg_parent

STORY = "Сыну девять лет, он занимается в кружке робототехники с прошлого года. "
FIRST = ("НАЧАЛО " + STORY * 80)[:4096]  # the part Telegram cut off
SECOND = "КОНЕЦ. И ещё: можно ли привести на занятие собаку-поводыря"


async def questions(h: Both) -> list[str]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Ticket.question).order_by(Ticket.id))).all())


async def tg_split(h: Both, pressed: int) -> None:
    """Both parts, a moment apart; «Спросить специалиста» under the reply to part `pressed`."""
    h.tg.user_sends(FIRST, user=PARENT)
    h.tg.user_sends(SECOND, user=PARENT)
    replies = [await h.tg.next_message(PARENT.id) for _ in range(2)]
    under = [r for r in replies if texts.BTN_ASK_SHORT in r.inline_texts]
    assert len(under) == 2, [r.text for r in replies]
    h.tg.press(under[pressed], texts.BTN_ASK_SHORT, user=PARENT)
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text


async def test_both_parts_reach_staff_from_the_second_reply(both: Both) -> None:
    h = both
    await tg_parent(h)
    await tg_split(h, 1)
    (question,) = await questions(h)
    assert FIRST in question and SECOND in question  # nothing of either part lost
    assert question.index("НАЧАЛО") < question.index("КОНЕЦ")
    card = await h.tg.next_message(STAFF_CHAT)
    assert "НАЧАЛО" in card.text and "продолжение" in card.text
    rest = await h.tg.next_message(STAFF_CHAT)  # the card holds 3500 characters, not 4156
    assert "продолжение (2 из 2)" in rest.text and SECOND in rest.text
    assert STORY.strip() in rest.text  # the first part's end is there too
    h.tg.user_sends(
        "Можно, со справкой.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup",
        reply_to=rest,
    )  # fmt: skip
    answer = await h.tg.next_message(PARENT.id)  # a reply to the rest answers the ticket
    assert "Ответ специалиста МОЦ" in answer.text and "со справкой" in answer.text


async def test_both_parts_reach_staff_from_the_first_reply(both: Both) -> None:
    h = both
    await tg_parent(h)
    await tg_split(h, 0)
    (question,) = await questions(h)
    assert FIRST in question and SECOND in question


async def test_a_question_asked_earlier_is_not_joined(both: Both) -> None:
    """Only parts a few seconds apart belong together: an earlier question stays out."""
    h = both
    await tg_parent(h)
    h.tg.user_sends("почему у соседа собака лает по ночам", user=PARENT)
    await h.tg.next_message(PARENT.id)
    await asyncio.sleep(3.5)
    h.tg.user_sends(UNKNOWN, user=PARENT)
    reply = await h.tg.next_message(PARENT.id)
    h.tg.press(reply, texts.BTN_ASK_SHORT, user=PARENT)
    await h.tg.next_message(PARENT.id)
    assert await questions(h) == [UNKNOWN]


async def test_both_parts_reach_staff_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, FIRST[:4000])  # MAX's limit is 4000
    h.max.user_writes(MOTHER, SECOND)
    replies = (await h.max.wait_sent(MOTHER, before + 2))[before:]
    h.max.press(MOTHER, replies[-1], texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await h.max.wait_sent(MOTHER, before + 3))[-1].plain
    (question,) = await questions(h)
    assert FIRST[:4000].strip() in question and SECOND in question


async def test_the_rest_follows_the_card_the_relay_posts_later(both: Both) -> None:
    """The staff chat cannot take the card now: the relay posts it later, the rest after it."""
    h = both
    await tg_parent(h)
    h.tg.user_sends(FIRST, user=PARENT)
    h.tg.user_sends(SECOND, user=PARENT)
    replies = [await h.tg.next_message(PARENT.id) for _ in range(2)]
    h.tg.fail_next("sendMessage", status=429, retry_after=4, chat_id=STAFF_CHAT)
    h.tg.press(replies[-1], texts.BTN_ASK_SHORT, user=PARENT)
    reply = await h.tg.next_message(PARENT.id, timeout=10)
    assert "Передал" not in reply.text, reply.text  # queued: the relay posts it
    card = await h.tg.next_message(STAFF_CHAT, timeout=20)
    assert "НАЧАЛО" in card.text and "продолжение" in card.text
    rest = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert "продолжение (2 из 2)" in rest.text and SECOND in rest.text
