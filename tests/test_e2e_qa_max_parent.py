"""The outside QA pass of a parent who uses only MAX, from the first «Начать» to an answered
ticket, over the fake MAX and Telegram servers: the words of MAX's buttons (and of Telegram's
menu) typed instead of pressed, a clarification after the specialist's answer, «Вопрос решён»,
/forget_me and coming back, blocking the bot and returning."""

from __future__ import annotations

import asyncio

import pytest

from bot import texts
from bot.texts import max as max_texts
from tests.conftest import ADMIN, STAFF_CHAT
from tests.helpers.max_both import KNOWN, MOTHER, UNKNOWN, Both, as_parent, labels


@pytest.mark.parametrize("typed", ["Все темы", "📚 Все темы", "частые вопросы", "Темы"])
async def test_the_topics_button_typed_as_words_opens_the_topics(both: Both, typed: str) -> None:
    """«Все темы» is under half the bot's MAX messages; typed, it was an FAQ question and came
    back as «Возможно, вы имели в виду: Какие мероприятия МОЦ проводит для педагогов?»."""
    h = both
    await as_parent(h)
    topics = await h.say(MOTHER, typed)
    assert "Выберите тему" in topics.plain, topics.plain
    assert "🎫 Сертификат" in labels(topics)


async def test_help_my_data_and_ask_typed_as_words_do_what_the_buttons_do(both: Both) -> None:
    """«помощь» got «Пожалуйста! Если появятся ещё вопросы…», «мои данные» the article on the
    child's unconfirmed data; «спросить специалиста» now opens the question to staff."""
    h = both
    await as_parent(h)
    helped = await h.say(MOTHER, "Помощь")
    assert "Что я умею" in helped.plain
    mine = await h.say(MOTHER, "мои данные")
    assert "Что бот хранит о вас" in mine.plain and "MAX id" in mine.plain
    asked = await h.say(MOTHER, "Спросить специалиста")
    assert asked.plain.startswith("Напишите ваш вопрос")
    created = await h.say(MOTHER, UNKNOWN)
    assert "Номер обращения" in created.plain
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert UNKNOWN in post.text


async def test_a_button_word_mid_dialog_is_the_dialogs_answer(both: Both) -> None:
    """After «Спросить специалиста» the next message is the question, even «помощь»."""
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    created = await h.say(MOTHER, "помощь")
    assert "Номер обращения" in created.plain
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert "помощь" in post.text


async def test_questions_about_the_certificate_are_answered_however_typed(both: Both) -> None:
    h = both
    await as_parent(h)
    for question in (KNOWN, "сертефикат как актевировать", "Как активировать сертификат???"):
        answer = await h.say(MOTHER, question)
        assert "Активировать сертификат можно" in answer.plain, (question, answer.plain)
    for only in ("+7 912 345-67-89", "89123456789"):  # a phone number alone: no question
        hint = await h.say(MOTHER, only)
        assert hint.plain.startswith("Напишите, пожалуйста, вопрос словами")
        assert texts.BTN_CATEGORIES in labels(hint)


async def test_from_question_to_solved_with_a_clarification(both: Both) -> None:
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, UNKNOWN)
    h.max.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    h.tg.user_sends(
        "Да, можно, возьмите справку.", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    answer = (await h.max.wait_sent(MOTHER, 5, within=15))[-1]
    assert "Ответ специалиста МОЦ" in answer.plain and "возьмите справку" in answer.plain
    assert {texts.BTN_SOLVED, texts.BTN_FOLLOW_UP} <= set(labels(answer))

    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, answer, texts.BTN_FOLLOW_UP)
    prompt = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert "уточняющий вопрос" in prompt.plain
    added = await h.say(MOTHER, "Справку от какого врача?")
    assert "Добавил это к обращению" in added.plain
    note = await h.tg.next_message(STAFF_CHAT, timeout=10)
    while "Справку от какого врача?" not in (note.text or ""):
        note = await h.tg.next_message(STAFF_CHAT, timeout=10)

    h.tg.user_sends(
        "От педиатра.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    second = (await h.max.wait_sent(MOTHER, len(h.max.sent_to(MOTHER)) + 1, within=15))[-1]
    assert "От педиатра." in second.plain
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, second, texts.BTN_SOLVED)
    thanks = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert thanks.plain == texts.TICKET_THANKS


async def test_forget_me_in_max_names_a_word_max_understands(both: Both) -> None:
    """«нажмите /start»: MAX shows the bot no command list and «/start» in a message is not a
    button; the MAX parent is told to write «старт», which brings the welcome back."""
    h = both
    await as_parent(h)
    confirm = await h.say(MOTHER, "/forget_me")
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    done = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert done.plain.startswith(max_texts.FORGOTTEN)  # and what stays in Telegram
    assert "/start" not in done.plain and "«старт»" in done.plain
    welcome = await h.say(MOTHER, "старт")
    assert "Кто вы?" in welcome.plain and texts.ROLE_TITLES["parent"] in labels(welcome)

    again = await h.say(MOTHER, "/forget_me")
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, again, texts.BTN_FORGET_YES)
    done = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert "/start" not in done.plain


async def test_a_parent_who_blocked_the_bot_comes_back_to_the_menu(both: Both) -> None:
    h = both
    await as_parent(h)
    h.max.block(MOTHER)
    h.max.unblock(MOTHER)
    back = await h.start(MOTHER)
    assert back.plain == texts.MENU and "🎫 Сертификат" in labels(back)
    answer = await h.say(MOTHER, KNOWN)
    assert "Активировать сертификат можно" in answer.plain


async def test_an_answer_sent_while_the_parent_had_blocked_the_bot_arrives_on_return(
    both: Both,
) -> None:
    """Staff read «Ответ сохранён в обращении», but nothing ever handed it over: the parent
    who pressed «Начать» again heard only «Главное меню» and waited for an answer in vain."""
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, UNKNOWN)
    h.max.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    h.max.block(MOTHER)
    h.tg.user_sends(
        "Да, можно, возьмите справку.", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    note = await h.tg.next_message(STAFF_CHAT, timeout=15)
    assert "не доставлен" in note.text and "сохранён" in note.text

    h.max.unblock(MOTHER)
    before = len(h.max.sent_to(MOTHER))
    h.max.bot_started(MOTHER)
    menu, answer = (await h.max.wait_sent(MOTHER, before + 2, within=15))[before:]
    assert menu.plain == texts.MENU
    assert "Ответ специалиста МОЦ" in answer.plain and "возьмите справку" in answer.plain
    assert texts.BTN_SOLVED in labels(answer)
    await h.press(MOTHER, answer, texts.BTN_SOLVED)
    thanks = (await h.max.wait_sent(MOTHER, before + 3))[-1]
    assert thanks.plain == texts.TICKET_THANKS

    await h.start(MOTHER)  # handed over once: not again on the next «Начать»
    await asyncio.sleep(1)
    assert sum("возьмите справку" in m.plain for m in h.max.sent_to(MOTHER)) == 1
