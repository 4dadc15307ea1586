"""Bad input in MAX gets a clear Russian message and loses nothing: forged and stale button
payloads, malformed updates (over long polling and on the webhook), over-long questions,
HTML-looking names and texts, a double tap, a restart in the middle of the profile
questionnaire — over the fake MAX and Telegram servers, real HTTP, as a person would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession
from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.app.web import MAX_SECRET_HEADER, MaxWebServer
from bot.services.faq import FaqService
from bot.services.tickets.posting import POST_BODY_LIMIT
from bot.texts import events as t
from bot.texts import max as max_texts
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Registration,
    RegistrationStatus,
    TeacherProfile,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from storage.repositories import Repositories
from tests.conftest import STAFF_CHAT, Backend, make_settings, start_bot, stop_bot
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event
from tests.helpers.max_bot import answered, max_settings
from tests.helpers.max_both import (
    MOTHER,
    SOON,
    TEACHER_MAX,
    UNKNOWN,
    Both,
    as_parent,
    labels,
    new_runtime,
    press_and_wait,
    seed_max_teacher,
    wait_edited,
)

ADMIN_MAX = MaxUser(50_000_000_001, "Анна", "Методист")
STRANGER = MaxUser(50_000_000_777, "Игорь", "Чужой")
HTML_NAME = MaxUser(50_000_000_555, "<b>Оля", "& <Ко>")
HUGE = "9" * 25  # no id column holds it: a query with it would raise, not find nothing
SUPERSCRIPT = "²"  # str.isdigit() says yes, int() says no


async def tickets(sm: SessionMaker) -> list[Ticket]:
    async with sm() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def open_ticket(h: Both, user: MaxUser, question: str = UNKNOWN) -> Message:
    """The person asks what the FAQ does not know and presses «Спросить специалиста»."""
    offer = await h.say(user, question)
    before = len(h.max.sent_to(user))
    await h.press(user, offer, texts.BTN_ASK_SHORT)
    created = (await h.max.wait_sent(user, before + 1))[-1]
    assert "Номер обращения" in created.plain
    return created


@pytest.fixture
async def max_only(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[MaxRuntime]:
    """No Telegram: tickets go to the MAX_ADMIN_IDS admin privately."""
    settings = max_settings(db_path, max_server, ADMIN_MAX)
    runtime = new_runtime(Services(settings, sessionmaker, faq_service))
    await runtime.start()
    yield runtime
    await runtime.stop()


# --- forged and stale buttons -------------------------------------------------------------


async def test_forged_payloads_are_answered_in_russian_and_change_nothing(both: Both) -> None:
    h = both
    await as_parent(h, STRANGER)
    await open_ticket(h, STRANGER)  # ticket №1, not the mother's
    await as_parent(h)
    menu = await h.say(MOTHER, "/faq")
    cases = {
        # a parent trying the staff buttons of someone's ticket
        "tk:reply:1": texts.ADMIN_ONLY,
        "tk:close:1": texts.ADMIN_ONLY,
        "tk:draft:1": texts.ADMIN_ONLY,
        # the asker's own buttons on someone else's ticket, or on no ticket at all
        "tk:withdraw:1": texts.TICKET_NOT_YOURS,
        f"tk:solved:{HUGE}": texts.TICKET_NOT_YOURS,
        f"tk:more:{SUPERSCRIPT}": texts.TICKET_NOT_YOURS,
        f"tk:reply:{HUGE}": texts.ADMIN_ONLY,
        f"ev:reg:{SUPERSCRIPT}": t.EVENT_GONE,
        f"ev:card:{HUGE}": t.EVENT_GONE,
        f"evl:seminar:{SUPERSCRIPT}:0": max_texts.STALE_BUTTON,
        f"evl::0:{SUPERSCRIPT}": max_texts.STALE_BUTTON,
        "role:admin": max_texts.STALE_BUTTON,
        "role:staff": texts.ROLE_STAFF_ONLY,
        "faq:e:no.such.entry": texts.FAQ_STALE_BUTTON,  # and the topics are shown
        # nobody's prefix: a button of an old version, or made up
        "zzz": max_texts.STALE_BUTTON,
        "": max_texts.STALE_BUTTON,
    }
    for payload, expected in cases.items():
        callback = h.max.press_payload(MOTHER, menu, payload)
        assert await answered(h.max, callback) == expected, payload

    # the ask button with someone else's (or an impossible) question id asks anew
    for payload in (f"ask:{HUGE}", f"ask:{SUPERSCRIPT}"):
        before = len(h.max.sent_to(MOTHER))
        h.max.press_payload(MOTHER, menu, payload)
        prompt = (await h.max.wait_sent(MOTHER, before + 1))[-1]
        assert prompt.plain.startswith("Напишите ваш вопрос")
    assert all(texts.ERROR not in m.plain for m in h.max.sent_to(MOTHER))
    [ticket] = await tickets(h.sessionmaker)
    assert ticket.status == TicketStatus.OPEN  # nobody closed or withdrew it


async def test_forged_staff_payloads_from_a_max_admin_name_the_missing_ticket(
    max_only: MaxRuntime, max_server: FakeMaxServer
) -> None:
    fake = max_server
    fake.bot_started(ADMIN_MAX)
    greeting = (await fake.wait_sent(ADMIN_MAX, 1))[0]
    for payload in ("tk:reply:999", f"tk:close:{HUGE}", f"tk:reply:{SUPERSCRIPT}"):
        callback = fake.press_payload(ADMIN_MAX, greeting, payload)
        assert await answered(fake, callback) == texts.STAFF_TICKET_GONE, payload
    assert len(fake.sent_to(ADMIN_MAX)) == 1  # no «Напишите ответ», no apology


# --- malformed updates --------------------------------------------------------------------


async def test_malformed_updates_are_dropped_and_polling_goes_on(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    me = MOTHER.json()
    h.max.push_update("message_created")  # no message at all
    h.max.push_update("message_created", message="garbage")
    h.max.push_update("message_created", message={"sender": "x", "body": ["y"]})
    h.max.push_update("message_created", message={"sender": {"user_id": "abc"}, "body": {}})
    h.max.push_update("message_callback", callback=None, message=None)
    h.max.push_update("message_callback", callback={"user": me, "payload": 5})
    h.max.push_update("bot_started", user="nobody", chat_id="x")
    h.max.push_update("bot_added", chat_id=None, user=None)
    h.max.push_update("message_created", message={"sender": me, "body": {"text": 42}})
    await asyncio.sleep(1.5)  # polled as one batch; the next message comes in the next one
    answer = await h.say(MOTHER, "/help")  # polling goes on: it is read and answered
    assert "/ask" in answer.plain
    assert all(texts.ERROR not in m.plain for m in h.max.sent_to(MOTHER)[before:])


SECRET = "max_hook-secret_42"


async def test_the_webhook_answers_garbage_with_400_and_serves_the_next_update(
    db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService, max_server: FakeMaxServer
) -> None:
    settings = make_settings(
        db_path, max_bot_token=max_server.token, max_api_url=max_server.url,
        max_webhook_url="https://bot.example.org/max/hook", max_webhook_secret=SECRET,
        web_port=0,
    )  # fmt: skip
    services = Services(settings, sessionmaker, faq_service)
    runtime = MaxRuntime(
        settings, sessionmaker, faq_service, services.querylog, services.clock,
        services.switchboard,
    )  # fmt: skip
    server = MaxWebServer(settings, runtime.dispatcher.feed, sessionmaker)
    await server.start()
    try:
        await runtime.start()
        local = f"http://127.0.0.1:{server.port}/max/hook"
        headers = {MAX_SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with ClientSession() as http:
            for body in (b"{not json", b"[1, 2]", b'"text"', b'{"no": "type"}', b"\xff\xfe"):
                async with http.post(local, data=body, headers=headers) as response:
                    assert response.status == 400, body
            # an update of a known type with nonsense inside: taken (200) and dropped, so MAX
            # does not deliver it again and again
            for odd in ({"update_type": "message_created", "message": "x"},
                        {"update_type": "message_callback", "callback": [1]},
                        {"update_type": "dialog_muted", "chat_id": "x", "user": "y"},
                        {"update_type": "something_new", "timestamp": 1}):  # fmt: skip
                async with http.post(local, json=odd, headers=headers) as response:
                    assert response.status == 200, odd
        [sub] = max_server.subscriptions
        sub["url"] = local  # the fake now delivers what happens in MAX to our listener
        max_server.bot_started(MOTHER)
        welcome = await max_server.wait_sent(MOTHER, 1)
        assert "Кто вы?" in welcome[0].plain
    finally:
        await runtime.stop()
        await server.stop()


# --- over-long texts ----------------------------------------------------------------------


async def test_an_overlong_question_after_ask_is_refused_and_the_dialog_waits(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    too_long = ("Очень подробно: " + "ребёнок занимается в двух кружках. " * 110).strip()
    assert POST_BODY_LIMIT < len(too_long) <= 4000  # MAX itself takes up to 4000
    refused = await h.say(MOTHER, too_long)
    assert f"{len(too_long)} символов" in refused.plain and str(POST_BODY_LIMIT) in refused.plain
    assert "Спросить специалиста" not in refused.plain  # that is what they are doing
    assert await tickets(h.sessionmaker) == []
    created = await h.say(MOTHER, "Можно ли перенести сертификат в другой кружок?")  # still /ask
    assert created.plain.startswith("Передал ваш вопрос специалисту")
    post = await h.tg.next_message(STAFF_CHAT)
    assert post.text and "перенести сертификат" in post.text


async def test_an_overlong_free_text_offers_a_specialist_who_gets_all_of_it(both: Both) -> None:
    h = both
    await as_parent(h)
    story = "История: " + "мы переехали из другого города и сменили школу. " * 70
    assert 1000 < len(story) <= 4000
    offer = await h.say(MOTHER, story)
    assert "очень длинное" in offer.plain
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await h.max.wait_sent(MOTHER, before + 1))[-1].plain
    [ticket] = await tickets(h.sessionmaker)
    assert ticket.question == story.strip()  # the whole text is kept for staff
    post = await h.tg.next_message(STAFF_CHAT)
    assert post.text and "мы переехали" in post.text and len(post.text) <= 4096


async def test_a_max_admins_overlong_answer_reaches_the_parent_whole(
    max_only: MaxRuntime, max_server: FakeMaxServer
) -> None:
    fake = max_server
    fake.bot_started(ADMIN_MAX)
    await fake.wait_sent(ADMIN_MAX, 1)
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 2)
    fake.user_writes(MOTHER, UNKNOWN)
    fake.press(MOTHER, (await fake.wait_sent(MOTHER, 3))[-1], texts.BTN_ASK_SHORT)
    await fake.wait_sent(MOTHER, 4)
    post = (await fake.wait_sent(ADMIN_MAX, 2))[-1]
    fake.press(ADMIN_MAX, post, texts.BTN_REPLY)
    await fake.wait_sent(ADMIN_MAX, 3)
    answer = "Подробный ответ. " * 230 + "Конец ответа."
    assert len(answer) <= 4000
    fake.user_writes(ADMIN_MAX, answer)
    assert "доставлен" in (await fake.wait_sent(ADMIN_MAX, 4, within=20))[-1].plain
    got = fake.sent_to(MOTHER)[4:]
    assert "Ответ специалиста МОЦ" in got[0].plain
    assert "Конец ответа." in got[-1].plain
    assert "".join(m.plain for m in got).count("Подробный ответ.") == 230


# --- HTML-looking names and texts ---------------------------------------------------------


async def test_html_looking_names_and_texts_stay_text_for_parents_and_staff(both: Both) -> None:
    h = both
    welcome = await h.start(HTML_NAME)  # the fake refuses unbalanced or unknown tags
    assert "Здравствуйте, <b>Оля!" in welcome.plain
    await h.press(HTML_NAME, welcome, texts.ROLE_TITLES["parent"])
    await h.max.wait_sent(HTML_NAME, 2)
    question = "<i>можно</i> ли привести <собаку> & кошку на занятие?"
    await open_ticket(h, HTML_NAME, question)
    post = await h.tg.next_message(STAFF_CHAT)
    assert post.text and "<b>Оля & <Ко>" in post.text and "<собаку> & кошку" in post.text


async def test_html_in_a_max_admins_answer_and_the_askers_name_stay_text(
    max_only: MaxRuntime, max_server: FakeMaxServer
) -> None:
    fake = max_server
    fake.bot_started(ADMIN_MAX)
    await fake.wait_sent(ADMIN_MAX, 1)
    fake.bot_started(HTML_NAME)
    welcome = (await fake.wait_sent(HTML_NAME, 1))[0]
    fake.press(HTML_NAME, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(HTML_NAME, 2)
    fake.user_writes(HTML_NAME, "<b>собаку</b> на занятие можно?")
    fake.press(HTML_NAME, (await fake.wait_sent(HTML_NAME, 3))[-1], texts.BTN_ASK_SHORT)
    await fake.wait_sent(HTML_NAME, 4)
    post = (await fake.wait_sent(ADMIN_MAX, 2))[-1]
    assert "<b>Оля & <Ко>" in post.plain and "<b>собаку</b>" in post.plain
    fake.press(ADMIN_MAX, post, texts.BTN_REPLY)
    await fake.wait_sent(ADMIN_MAX, 3)
    fake.user_writes(ADMIN_MAX, "Да, <i>можно</i> & нужно </b>")
    answer = (await fake.wait_sent(HTML_NAME, 5))[-1]
    assert "Да, <i>можно</i> & нужно </b>" in answer.plain


# --- double taps and restarts -------------------------------------------------------------


async def test_a_double_tap_on_register_books_one_seat_and_says_so(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=5, starts_at=SOON, title="Семинар")
    card = await h.start(TEACHER_MAX, f"event_{event_id}")
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.press(TEACHER_MAX, card, t.BTN_REGISTER)
    h.max.press(TEACHER_MAX, card, t.BTN_REGISTER)
    # the first: confirmation, .ics; the second: «уже записаны»; each turns the card in place
    await h.max.wait_sent(TEACHER_MAX, before + 3, within=15)
    await wait_edited(card, 1)
    await asyncio.sleep(0.5)  # nothing more comes: no second or third card
    sent = [m.plain for m in h.max.sent_to(TEACHER_MAX)[before:]]
    assert len(sent) == 3, sent
    assert "Вы: записаны" in card.plain and t.BTN_CANCEL_REG in labels(card)
    assert sum("Вы записаны" in m for m in sent) == 1
    assert sum(t.ALREADY in m for m in sent) == 1
    async with h.sessionmaker() as session:
        [registration] = (await session.scalars(select(Registration))).all()
    assert registration.status == RegistrationStatus.REGISTERED


async def test_a_double_tap_on_ask_a_specialist_makes_one_ticket_with_one_question(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    offer = await h.say(MOTHER, UNKNOWN)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    await h.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, before + 2)
    await asyncio.sleep(1.5)  # a follow-up would reach staff through the relay by now
    [ticket] = await tickets(h.sessionmaker)
    async with h.sessionmaker() as session:
        extra = (await session.scalars(select(TicketMessage))).all()
    assert [m.text for m in extra] == [UNKNOWN]  # the question, not doubled
    assert ticket.question == UNKNOWN
    posts = h.tg.sent_to(STAFF_CHAT)
    assert sum(UNKNOWN in (p.text or "") for p in posts) == 1


async def test_a_restart_between_reply_and_the_answer_loses_nothing(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """MAX only: the admin presses «Ответить», the bot restarts, the next message is still
    the answer (the step is in the database)."""
    fake = max_server
    settings = max_settings(db_path, fake, ADMIN_MAX)
    services = Services(settings, sessionmaker, faq_service)
    runtime = new_runtime(services)
    await runtime.start()
    try:
        fake.bot_started(ADMIN_MAX)
        await fake.wait_sent(ADMIN_MAX, 1)
        fake.bot_started(MOTHER)
        fake.press(MOTHER, (await fake.wait_sent(MOTHER, 1))[0], texts.ROLE_TITLES["parent"])
        await fake.wait_sent(MOTHER, 2)
        fake.user_writes(MOTHER, UNKNOWN)
        fake.press(MOTHER, (await fake.wait_sent(MOTHER, 3))[-1], texts.BTN_ASK_SHORT)
        await fake.wait_sent(MOTHER, 4)
        post = (await fake.wait_sent(ADMIN_MAX, 2))[-1]
        fake.press(ADMIN_MAX, post, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN_MAX, 3)
        await runtime.stop()
        runtime = new_runtime(services)
        await runtime.start()
        fake.user_writes(ADMIN_MAX, "Да, с собакой-поводырём можно.")
        answer = (await fake.wait_sent(MOTHER, 5))[-1]
        assert "Ответ специалиста МОЦ" in answer.plain and "поводырём" in answer.plain
        assert "доставлен" in (await fake.wait_sent(ADMIN_MAX, 4))[-1].plain
    finally:
        await runtime.stop()


LONG_ORG = (
    "Муниципальное бюджетное учреждение дополнительного образования «Центр детского "
    "творчества и технического конструирования Ленинского района города N»"
)
DIRECTORY = [f"МБОУ «Средняя общеобразовательная школа № {n} имени героев»" for n in range(30)]


@pytest.fixture
async def both_on(
    backend: Backend, server: FakeTelegramServer, max_server: FakeMaxServer,
    faq_service: FaqService,
) -> AsyncIterator[Both]:  # fmt: skip
    """`both` on SQLite, then on PostgreSQL (dialogs of Telegram in Redis there)."""
    settings = backend.settings(max_bot_token=max_server.token, max_api_url=max_server.url)
    engine = create_engine(settings.database_url)
    sm = create_sessionmaker(engine)
    services = Services(settings, sm, faq_service)
    bot, dp, task = await start_bot(server, settings, sm, faq_service, services=services)
    runtime = new_runtime(services)
    await runtime.start()
    h = Both(server, max_server, settings, sm, services, dp, bot, task, runtime)
    yield h
    await h.runtime.stop()
    await stop_bot(h.dp, h.task)
    await engine.dispose()


async def test_a_restart_in_the_middle_of_the_profile_questionnaire_loses_nothing(
    both_on: Both,
) -> None:
    """Long true answers and a full directory of organisations: all of it waits in the
    dialog's state through three restarts (PostgreSQL checks the column's length)."""
    h = both_on
    async with h.sessionmaker() as session:
        await Repositories(session).profiles.add_organisations(DIRECTORY)
        await session.commit()
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар для новичков")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    await h.restart_max()
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    orgs = await h.say(TEACHER_MAX, "Соколова-Преображенская Марина-Анастасия Ивановна")
    assert "организаци" in orgs.plain
    await h.restart_max()
    (typed,) = await press_and_wait(h, orgs, t.BTN_ORG_OTHER, 1)
    assert "напишите" in typed.plain.lower()
    position = await h.say(TEACHER_MAX, LONG_ORG)  # the next step, not the FAQ
    (contact,) = await press_and_wait(h, position, t.POSITIONS[0], 1)
    assert "телефон" in contact.plain.lower()
    await h.restart_max()
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.user_writes(TEACHER_MAX, "+7 900 123-45-67")
    mailing = (await h.max.wait_sent(TEACHER_MAX, before + 2, within=15))[-1]
    await h.restart_max()
    saved, confirmation, _ics = await press_and_wait(h, mailing, t.BTN_MAIL_NO, 3)
    assert t.PROFILE_SAVED in saved.plain and "Семинар для новичков" in confirmation.plain
    assert all(texts.ERROR not in m.plain for m in h.max.sent_to(TEACHER_MAX))
    async with h.sessionmaker() as session:
        profile = (await session.scalars(select(TeacherProfile))).one()
        registration = (await session.scalars(select(Registration))).one()
    assert profile.full_name == "Соколова-Преображенская Марина-Анастасия Ивановна"
    assert profile.organisation == LONG_ORG and profile.contact == "+7 900 123-45-67"
    assert registration.status == RegistrationStatus.REGISTERED
