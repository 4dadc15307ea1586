"""The outside QA pass of tests/test_e2e_qa_parent.py in MAX (the real MAX runtime beside the
Telegram bot, fake servers for both): a location, a sticker, a voice note or a contact from a
parent, /start with garbage after it, a ticket withdrawn twice or after staff closed it, HTML in
a follow-up, a staff answer sent as a picture to a MAX parent, a parent who stopped the bot
before the answer, and many answers at once while MAX answers 429."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.texts import max as max_texts
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import PNG, user_sends
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import SAMPLE_MEDIA, SentMessage
from tests.helpers.max_both import (
    MOTHER,
    UNKNOWN,
    Both,
    as_parent,
    labels,
    max_answer,
    new_runtime,
)
from tests.test_e2e_max_loose_ends import ADMIN_MAX, ticket_to_max_admin
from tests.test_e2e_max_loose_ends import max_only as max_only  # a fixture


async def tickets(h: Both) -> list[Ticket]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def open_ticket(h: Both, user: MaxUser = MOTHER, question: str = UNKNOWN) -> SentMessage:
    """`user` asks what the FAQ does not know, presses «Спросить специалиста»; the staff post."""
    offer = await h.say(user, question)
    before = len(h.max.sent_to(user))
    await h.press(user, offer, texts.BTN_ASK_SHORT)
    created = (await h.max.wait_sent(user, before + 1))[-1]
    assert "Номер обращения" in created.plain
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert question in post.text
    return post


def staff_says(h: Both, text: str | None, post: SentMessage, **extra: Any) -> None:
    h.tg.user_sends(
        text, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post,
        extra=extra or None,
    )  # fmt: skip


def staff_notes(h: Both, words: str) -> list[str]:
    return [m.text for m in h.tg.sent_to(STAFF_CHAT) if words in (m.text or "")]


# ----------------------------------------------------------------- what parents really send

ATTACHMENTS: dict[str, dict[str, Any]] = {
    "location": {"type": "location", "latitude": 55.75, "longitude": 37.62},
    "sticker": {"type": "sticker", "payload": {"url": "https://max.example/s.webp", "code": "x"},
                "width": 512, "height": 512},
    "audio": {"type": "audio", "payload": {"url": "https://max.example/v.ogg", "token": "t"}},
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(ATTACHMENTS))
async def test_a_location_sticker_or_voice_gets_the_text_hint_and_no_ticket(
    both: Both, kind: str
) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, "", attachments=[ATTACHMENTS[kind]])
    (hint,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    voice = "Голосовые сообщения я не распознаю"  # and how to send it: /ask
    assert hint.plain.startswith(voice if kind == "audio" else "Я понимаю только текст")
    await asyncio.sleep(0.5)
    assert len(h.max.sent_to(MOTHER)) == before + 1
    assert not await tickets(h) and not h.tg.sent_to(STAFF_CHAT)


async def test_a_contact_shared_outside_the_form_gets_the_text_hint(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    h.max.user_shares_contact(MOTHER, "+79990000000")
    (hint,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert hint.plain.startswith("Я понимаю только текст")
    assert not await tickets(h)


@pytest.mark.parametrize(
    "payload",
    ["event_", "event_12x", "event_²", "event_" + "9" * 25, "<script>x</script>", "x" * 500,
     "🙂"],
)  # fmt: skip
async def test_garbage_after_start_gets_the_plain_welcome(both: Both, payload: str) -> None:
    h = both
    welcome = await h.start(MOTHER, payload)
    assert welcome.plain.startswith("Здравствуйте") and labels(welcome)
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, f"/start {payload}")
    again = (await h.max.wait_sent(MOTHER, before + 1))[before]
    assert again.plain.startswith("Здравствуйте")
    await asyncio.sleep(0.5)
    assert all(texts.ERROR[:20] not in m.plain for m in h.max.sent_to(MOTHER))


async def test_a_broken_staff_invite_is_explained_in_russian(both: Both) -> None:
    h = both
    said = await h.start(MOTHER, "staff_<b>garbage</b>")
    assert said.plain.startswith("Ссылка-приглашение повреждена")


# ----------------------------------------------------------------- withdrawing


async def appended(h: Both, text: str = "ребёнку 9 лет") -> Message:
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, text)
    told = (await h.max.wait_sent(MOTHER, before + 1))[before]
    assert "Добавил это к обращению" in told.plain and texts.BTN_WITHDRAW in labels(told)
    return told


async def test_withdraw_pressed_twice_in_max_tells_staff_once(both: Both) -> None:
    h = both
    await as_parent(h)
    await open_ticket(h)
    told = await appended(h)
    first = h.max.press(MOTHER, told, texts.BTN_WITHDRAW)
    second = h.max.press(MOTHER, told, texts.BTN_WITHDRAW)
    await max_answer(h, first)
    notice = await max_answer(h, second)
    await asyncio.sleep(1.0)
    said = [m.plain for m in h.max.sent_to(MOTHER)]
    assert sum("№1 отозвано" in s for s in said) == 1, said
    assert notice == "Обращение №1 уже закрыто — отзывать нечего."
    assert len(staff_notes(h, "отозвано пользователем")) == 1


async def test_withdraw_in_max_after_staff_closed_changes_nothing(both: Both) -> None:
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    told = await appended(h)
    before = len(h.max.sent_to(MOTHER))
    h.tg.press(post, texts.BTN_CLOSE, user=ADMIN)
    (closed,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert "№1 закрыто" in closed.plain
    callback = h.max.press(MOTHER, told, texts.BTN_WITHDRAW)
    assert await max_answer(h, callback) == "Обращение №1 уже закрыто — отзывать нечего."
    await asyncio.sleep(0.5)
    assert not any("отозвано" in m.plain for m in h.max.sent_to(MOTHER))
    assert not staff_notes(h, "отозвано пользователем")


# ----------------------------------------------------------------- HTML, pictures, 403


async def test_html_in_a_max_follow_up_stays_text_for_telegram_staff(both: Both) -> None:
    h = both
    await as_parent(h)
    await open_ticket(h)
    odd = "<script>alert(1)</script> &lt;b&gt; <b>жирный</b> 5 < 6 & 7 > 3"
    await appended(h, odd)
    addition = await h.tg.next_message(STAFF_CHAT, timeout=30)
    assert odd in addition.text


async def test_a_picture_answer_to_a_max_parent_brings_the_text_and_the_picture(
    both: Both,
) -> None:
    """A Telegram photo cannot be copied into MAX: the caption (escaped) reaches the parent
    as the answer, the picture itself follows as a MAX image."""
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    caption = "Нажмите <Войти> & выберите «Сертификат» (5 < 6)"
    before = len(h.max.sent_to(MOTHER))
    staff_says(h, None, post, **SAMPLE_MEDIA["photo"], caption=caption)
    h.tg.files["sample-photo"].data = PNG  # what Telegram hands out for that file_id
    got = (await h.max.wait_sent(MOTHER, before + 2, within=15))[before:]
    assert caption in got[0].plain and "№1" in got[0].plain
    assert [a["type"] for a in got[1].attachments] == ["image"]
    assert "К ответу на обращение №1" in got[1].plain
    delivered = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert "доставлен" in delivered.text
    await asyncio.sleep(0.5)
    assert not staff_notes(h, "изображение — нет")


async def test_a_picture_the_max_parent_cannot_get_staff_are_told(both: Both) -> None:
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    staff_says(h, None, post, **SAMPLE_MEDIA["photo"], caption="Вот так")
    h.tg.files["sample-photo"].data = PNG
    h.max.fail_next(400, "attachment.invalid", "bad file", path="/uploads", times=5)
    note = await h.tg.next_message(STAFF_CHAT, timeout=15)
    while "изображение — нет" not in note.text:
        note = await h.tg.next_message(STAFF_CHAT, timeout=15)
    assert "№1" in note.text


async def test_a_max_parent_who_stopped_the_bot_before_the_answer_staff_are_told(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    h.max.block(MOTHER)
    staff_says(h, "Ответ, который не дойдёт", post)
    note = await h.tg.next_message(STAFF_CHAT, timeout=15)
    assert "не доставлен" in note.text
    async with h.sessionmaker() as session:
        saved = (
            await session.scalars(select(TicketMessage).where(TicketMessage.from_staff))
        ).one()
    assert saved.text == "Ответ, который не дойдёт" and saved.delivered is False


MOTHERS = [MaxUser(50_000_000_900 + n, f"Мама{n}", "Тестова") for n in range(4)]


async def test_staff_answering_many_max_parents_under_429s_lose_none(both: Both) -> None:
    h = both
    posts = []
    for n, mother in enumerate(MOTHERS):
        await as_parent(h, mother)
        posts.append(await open_ticket(h, mother, f"{UNKNOWN} номер {n}"))
    h.max.fail_next(429, "too.many.requests", "slow down", times=3)
    for n, post in enumerate(posts):
        staff_says(h, f"Ответ для мамы {n}", post)
    for n, mother in enumerate(MOTHERS):
        for _ in range(160):
            if any(f"Ответ для мамы {n}" in m.plain for m in h.max.sent_to(mother)):
                break
            await asyncio.sleep(0.25)
        got = [m.plain for m in h.max.sent_to(mother) if "Ответ для мамы" in m.plain]
        assert len(got) == 1 and f"мамы {n}" in got[0], got
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(TicketMessage).where(TicketMessage.from_staff))).all()
    assert len(rows) == len(MOTHERS) and all(r.delivered for r in rows)


async def test_a_max_admins_picture_answer_reaches_the_parent_with_its_caption(
    max_only: tuple[FakeMaxServer, Services],
) -> None:
    """MAX only: the admin presses «Ответить» and sends a screenshot with a caption; the
    parent gets the caption as the answer and the screenshot after it (it used to vanish)."""
    fake, services = max_only
    runtime = new_runtime(services)
    await runtime.start()
    try:
        post = await ticket_to_max_admin(fake)
        fake.press(ADMIN_MAX, post, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN_MAX, 3)
        caption = "Нажмите <Войти> & выберите «Сертификат»"
        user_sends(fake, ADMIN_MAX, PNG, caption)
        got = (await fake.wait_sent(MOTHER, 6, within=15))[4:]
        assert caption in got[0].plain and "Ответ специалиста МОЦ" in got[0].plain
        assert [a["type"] for a in got[1].attachments] == ["image"]
        assert "доставлен" in (await fake.wait_sent(ADMIN_MAX, 4))[-1].plain
        await asyncio.sleep(0.5)
        assert not [m for m in fake.sent_to(ADMIN_MAX) if "изображение — нет" in m.plain]
    finally:
        await runtime.stop()


MAX_GROUP = -70_000_000_123


async def test_a_max_parent_with_an_open_ticket_talking_in_a_group_adds_nothing_to_it(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    await open_ticket(h)
    h.max.add_group(MAX_GROUP, "Родители 2Б")
    h.max.user_writes(MOTHER, "ребёнку 9 лет, секретные подробности", chat_id=MAX_GROUP)
    user_sends_to_group(h, "скрин из навигатора")
    h.max.user_writes(MOTHER, "можно ли привести на занятие кошку", chat_id=MAX_GROUP)
    await asyncio.sleep(3)  # the relay would have posted a follow-up by now
    assert not h.max.sent_to(MAX_GROUP)
    assert len(h.tg.sent_to(STAFF_CHAT)) == 1
    async with h.sessionmaker() as session:
        messages = (await session.scalars(select(TicketMessage))).all()
    assert [m.text for m in messages] == [UNKNOWN]


def user_sends_to_group(h: Both, caption: str) -> None:
    attachment = {"type": "image", "payload": {"photo_id": 1, "token": "t", "url": h.max.url}}
    h.max.user_writes(MOTHER, caption, chat_id=MAX_GROUP, attachments=[attachment])


async def test_a_max_admins_sticker_is_not_taken_for_a_parents_question(
    max_only: tuple[FakeMaxServer, Services],
) -> None:
    """After «Ответить» a sticker is no answer: the admin is told what can go (not «Я понимаю
    только текст… как получить сертификат», meant for parents), and the next text still
    answers the ticket. (A bare picture is an answer: tests/test_e2e_ticket_staff_files.py.)"""
    fake, services = max_only
    runtime = new_runtime(services)
    await runtime.start()
    try:
        post = await ticket_to_max_admin(fake)
        fake.press(ADMIN_MAX, post, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN_MAX, 3)
        fake.user_writes(ADMIN_MAX, "", attachments=[ATTACHMENTS["sticker"]])
        told = (await fake.wait_sent(ADMIN_MAX, 4))[-1]
        assert told.plain == texts.STAFF_ANSWER_NEEDS_TEXT, told.plain
        fake.user_writes(ADMIN_MAX, "Да, можно.")
        answer = (await fake.wait_sent(MOTHER, 5, within=15))[-1]
        assert "Ответ специалиста МОЦ" in answer.plain and "Да, можно." in answer.plain
    finally:
        await runtime.stop()


async def test_a_location_after_ask_in_max_is_asked_again_as_text(both: Both) -> None:
    """As in Telegram: after /ask a location or a sticker is no question; the bot asks for
    the question in words and still waits for it."""
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, "", attachments=[ATTACHMENTS["location"]])
    (again,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert again.plain == max_texts.ASK_REPROMPT
    created = await h.say(MOTHER, "как перенести сертификат в другой кружок, если мест нет")
    assert "Номер обращения" in created.plain


async def test_solved_pressed_twice_in_max_thanks_once(both: Both) -> None:
    h = both
    await as_parent(h)
    post = await open_ticket(h)
    before = len(h.max.sent_to(MOTHER))
    staff_says(h, "Да, можно.", post)
    (answer,) = (await h.max.wait_sent(MOTHER, before + 1, within=15))[before:]
    first = h.max.press(MOTHER, answer, texts.BTN_SOLVED)
    second = h.max.press(MOTHER, answer, texts.BTN_SOLVED)
    await max_answer(h, first)
    await max_answer(h, second)
    await asyncio.sleep(0.5)
    said = [m.plain for m in h.max.sent_to(MOTHER)]
    assert sum(s.startswith("Рады помочь") for s in said) == 1, said
    assert (await tickets(h))[0].status == "closed"
