"""A question the bot cannot answer reaches МОЦ staff, and their answer comes back."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.services.faq import FaqService
from storage.models import FaqDraft, Ticket, TicketMessage
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser

UNKNOWN = "можно ли привести на занятие собаку-поводыря"


async def ask_specialist(h: BotHarness, question: str = UNKNOWN) -> int:
    """The parent asks something unknown and presses «Спросить специалиста»."""
    reply = await h.say(PARENT, question)
    await h.press(PARENT, reply, texts.BTN_ASK_SHORT)
    created = h.server.sent_to(PARENT.id)[-1]
    assert "Номер обращения" in created.text
    async with h.sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    return ticket.id


async def test_unknown_question_becomes_ticket_and_staff_reply_comes_back(
    harness: BotHarness,
) -> None:
    ticket_id = await ask_specialist(harness)
    post = await harness.server.next_message(STAFF_CHAT)
    assert f"Обращение №{ticket_id}" in post.text
    assert UNKNOWN in post.text and "Мария Иванова" in post.text
    assert {"✍️ Ответить", "✅ Закрыть"} <= set(post.inline_texts)

    harness.server.user_sends(
        "Да, <b>можно</b>: возьмите справку.",
        user=ADMIN,
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=post,
    )
    answer = await harness.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in answer.text
    assert "Да, <b>можно</b>: возьмите справку." in answer.text  # shown literally, escaped
    confirm = await harness.server.next_message(STAFF_CHAT)
    assert "доставлен" in confirm.text

    async with harness.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.status == "answered" and ticket.answered_by == ADMIN.id


async def test_reply_button_follow_ups_and_draft(harness: BotHarness) -> None:
    ticket_id = await ask_specialist(harness)
    post = await harness.server.next_message(STAFF_CHAT)

    follow = await harness.say(PARENT, "ребёнку 9 лет, если это важно")
    assert f"№{ticket_id}" in follow.text
    addition = await harness.server.next_message(STAFF_CHAT)
    assert "ребёнку 9 лет" in addition.text

    harness.server.press(post, "✍️ Ответить", user=ADMIN)
    prompt = await harness.server.next_message(STAFF_CHAT)
    assert prompt.reply_markup and prompt.reply_markup.get("force_reply")
    harness.server.user_sends(
        "Можно, предупредите педагога заранее.",
        user=ADMIN,
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=prompt,
    )
    answer = await harness.server.next_message(PARENT.id)
    assert "предупредите педагога" in answer.text
    await harness.server.next_message(STAFF_CHAT)

    harness.server.press(post, texts.BTN_DRAFT, user=ADMIN)
    saved = await harness.server.next_message(STAFF_CHAT)
    assert "Черновик" in saved.text
    async with harness.sessionmaker() as session:
        draft = (await session.scalars(select(FaqDraft))).one()
        messages = (await session.scalars(select(TicketMessage))).all()
    assert draft.answer == "Можно, предупредите педагога заранее."
    assert [m.from_staff for m in messages] == [False, False, True]


async def test_non_staff_cannot_answer_or_close(harness: BotHarness) -> None:
    ticket_id = await ask_specialist(harness)
    await harness.server.callback_answer()  # the «Спросить специалиста» press
    # staff buttons forged from the parent's private chat
    own = harness.server.sent_to(PARENT.id)[-1]
    for action in ("close", "reply", "draft"):
        harness.server.press_data(own, f"tk:{action}:{ticket_id}", user=PARENT)
        answer = await harness.server.callback_answer()
        assert "только для сотрудников" in answer.params["text"]
    assert len(harness.server.sent_to(STAFF_CHAT)) == 1  # only the ticket post itself
    async with harness.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None and ticket.status == "open"


async def test_blocked_asker_staff_is_told(harness: BotHarness) -> None:
    await ask_specialist(harness)
    post = await harness.server.next_message(STAFF_CHAT)
    harness.server.block(PARENT.id)
    harness.server.user_sends(
        "Ответ", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    note = await harness.server.next_message(STAFF_CHAT)
    assert "не доставлен" in note.text
    async with harness.sessionmaker() as session:
        message = (
            await session.scalars(select(TicketMessage).where(TicketMessage.from_staff))
        ).one()
    assert message.delivered is False


async def test_restart_in_the_middle_of_a_ticket_loses_nothing(
    harness: BotHarness, server: FakeTelegramServer, faq_service: FaqService
) -> None:
    ticket_id = await ask_specialist(harness)
    post = await harness.server.next_message(STAFF_CHAT)
    await stop_bot(harness.dp, harness.task)

    # the bot is down; the staff member replies meanwhile
    server.user_sends(
        "Отвечаю после перезапуска",
        user=ADMIN,
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=post,
    )
    harness.bot, harness.dp, harness.task = await start_bot(
        server, harness.settings, harness.sessionmaker, faq_service
    )
    answer = await server.next_message(PARENT.id)
    assert "Отвечаю после перезапуска" in answer.text and f"№{ticket_id}" in answer.text


async def test_ask_dialog_survives_restart(
    harness: BotHarness, server: FakeTelegramServer, faq_service: FaqService
) -> None:
    prompt = await harness.say(PARENT, texts.BTN_ASK)
    assert "Напишите ваш вопрос" in prompt.text
    await harness.restart(faq_service)
    created = await harness.say(PARENT, "вопрос после перезапуска")
    assert "Номер обращения" in created.text


async def test_an_overlong_question_to_staff_is_refused_and_the_dialog_waits(
    harness: BotHarness,
) -> None:
    await harness.say(PARENT, texts.BTN_ASK)
    too_long = ("Очень подробно: " + "ребёнок занимается в двух кружках. " * 110).strip()
    refused = await harness.say(PARENT, too_long)
    assert f"{len(too_long)} символов" in refused.text and "3500" in refused.text
    assert "Спросить специалиста" not in refused.text  # that is what the parent is doing
    async with harness.sessionmaker() as session:
        assert (await session.scalars(select(Ticket))).first() is None
    created = await harness.say(PARENT, "Можно ли перенести сертификат в другой кружок?")
    assert "Номер обращения" in created.text


async def test_a_double_tap_on_ask_makes_one_ticket_with_one_question(
    harness: BotHarness,
) -> None:
    h = harness
    offer = await h.say(PARENT, UNKNOWN)
    h.server.press(offer, texts.BTN_ASK_SHORT, user=PARENT)
    h.server.press(offer, texts.BTN_ASK_SHORT, user=PARENT)  # before the keyboard is gone
    await h.server.idle(quiet=1.5)  # a follow-up would reach staff through the relay by now
    async with h.sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
        messages = (await session.scalars(select(TicketMessage))).all()
    assert [m.text for m in messages] == [UNKNOWN] and ticket.question == UNKNOWN
    assert sum(UNKNOWN in (p.text or "") for p in h.server.sent_to(STAFF_CHAT)) == 1


async def test_an_html_looking_name_and_question_stay_text_for_staff(
    harness: BotHarness,
) -> None:
    odd = FakeUser(id=2099, first_name="<b>Оля", last_name="& <Ко>")
    welcome = await harness.say(odd, "/start")  # the fake refuses HTML Telegram cannot parse
    assert "Здравствуйте, <b>Оля!" in welcome.text
    await harness.press(odd, welcome, texts.ROLE_TITLES["parent"])
    offer = await harness.say(odd, "<i>можно</i> ли привести <собаку> & кошку на занятие?")
    await harness.press(odd, offer, texts.BTN_ASK_SHORT)
    post = await harness.server.next_message(STAFF_CHAT)
    assert "<b>Оля & <Ко>" in post.text and "<собаку> & кошку" in post.text


async def test_an_answer_sent_while_the_parent_had_blocked_the_bot_arrives_after_start(
    harness: BotHarness,
) -> None:
    """«Ответ сохранён в обращении», staff read; the parent who unblocks the bot and presses
    /start gets it then, once (before, it stayed in the ticket and the parent never saw it)."""
    h = harness
    await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    await h.server.idle()  # the parent's press is handled through before they block the bot
    h.server.block(PARENT.id)
    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    note = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert "не доставлен" in note.text
    h.server.unblock(PARENT.id)
    await h.say(PARENT, "/start")
    answer = await h.server.next_message(PARENT.id, timeout=10)
    assert "Ответ специалиста МОЦ" in answer.text and "Да, можно." in answer.text
    await h.say(PARENT, "/start")
    assert sum("Да, можно." in m.text for m in h.server.sent_to(PARENT.id)) == 1
