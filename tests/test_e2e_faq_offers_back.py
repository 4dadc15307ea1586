"""A parent taps one of «Возможно, вы имели в виду…», and it was not the one: «« Назад» under
that answer brings the same offers back, in Telegram and MAX. Before, it opened the entry's
category (26 topics of «Сертификат») and the other two offers were gone from the chat, so she
had to type the question again."""

from __future__ import annotations

import asyncio

from bot import texts
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.max_both import MOTHER, Both, as_parent, labels

VAGUE = "сертификат"  # the shipped base offers three entries for it


def offer_titles(titles: list[str]) -> list[str]:
    return [t for t in titles if t not in (texts.BTN_ASK_INLINE, texts.BTN_ASK_SHORT)]


async def pressed(h: BotHarness, message_id: int, label: str) -> str:
    """Press `label` under the bot's message and wait until that message changed."""
    current = h.server.messages[(PARENT.id, message_id)]
    before = len(current.history), current.text
    h.server.press(current, label, user=PARENT)
    for _ in range(100):
        now = h.server.messages[(PARENT.id, message_id)]
        if (len(now.history), now.text) != before:
            return now.text or ""
        await asyncio.sleep(0.05)
    raise AssertionError(f"{label!r} changed nothing")


async def test_back_under_an_offered_answer_brings_the_offers_back_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    offers = await h.say(PARENT, VAGUE)
    assert offers.text == texts.FAQ_SUGGEST
    first, second = offer_titles(offers.inline_texts)[:2]

    answer = await pressed(h, offers.message_id, first)
    assert answer != texts.FAQ_SUGGEST
    again = await pressed(h, offers.message_id, texts.BTN_BACK)
    assert again == texts.FAQ_SUGGEST, again
    shown = h.server.messages[(PARENT.id, offers.message_id)]
    assert offer_titles(shown.inline_texts) == offer_titles(offers.inline_texts)

    other = await pressed(h, offers.message_id, second)
    assert other not in (answer, texts.FAQ_SUGGEST)
    h.server.press(shown, texts.BTN_ASK_INLINE, user=PARENT)  # still this very question
    post = await h.server.next_message(STAFF_CHAT)
    assert VAGUE in post.text


async def test_back_under_someone_elses_offers_shows_the_topics_not_their_question(
    harness: BotHarness,
) -> None:
    """The payload names a logged question; another person's (a forged press) is not shown."""
    h = harness
    offers = await h.say(PARENT, VAGUE)
    query_id = offers.buttons[0][0].callback_data.split(":")[2].split("-")[0]  # type: ignore[union-attr]
    stranger = FakeUser(id=2555, first_name="Ирина")
    mine = await h.say(stranger, "как активировать сертификат")
    h.server.press_data(mine, f"faq:o:{query_id}", user=stranger)
    await h.server.idle(quiet=0.3)
    shown = h.server.messages[(stranger.id, mine.message_id)]
    assert shown.text == "📚 Частые вопросы\nВыберите тему:", shown.text


async def test_back_under_an_offered_answer_brings_the_offers_back_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    offers = await h.say(MOTHER, VAGUE)
    assert offers.plain == texts.FAQ_SUGGEST
    titles = offer_titles(labels(offers))
    edits = offers.edits

    async def press(label: str) -> str:
        nonlocal edits
        await h.press(MOTHER, offers, label)
        for _ in range(200):
            if offers.edits > edits:
                edits = offers.edits
                return offers.plain
            await asyncio.sleep(0.05)
        raise AssertionError(f"{label!r} changed nothing")

    answer = await press(titles[0])
    assert answer != texts.FAQ_SUGGEST
    assert await press(texts.BTN_BACK) == texts.FAQ_SUGGEST
    assert offer_titles(labels(offers)) == titles
    assert await press(titles[1]) not in (answer, texts.FAQ_SUGGEST)
