"""«Отписаться» typed as words in a private chat, in Telegram and MAX: the knowledge base
answered it with the Navigator's «как уйти из кружка»; now the person sees the news they get
with a button to leave each. A question about leaving a кружок stays the FAQ's."""

from __future__ import annotations

import pytest

from bot import texts
from bot.core.words import means_unsubscribe
from storage.repositories import Repositories
from tests.conftest import PARENT
from tests.helpers.max_both import MOTHER, Both, as_parent, max_answer
from tests.test_e2e_broadcasts import Staff, answered
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

NAVIGATOR_QUESTION = "как отписаться от кружка в навигаторе"


@pytest.mark.parametrize(
    "text",
    ["Отписаться", "отпишите меня", "не присылайте новости", "хочу отписаться от рассылки",
     "Больше не присылайте мне сообщения", "не хочу получать рассылку"],
)  # fmt: skip
def test_words_that_ask_to_stop_the_news(text: str) -> None:
    assert means_unsubscribe(text)


@pytest.mark.parametrize(
    "text",
    [NAVIGATOR_QUESTION, "отписаться от секции", "передумала идти на семинар как отписаться",
     "бот не присылает новости", "не получаю новости", "как отписать ребёнка от кружка"],
)  # fmt: skip
def test_words_about_something_else_stay_questions(text: str) -> None:
    assert not means_unsubscribe(text)


async def test_typed_unsubscribe_in_telegram_offers_the_subscriptions(harness: Staff) -> None:
    h = harness  # PARENT is subscribed to the parents' news in private (seed_registry)
    offer = await h.say(PARENT, "Отписаться")
    said = offer.text or ""
    assert "Родители" in said and "Навигатор" not in said, said
    assert offer.inline_texts == ["🔕 Отписаться: Родители"]
    h.server.press(offer, "🔕 Отписаться: Родители", user=PARENT)
    await answered(h, "отписались")
    assert "Вы отписались" in ((await h.server.next_message(PARENT.id)).text or "")
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(PARENT.id) == []

    again = (await h.say(PARENT, "не присылайте новости")).text or ""
    assert "не подписаны" in again, again
    kb = (await h.say(PARENT, NAVIGATOR_QUESTION)).text or ""
    assert "подписаны" not in kb and "Навигатор" in kb, kb


async def test_typed_unsubscribe_in_max_offers_the_subscriptions(both: Both) -> None:
    h = both
    await as_parent(h)
    assert "Родители" in (await h.say(MOTHER, "/subscribe")).plain
    offer = await h.say(MOTHER, "отпишите меня")
    assert "Родители" in offer.plain and "Навигатор" not in offer.plain, offer.plain
    before = len(h.max.sent_to(MOTHER))
    callback = h.max.press(MOTHER, offer, "🔕 Отписаться: Родители")
    assert "отписались" in await max_answer(h, callback)
    assert "Вы отписались" in (await h.max.wait_sent(MOTHER, before + 1))[-1].plain
    async with h.sessionmaker() as session:
        uid = await Repositories(session).channel_ids.internal("max", "user", MOTHER.user_id)
        assert await Repositories(session).chats.subscriptions(uid) == []

    assert "не подписаны" in (await h.say(MOTHER, "хочу отписаться от рассылки")).plain
    kb = (await h.say(MOTHER, NAVIGATOR_QUESTION)).plain
    assert "подписаны" not in kb and "Навигатор" in kb, kb


async def test_subscribe_typed_in_telegram_subscribes(harness: Staff) -> None:
    """«подписаться на новости» typed (the menu button's words without its emoji) got the
    bot's help article; it subscribes, as the button does."""
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.say(PARENT, "/unsubscribe")
    said = (await h.say(PARENT, "Подписаться на новости")).text or ""
    assert "Вы подписаны" in said and "Родители" in said, said
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(PARENT.id) == ["parents"]


