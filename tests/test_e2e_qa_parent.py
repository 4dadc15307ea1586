"""An outside QA pass over the parent's side in Telegram, through the real bot and the fake
Bot API: what a parent really sends (voice, a location, a contact, a video note), a ticket
withdrawn twice or after staff closed it, somebody else's ticket in a forged button, HTML in a
follow-up, a staff answer sent as a picture, a withdrawn ticket answered anyway, and many
answers at once under Telegram's 429s. Nothing meant for a person may be lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.core.markup import fill
from bot.services.faq import FaqService
from storage.models import Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeUser, JsonDict, SentMessage
from tests.test_e2e_tickets import UNKNOWN, ask_specialist

OTHER_PARENT = FakeUser(id=2077, first_name="Светлана", last_name="Орлова")


def media(kind: str, caption: str | None = None) -> JsonDict:
    extra: dict[str, Any] = dict(SAMPLE_MEDIA[kind])
    if caption is not None:
        extra["caption"] = caption
    return extra


async def as_parent(h: BotHarness, user: FakeUser) -> None:
    welcome = await h.say(user, "/start")
    await h.press(user, welcome, texts.ROLE_TITLES["parent"])


async def tickets(h: BotHarness) -> list[Ticket]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


def staff_says(h: BotHarness, text: str | None, post: SentMessage, **extra: Any) -> None:
    h.server.user_sends(
        text, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post,
        extra=extra or None,
    )  # fmt: skip


def alerts(h: BotHarness) -> list[str]:
    """The texts presses were answered with (a pop-up or a toast), in order."""
    calls = [c for c in h.server.calls if c.method == "answercallbackquery"]
    return [str(c.params.get("text")) for c in calls if c.params.get("text")]


# ----------------------------------------------------------------- what parents really send


@pytest.mark.parametrize("kind", ["voice", "location", "contact", "video_note", "audio"])
async def test_a_voice_location_or_contact_gets_the_text_hint_and_no_ticket(
    harness: BotHarness, kind: str
) -> None:
    """A voice or an audio file is told how to reach a specialist (/ask); the rest get the
    general hint (tests/test_e2e_ticket_voice.py: a voice after /ask is the question)."""
    h = harness
    await as_parent(h, PARENT)
    hint = await h.say(PARENT, None, extra=media(kind))  # type: ignore[arg-type]
    if kind in ("voice", "audio"):
        assert hint.text.startswith("Голосовые сообщения я не распознаю"), hint.text
    else:
        assert hint.text.startswith("Я понимаю только текст")
    await h.server.idle(quiet=0.3)
    assert not await tickets(h) and not h.server.sent_to(STAFF_CHAT)


async def test_a_video_note_after_ask_is_asked_again_as_text(harness: BotHarness) -> None:
    h = harness
    await as_parent(h, PARENT)
    await h.say(PARENT, texts.BTN_ASK)
    again = await h.say(PARENT, None, extra=media("video_note"))  # type: ignore[arg-type]
    assert again.text == texts.ASK_REPROMPT
    created = await h.say(PARENT, "как перенести сертификат в другой кружок, если мест нет")
    assert "Номер обращения" in created.text


@pytest.mark.parametrize(
    "payload", ["<script>x</script>", "event_" + "9" * 25, "x" * 64, "staff_", "🙂", "&amp;"]
)
async def test_garbage_after_start_is_answered_in_russian_without_an_error(
    harness: BotHarness, payload: str
) -> None:
    h = harness
    said = await h.say(PARENT, f"/start {payload}")
    assert said.text.startswith(("Здравствуйте", "Ссылка-приглашение")), said.text
    await h.server.idle(quiet=0.3)
    assert all(texts.ERROR[:20] not in (m.text or "") for m in h.server.sent_to(PARENT.id))
    assert not [c for c in h.server.calls if c.error_code]


# ----------------------------------------------------------------- withdrawing


async def test_withdraw_pressed_twice_tells_staff_once(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    appended = await h.say(PARENT, "ребёнку 9 лет")
    assert texts.BTN_WITHDRAW in appended.inline_texts
    h.server.press(appended, texts.BTN_WITHDRAW, user=PARENT)
    h.server.press(appended, texts.BTN_WITHDRAW, user=PARENT)  # before the keyboard is gone
    await h.server.idle(quiet=1.5)
    said = [m.text for m in h.server.sent_to(PARENT.id)]
    assert sum(f"№{ticket_id} отозвано" in s for s in said) == 1, said
    notes = [
        m.text for m in h.server.sent_to(STAFF_CHAT) if "отозвано пользователем" in (m.text or "")
    ]
    assert len(notes) == 1, notes
    assert f"Обращение №{ticket_id} уже закрыто — отзывать нечего." in alerts(h)
    assert (await tickets(h))[0].status == "closed"


async def test_withdraw_under_an_old_message_after_staff_closed_changes_nothing(
    harness: BotHarness,
) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    appended = await h.say(PARENT, "ребёнку 9 лет")
    h.server.press(post, texts.BTN_CLOSE, user=ADMIN)
    closed = await h.server.next_message(PARENT.id)
    assert f"№{ticket_id} закрыто" in closed.text
    await h.server.idle(quiet=0.5)
    staff_before = len(h.server.sent_to(STAFF_CHAT))
    h.server.press(appended, texts.BTN_WITHDRAW, user=PARENT)
    await h.server.idle(quiet=1.0)
    said = h.server.sent_to(PARENT.id)[-1].text
    assert "отозвано" not in said, "a closed ticket cannot be withdrawn any more"
    assert alerts(h)[-1] == f"Обращение №{ticket_id} уже закрыто — отзывать нечего."
    assert len(h.server.sent_to(STAFF_CHAT)) == staff_before


async def test_a_forged_button_with_someone_elses_ticket_changes_nothing(
    harness: BotHarness,
) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    await as_parent(h, OTHER_PARENT)
    own = h.server.sent_to(OTHER_PARENT.id)[-1]
    for _ in range(2):  # «Спросить специалиста», then the other parent's role
        await h.server.callback_answer()
    for action in ("withdraw", "solved", "more"):
        h.server.press_data(own, f"tk:{action}:{ticket_id}", user=OTHER_PARENT)
        answer = await h.server.callback_answer()
        assert answer.params.get("text") == texts.TICKET_NOT_YOURS, (action, answer.params)
    await h.server.idle(quiet=0.5)
    assert (await tickets(h))[0].status == "open"
    assert not [
        m for m in h.server.sent_to(STAFF_CHAT) if "отозвано пользователем" in (m.text or "")
    ]


async def test_staff_answering_a_withdrawn_ticket_are_told_it_is_closed(
    harness: BotHarness,
) -> None:
    """Withdrawn is closed: a colleague who replies to its card anyway is told so and nothing
    reaches the parent who withdrew it — as MAX refuses (nothing typed for a person is
    dropped silently: the staffer hears why). It used to go to the parent."""
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    appended = await h.say(PARENT, "уже не нужно")
    await h.press(PARENT, appended, texts.BTN_WITHDRAW)
    await h.server.idle(quiet=0.5)
    to_parent = len(h.server.sent_to(PARENT.id))
    staff_says(h, "Всё равно отвечу: возьмите справку.", post)
    await h.server.idle(quiet=0.5)
    told = h.server.sent_to(STAFF_CHAT)[-1].text or ""
    assert told == fill(texts.STAFF_CLOSED_NO_REPLY, id=ticket_id), told
    assert len(h.server.sent_to(PARENT.id)) == to_parent, "a withdrawn ticket was answered"


# ----------------------------------------------------------------- HTML and pictures


async def test_html_in_a_follow_up_stays_text_for_staff(harness: BotHarness) -> None:
    h = harness
    await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    odd = "<script>alert(1)</script> &lt;b&gt; <b>жирный</b> 5 < 6 & 7 > 3"
    follow = await h.say(PARENT, odd)
    assert "Добавил это к обращению" in follow.text
    addition = await h.server.next_message(STAFF_CHAT, timeout=30)
    assert odd in addition.text  # shown as typed: the fake refuses HTML Telegram cannot parse


async def test_a_staff_answer_sent_as_a_picture_with_an_html_caption_reaches_the_parent(
    harness: BotHarness,
) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    caption = "Нажмите <Войти> & выберите «Сертификат» (5 < 6)"
    staff_says(h, None, post, **media("photo", caption))
    answer = await h.server.next_message(PARENT.id, timeout=10)
    got = h.server.sent_to(PARENT.id)
    await h.server.idle(quiet=0.5)
    got = h.server.sent_to(PARENT.id)
    shown = "\n".join((m.text or "") for m in got)
    assert caption in shown and f"№{ticket_id}" in answer.text
    assert any("photo" in (m.content or {}) for m in got), "the picture itself reaches them"
    assert "доставлен" in (await h.server.next_message(STAFF_CHAT, timeout=10)).text


# ----------------------------------------------------------------- many answers, 429s

PARENTS = [FakeUser(id=2100 + n, first_name=f"Мама{n}", last_name="Тестова") for n in range(4)]


async def test_staff_answering_many_tickets_at_once_under_429s_lose_none(
    harness: BotHarness,
) -> None:
    h = harness
    posts: list[SentMessage] = []
    for n, parent in enumerate(PARENTS):
        await as_parent(h, parent)
        offer = await h.say(parent, f"{UNKNOWN} номер {n}")
        await h.press(parent, offer, texts.BTN_ASK_SHORT)
        post = await h.server.next_message(STAFF_CHAT, timeout=10)
        assert f"номер {n}" in post.text
        posts.append(post)
    h.server.set_rate_limit(global_per_second=2, per_chat_per_second=1, retry_after=1)
    for n, post in enumerate(posts):
        staff_says(h, f"Ответ для мамы {n}", post)
    for n, parent in enumerate(PARENTS):
        for _ in range(60):
            if any(f"Ответ для мамы {n}" in (m.text or "") for m in h.server.sent_to(parent.id)):
                break
            await asyncio.sleep(0.25)
        got = [m.text for m in h.server.sent_to(parent.id) if "Ответ для мамы" in (m.text or "")]
        assert got and all(f"мамы {n}" in g for g in got) and len(got) == 1, got
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(TicketMessage).where(TicketMessage.from_staff))).all()
    assert len(rows) == len(PARENTS) and all(r.delivered for r in rows)


# ----------------------------------------------------------------- a parents' group

GROUP = -4000000777


async def test_a_parent_with_an_open_ticket_talking_in_a_group_adds_nothing_to_it(
    harness: BotHarness,
) -> None:
    """What a parent writes in the class group (a picture too) is for the other parents: it
    neither joins their open ticket nor opens one, and the bot says nothing there."""
    h = harness
    await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    for text, extra in (
        ("ребёнку 9 лет, секретные подробности", None),
        (None, media("photo", "скрин из навигатора")),
        ("можно ли привести на занятие кошку", None),
    ):
        h.server.user_sends(
            text, user=PARENT, chat_id=GROUP, chat_type="group", chat_title="Родители 2Б",
            extra=extra,
        )  # fmt: skip
    await h.server.idle(quiet=2.5, timeout=15)  # the relay would have posted a follow-up
    assert not h.server.sent_to(GROUP)
    assert [m.text for m in h.server.sent_to(STAFF_CHAT)][1:] == []
    async with h.sessionmaker() as session:
        messages = (await session.scalars(select(TicketMessage))).all()
    assert [m.text for m in messages] == [UNKNOWN]
    assert len(await tickets(h)) == 1


async def test_solved_pressed_twice_thanks_once(harness: BotHarness) -> None:
    h = harness
    await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    staff_says(h, "Да, можно.", post)
    answer = await h.server.next_message(PARENT.id, timeout=10)
    h.server.press(answer, texts.BTN_SOLVED, user=PARENT)
    h.server.press(answer, texts.BTN_SOLVED, user=PARENT)
    await h.server.idle(quiet=1.0)
    said = [m.text for m in h.server.sent_to(PARENT.id)]
    assert sum(s.startswith("Рады помочь") for s in said) == 1, said
    assert (await tickets(h))[0].status == "closed"


async def test_the_longest_html_looking_question_reaches_staff_whole_and_escaped(
    harness: BotHarness,
) -> None:
    """4000 characters of «<b>», «&» and «<script>»: escaping makes the HTML longer than the
    text, yet staff get every character as typed, within Telegram's limit per message."""
    h = harness
    await as_parent(h, PARENT)
    chunk = "<script>alert('x')</script> & <b>сертификат</b> 5<6 "
    question = (chunk * 100)[:4000].strip()
    refused = await h.say(PARENT, question)
    assert "очень длинное" in refused.text
    await h.press(PARENT, refused, texts.BTN_ASK_SHORT)
    await h.server.idle(quiet=1.0, timeout=20)
    posts = [m.text for m in h.server.sent_to(STAFF_CHAT)]
    assert posts and all(len(p) <= 4096 for p in posts)
    shown = "".join(posts)
    for piece in (question[:1000], question[-500:]):
        assert piece.strip() in shown


async def test_a_restart_between_reply_pressed_and_the_answer_typed_loses_nothing(
    harness: BotHarness, faq_service: FaqService
) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    await h.server.next_message(STAFF_CHAT)  # the prompt
    await h.restart(faq_service)
    h.server.user_sends(
        "Отвечаю после перезапуска: <можно>", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup",
    )  # fmt: skip
    answer = await h.server.next_message(PARENT.id, timeout=10)
    assert "Отвечаю после перезапуска: <можно>" in answer.text and f"№{ticket_id}" in answer.text
