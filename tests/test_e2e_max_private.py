"""Issue 11: a parent in MAX gets the same bot — FAQ answers, browsing, «Спросить специалиста»
with the ticket in the Telegram staff chat and the staff answer back in MAX, /forget_me — over
the fake MAX server and the fake Telegram server, both real HTTP, in one process."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Ticket, User
from tests.conftest import ADMIN, STAFF_CHAT
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import max_settings
from tests.helpers.max_both import KNOWN, MOTHER, UNKNOWN, Both, as_parent, labels, new_runtime
from tests.helpers.wait import until


async def test_a_parent_in_max_gets_the_kb_answer_and_browses(both: Both) -> None:
    h = both
    await as_parent(h)
    assert h.max.answers, "the role press was answered (POST /answers)"
    answer = await h.say(MOTHER, KNOWN)
    assert "активир" in answer.plain.lower()
    assert answer.format == "html"
    assert texts.BTN_ASK_INLINE in [b["text"] for row in answer.buttons() for b in row]

    page = await h.say(MOTHER, "/faq")
    assert texts.FAQ_CATEGORIES in page.text or page.buttons()
    first = page.buttons()[0][0]["text"]
    callback = await h.press(MOTHER, page, first)
    # the page is edited in place through POST /answers
    await until(lambda: any(cid == callback for cid, _ in h.max.answers), what="the answer")
    body = dict(h.max.answers)[callback]
    assert body["message"]["attachments"][0]["type"] == "inline_keyboard"
    async with h.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.id > 2**60))).one()
    assert user.role == "parent" and user.first_name == ""  # no ticket: no name kept (152-ФЗ)


async def test_a_greeting_in_max_leads_to_the_topics(both: Both) -> None:
    """MAX has no menu under the input field: «здравствуйте» used to say «выберите тему в
    меню» with nothing to choose from; now its button opens every topic."""
    h = both
    await as_parent(h)
    hello = await h.say(MOTHER, "здравствуйте")
    assert "в меню" not in hello.plain
    assert [b["text"] for row in hello.buttons() for b in row] == [texts.BTN_CATEGORIES]
    callback = await h.press(MOTHER, hello, texts.BTN_CATEGORIES)
    await until(lambda: any(cid == callback for cid, _ in h.max.answers), what="the answer")
    body = dict(h.max.answers)[callback]
    keyboard = body["message"]["attachments"][0]["payload"]["buttons"]
    shown = [b["text"] for row in keyboard for b in row]
    assert any("Сертификат" in label for label in shown), shown


async def test_unknown_question_reaches_telegram_staff_and_the_answer_comes_back_to_max(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    created = (await h.max.wait_sent(MOTHER, 4))[-1]
    assert "Номер обращения" in created.plain

    post = await h.tg.next_message(STAFF_CHAT)
    assert "MAX, id" in post.text, "staff see where the answer will go"
    assert UNKNOWN in post.text and "Ольга Петрова" in post.text
    async with h.sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.chat_id > 2**60  # the MAX asker's internal id, never MAX's own

    h.max.fail_next(429, "too.many.requests", times=2)  # MAX refuses the answer twice: 429
    h.tg.user_sends(
        "Да, <b>можно</b>: возьмите справку.", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    confirm = await h.tg.next_message(STAFF_CHAT, timeout=30)
    assert "доставлен" in confirm.text
    got = [m for m in h.max.sent_to(MOTHER) if "Ответ специалиста МОЦ" in m.plain]
    assert len(got) == 1
    assert "Да, <b>можно</b>: возьмите справку." in got[0].plain  # escaped, shown literally
    assert texts.BTN_SOLVED in [b["text"] for row in got[0].buttons() for b in row]
    refused = [c for c in h.max.calls_to("POST", "/messages") if c.status == 429]
    assert len(refused) == 2, "the answer met two 429s from MAX and waited them out"

    await h.press(MOTHER, got[0], texts.BTN_SOLVED)
    thanks = await h.max.wait_sent(MOTHER, len(h.max.sent_to(MOTHER)) + 1, within=10)
    assert texts.TICKET_THANKS in thanks[-1].plain
    async with h.sessionmaker() as session:
        assert (await session.get(Ticket, ticket.id)).status == "closed"  # type: ignore[union-attr]


async def test_a_blocked_parent_is_marked_inactive(both: Both) -> None:
    h = both
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT)
    h.max.block(MOTHER)
    h.tg.user_sends("Ответ", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post)
    note = await h.tg.next_message(STAFF_CHAT, timeout=15)
    assert "не доставлен" in note.text.lower() or "не удалось" in note.text.lower(), note.text
    async with h.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.id > 2**60))).one()
    assert user.is_active is False


async def test_restart_keeps_the_marker_nothing_is_replayed(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, KNOWN)
    sent = len(h.max.sent_to(MOTHER))
    await h.restart_max()
    await h.say(MOTHER, "/help")
    await asyncio.sleep(1.5)  # a replay would answer the old updates again by now
    assert len(h.max.sent_to(MOTHER)) == sent + 1
    gets = h.max.calls_to("GET", "/updates")
    assert any(c.query.get("marker") for c in gets[-3:]), "the marker came from the database"


async def test_forget_me_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, KNOWN)
    data = await h.say(MOTHER, "/my_data")
    assert "Роль: Родитель" in data.plain
    assert f"MAX id: {MOTHER.user_id}" in data.plain
    assert f"Имя из MAX: {texts.MY_DATA_NO_NAME}" in data.plain  # no ticket: not stored
    confirm = await h.say(MOTHER, "/forget_me")
    assert texts.FORGET_CONFIRM[:30] in confirm.plain
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    done = await h.max.wait_sent(MOTHER, len(h.max.sent_to(MOTHER)) + 1)
    assert texts.FORGOTTEN[:20] in done[-1].plain
    async with h.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.id > 2**60))).one_or_none()
    assert user is None or user.role is None


async def test_a_duplicate_update_is_handled_once(both: Both) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    update = {
        "update_type": "message_created", "timestamp": 1, "user_locale": "ru",
        "message": h.max.user_writes(MOTHER, "/help").json(),
    }  # fmt: skip
    await h.max.wait_sent(MOTHER, before + 1)
    await h.runtime.dispatcher.feed(update)
    await h.runtime.dispatcher.feed(update)
    assert len(h.max.sent_to(MOTHER)) == before + 2


async def test_max_only_tickets_go_to_max_admins_who_answer_in_max(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """No BOT_TOKEN: the MAX_ADMIN_IDS admins get the ticket privately and answer it there."""
    admin = MaxUser(50_000_000_001, "Анна", "Методист")
    settings = max_settings(db_path, max_server, admin)
    services = Services(settings, sessionmaker, faq_service)
    runtime = new_runtime(services)
    await runtime.start()
    try:
        max_server.bot_started(admin)  # MAX lets a bot write only to who started it
        await max_server.wait_sent(admin, 1)
        max_server.bot_started(MOTHER)
        welcome = (await max_server.wait_sent(MOTHER, 1))[0]
        max_server.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
        await max_server.wait_sent(MOTHER, 2)
        max_server.user_writes(MOTHER, UNKNOWN)
        unknown = (await max_server.wait_sent(MOTHER, 3))[-1]
        max_server.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
        assert "Номер обращения" in (await max_server.wait_sent(MOTHER, 4))[-1].plain

        post = (await max_server.wait_sent(admin, 2))[-1]
        assert UNKNOWN in post.plain and "Ольга Петрова" in post.plain
        max_server.user_writes(MOTHER, "ребёнку 9 лет, если это важно")  # a follow-up
        assert "№1" in (await max_server.wait_sent(MOTHER, 5))[-1].plain
        note = (await max_server.wait_sent(admin, 3, within=20))[-1]
        assert "дополнение" in note.plain and "ребёнку 9 лет" in note.plain
        max_server.press(admin, post, texts.BTN_REPLY)
        await max_server.wait_sent(admin, 4)
        max_server.user_writes(admin, "Да, с собакой-поводырём можно.")
        answer = (await max_server.wait_sent(MOTHER, 6))[-1]
        assert "Ответ специалиста МОЦ" in answer.plain and "поводырём" in answer.plain
        assert "доставлен" in (await max_server.wait_sent(admin, 5))[-1].plain
    finally:
        await runtime.stop()


async def test_a_deep_link_to_an_event_names_it(both: Both) -> None:
    from tests.helpers.events import seed_event

    event_id = await seed_event(both.sessionmaker, title="Семинар <для> наставников")
    first = await both.start(MOTHER, f"event_{event_id}")
    assert "Семинар <для> наставников" in first.plain  # escaped, shown as typed
    welcome = (await both.max.wait_sent(MOTHER, 2))[-1]
    assert "Кто вы?" in welcome.plain  # a newcomer still chooses a role


async def test_a_restart_between_ask_and_the_question_loses_nothing(both: Both) -> None:
    """The dialog's step is in the database: /ask, a restart, then the question — a ticket."""
    h = both
    await as_parent(h)
    prompt = await h.say(MOTHER, "/ask")
    assert prompt.plain.startswith(texts.ASK_PROMPT.split("<")[0].strip()[:20])
    await h.restart_max()
    created = await h.say(MOTHER, "Мы переехали, как перенести сертификат ребёнка к вам?")
    assert created.plain.startswith("Передал ваш вопрос специалисту")
    post = await h.tg.next_message(STAFF_CHAT)
    assert "перенести сертификат" in post.text


async def test_cancel_in_max_says_telegrams_words_with_the_menu(both: Both) -> None:
    """/cancel (or «отмена» typed) with a dialog open: Telegram's «Действие отменено. Чем
    ещё помочь?» and the person's menu buttons under it, as /menu shows them."""
    h = both
    await as_parent(h)
    menu = await h.say(MOTHER, "/menu")
    assert labels(menu), "a parent's menu has buttons"
    for cancel in ("/cancel", "отмена"):
        await h.say(MOTHER, "/ask")
        cancelled = await h.say(MOTHER, cancel)
        assert cancelled.plain == "Действие отменено. Чем ещё помочь?", cancel
        assert labels(cancelled) == labels(menu), cancel