async def test_subscribe_typed_in_max_subscribes(both: Both) -> None:
    h = both
    await as_parent(h)
    said = (await h.say(MOTHER, "Подписаться")).plain
    assert "Вы подписаны" in said and "Родители" in said, said


async def test_subscribe_again_brings_back_the_audience_just_left(harness: Staff) -> None:
    """«Вы отписались…» said «Подписаться снова — /subscribe», which gives the news of the
    person's role: a parent who registered for a seminar (a teacher in the menu) got the
    teachers' news instead of the parents' ones just left. The button brings back those."""
    h = harness
    async with h.sessionmaker() as session:
        await Repositories(session).users.set_role(PARENT.id, "teacher")
        await session.commit()
    offer = await h.say(PARENT, "Отписаться")
    h.server.press(offer, "🔕 Отписаться: Родители", user=PARENT)
    told = await h.server.next_message(PARENT.id)
    assert told.inline_texts == ["🔔 Подписаться снова: Родители"]
    h.server.press(told, "🔔 Подписаться снова: Родители", user=PARENT)
    said = (await h.server.next_message(PARENT.id)).text or ""
    assert "Вы подписаны" in said and "Родители" in said, said
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(PARENT.id) == ["parents"]

    h.server.press_data(told, "resub:staff", user=PARENT)  # forged: not an audience to pick
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("show_alert") is True)
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(PARENT.id) == ["parents"]


async def test_subscribe_again_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/subscribe")
    offer = await h.say(MOTHER, "Отписаться")
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, offer, "🔕 Отписаться: Родители")
    told = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    callback = h.max.press(MOTHER, told, "🔔 Подписаться снова: Родители")
    assert "возвращена" in await max_answer(h, callback)
    said = (await h.max.wait_sent(MOTHER, before + 2))[-1].plain
    assert "Вы подписаны" in said and "Родители" in said, said
    forged = h.max.press_payload(MOTHER, told, "resub:staff")
    assert "устарела" in await max_answer(h, forged)
    async with h.sessionmaker() as session:
        uid = await Repositories(session).channel_ids.internal("max", "user", MOTHER.user_id)
        assert await Repositories(session).chats.subscriptions(uid) == ["parents"]


async def test_subscribe_before_a_role_offers_the_role_buttons_in_telegram(
    harness: Staff,
) -> None:
    """MAX answered /subscribe without a role with the role buttons; Telegram only said «—
    /start», one more step. Both now show the buttons."""
    h = harness
    asked = await h.say(PARENT, "/subscribe")  # seeded without a role
    assert "кнопкой ниже" in (asked.text or "")
    assert texts.ROLE_TITLES["parent"] in asked.inline_texts
    saved = await h.press(PARENT, asked, texts.ROLE_TITLES["parent"])
    assert "Родитель" in (saved.text or "")


async def test_subscribe_again_in_max_after_forget_me(both: Both) -> None:
    """A MAX parent leaves the news, then deletes their data with /forget_me and later presses
    the old «Подписаться снова»: as in Telegram, the press is a fresh start — the news come
    back — not a silent failure (the subscription had no person row to belong to)."""
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/subscribe")
    offer = await h.say(MOTHER, "Отписаться")
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, offer, "🔕 Отписаться: Родители")
    told = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    confirm = await h.say(MOTHER, "/forget_me")
    h.max.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    assert texts.FORGOTTEN[:20] in (await h.max.wait_sent(MOTHER, before + 3))[-1].plain
    callback = h.max.press(MOTHER, told, "🔔 Подписаться снова: Родители")
    assert "возвращена" in await max_answer(h, callback)
    said = (await h.max.wait_sent(MOTHER, before + 4))[-1].plain
    assert "Вы подписаны" in said and "Родители" in said, said
    async with h.sessionmaker() as session:
        uid = await Repositories(session).channel_ids.internal("max", "user", MOTHER.user_id)
        assert await Repositories(session).chats.subscriptions(uid) == ["parents"]
