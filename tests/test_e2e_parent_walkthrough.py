"""What a parent finds walking the bot in both messengers: a message the bot cannot read as
a question (emoji only) still leaves a way on, and MAX never points at a Telegram menu."""

from __future__ import annotations

from bot import texts
from bot.texts import max as max_texts
from tests.conftest import ADMIN, PARENT, STAFF_CHAT
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent, labels, max_answer
from tests.helpers.wait import until


async def test_emoji_only_leads_to_the_topics_in_both_messengers(both: Both) -> None:
    """«🙏🙏🙏» got «откройте «Частые вопросы» в меню» and no button: in MAX, where there is
    no menu, a dead end."""
    h = both
    await as_parent(h)
    got = await h.say(MOTHER, "🙏🙏🙏")
    assert "вопрос словами" in got.plain and "в меню" not in got.plain, got.plain
    assert texts.BTN_CATEGORIES in labels(got), got.buttons()
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, got, texts.BTN_CATEGORIES)
    # the press turns the message into the topics (or sends them)
    await until(
        lambda: any("Выберите тему" in m.plain for m in h.max.sent_to(MOTHER)[before - 1 :]),
        what=lambda: f"the topics in {[m.plain for m in h.max.sent_to(MOTHER)]}",
    )

    h.tg.user_sends("👍", user=PARENT)
    reply = await h.tg.next_message(PARENT.id)
    assert "вопрос словами" in (reply.text or "") and texts.BTN_CATEGORIES in reply.inline_texts
    h.tg.press(reply, texts.BTN_CATEGORIES, user=PARENT)
    await h.tg.idle()
    assert any("Выберите тему" in (m.text or "") for m in h.tg.sent_to(PARENT.id))


async def test_choosing_a_role_in_max_points_at_the_buttons_it_shows(both: Both) -> None:
    """«откройте «Частые вопросы» в меню ниже»: MAX shows the topics themselves, no such menu."""
    h = both
    welcome = await h.start(MOTHER)
    await h.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    saved = (await h.max.wait_sent(MOTHER, 2))[-1]
    assert saved.plain.startswith("Готово, вы — Родитель."), saved.plain
    assert "«Частые вопросы»" not in saved.plain and "ниже" in saved.plain, saved.plain
    assert texts.BTN_FAQ not in labels(saved)
    assert max_texts.ROLE_SAVED.endswith("Или выберите раздел ниже.")


async def test_one_shot_buttons_go_away_after_a_press_in_max_as_in_telegram(both: Both) -> None:
    """In Telegram «Спросить специалиста», «Вопрос решён» and «Да, удалить всё» leave with the
    press; in MAX they stayed: a second tap sent the question to staff again («добавил вопрос
    туда»), and «Нет, оставить» after the deletion said «ничего не удаляю»."""
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, UNKNOWN)
    await max_answer(h, await h.press(MOTHER, offer, texts.BTN_ASK_SHORT))
    assert offer.buttons() == [], offer.buttons()  # the same message, edited in place
    created = (await h.max.wait_sent(MOTHER, 4))[-1]
    assert "Номер обращения" in created.plain
    post = await h.tg.next_message(STAFF_CHAT)
    h.tg.user_sends(
        "Можно, со справкой.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup",
        reply_to=post,
    )  # fmt: skip
    answer = (await h.max.wait_sent(MOTHER, 5, within=15))[-1]
    assert "Можно, со справкой." in answer.plain
    await max_answer(h, await h.press(MOTHER, answer, texts.BTN_SOLVED))
    assert answer.buttons() == []
    assert (await h.max.wait_sent(MOTHER, 6))[-1].plain == texts.TICKET_THANKS

    mine = await h.say(MOTHER, "/forget_me")
    await max_answer(h, await h.press(MOTHER, mine, texts.BTN_FORGET_YES))
    assert mine.buttons() == []
    await h.tg.idle()
    assert len(h.tg.sent_to(STAFF_CHAT)) == 2  # the ticket and «доставлен», no second copy


async def test_not_found_points_at_its_own_button_in_max(both: Both) -> None:
    """«посмотрите темы в «Частых вопросах»»: MAX has no such menu; the button under the
    message is «📚 Все темы»."""
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, UNKNOWN)
    assert "Частых вопрос" not in offer.plain and "кнопка ниже" in offer.plain, offer.plain
    assert texts.BTN_CATEGORIES in labels(offer)


async def test_the_role_buttons_go_away_once_chosen_in_max(both: Both) -> None:
    """Telegram takes «Родитель / Педагог / …» off with the choice; in MAX a later tap on the
    old greeting changed the role again (and said «Готово» once more)."""
    h = both
    welcome = await h.start(MOTHER)
    await max_answer(h, await h.press(MOTHER, welcome, texts.ROLE_TITLES["parent"]))
    assert welcome.buttons() == [], welcome.buttons()
