"""MAX is hostile too: 429 without a hint, 403 `chat.denied` for a person who stopped the bot,
4000 characters a message. Each case a person could meet, through the real bot, the real MAX
runtime and the fake MAX server (real HTTP) told to refuse the next calls: reminders to a
teacher, a MAX-only ticket's post to staff, a long staff answer, a long FAQ page, a press."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService, consult
from bot.services.faq.additions import Additions
from bot.services.faq.editing import with_edit
from bot.services.faq.edits import EntryEdit
from storage.db import SessionMaker
from storage.models import Ticket, User
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import TEXT_LIMIT, MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event
from tests.helpers.max_bot import max_settings
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent, new_runtime, seed_max_teacher
from tests.helpers.wait import until

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
TEACHER = MaxUser(50_000_000_321, "Марина", "Соколова")
OTHER = MaxUser(50_000_000_322, "Ирина", "Волкова")
MAX_ADMIN = MaxUser(50_000_000_001, "Анна", "Методист")
SECOND_ADMIN = MaxUser(50_000_000_002, "Олег", "Завуч")
LONG_ENTRY = "certificate.what"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def both(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    clock: FrozenClock,
) -> AsyncIterator[Both]:
    """Telegram and MAX in one process, the background jobs on a clock the test moves."""
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, clock, reminder_every_seconds=1
    ) as h:
        yield h


async def registered(sm: SessionMaker, *teachers: MaxUser) -> list[int]:
    """These MAX teachers registered for one seminar at START; their internal ids."""
    event_id = await seed_event(sm, starts_at=START, title="Семинар «Наставники»")
    uids = []
    for teacher in teachers:
        uid = await seed_max_teacher(sm, teacher)
        async with sm() as session:
            repo = Repositories(session)
            assert (await repo.events.register(event_id, uid)).outcome == "registered"
            await repo.commit()
        uids.append(uid)
    return uids


def attempts_to(fake: FakeMaxServer, user: MaxUser) -> int:
    """POST /messages to this person's dialog, refused or not."""
    return sum(
        c.query.get("user_id") == str(user.user_id) for c in fake.calls_to("POST", "/messages")
    )


# ----------------------------------------------------------------- reminders


async def test_a_max_teacher_who_stopped_the_bot_is_marked_and_not_asked_again(
    both: Both, clock: FrozenClock
) -> None:
    h = both
    gone, _ = await registered(h.sessionmaker, TEACHER, OTHER)
    h.max.dialog(OTHER)
    h.max.block(TEACHER)  # MAX answers 403 chat.denied to every send into that dialog

    clock.set(START - timedelta(hours=23, minutes=50))
    (reminder,) = await h.max.wait_sent(OTHER, 1, within=15)
    assert "Напоминание" in reminder.plain

    async def marked() -> bool:
        async with h.sessionmaker() as session:
            user = await session.get(User, gone)
            return user is not None and not user.is_active

    await until(marked, 10, "the teacher who stopped the bot to be marked inactive")
    assert attempts_to(h.max, TEACHER) == 1, "a 403 is final: one try, no retry loop"

    clock.set(START - timedelta(minutes=55))
    await h.max.wait_sent(OTHER, 2, within=15)
    await asyncio.sleep(1.5)  # another pass of the scheduler
    assert attempts_to(h.max, TEACHER) == 1, "not asked again at the next lead time"
    assert ["Напоминание" in m.plain for m in h.max.sent_to(OTHER)] == [True, True]


async def test_a_max_reminder_waits_out_429s_and_arrives_once(
    both: Both, clock: FrozenClock
) -> None:
    h = both
    await registered(h.sessionmaker, TEACHER)
    h.max.dialog(TEACHER)
    h.max.fail_next(429, "too.many.requests", "slow down", times=3)
    clock.set(START - timedelta(hours=23, minutes=50))
    (reminder,) = await h.max.wait_sent(TEACHER, 1, within=20)
    assert "Напоминание" in reminder.plain and "Семинар «Наставники»" in reminder.plain
    refused = [c for c in h.max.calls_to("POST", "/messages") if c.status == 429]
    assert len(refused) == 3
    await asyncio.sleep(1.5)
    assert len(h.max.sent_to(TEACHER)) == 1


# ----------------------------------------------------------------- staff answers and FAQ


async def test_a_staff_answer_too_long_for_one_max_message_arrives_whole(both: Both) -> None:
    """Telegram takes 4096 characters, MAX 4000: the answer is split, nothing cut off."""
    h = both
    await as_parent(h)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    await h.max.wait_sent(MOTHER, 4)
    post = await h.tg.next_message(STAFF_CHAT)

    paragraphs: list[str] = []
    while len(answer := "\n\n".join([*paragraphs, "КОНЕЦ ОТВЕТА"])) < TEXT_LIMIT + 30:
        paragraphs.append(f"Пункт {len(paragraphs) + 1}: " + "справка о здоровье, " * 6)
    assert TEXT_LIMIT < len(answer) < 4096
    before = len(h.max.sent_to(MOTHER))
    h.tg.user_sends(
        answer, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )  # fmt: skip
    confirm = await h.tg.next_message(STAFF_CHAT, timeout=20)
    assert "доставлен" in confirm.text
    got = h.max.sent_to(MOTHER)[before:]
    assert len(got) >= 2 and all(len(m.text) <= TEXT_LIMIT for m in got)
    shown = "\n".join(m.plain for m in got)
    for paragraph in paragraphs:
        assert paragraph.strip() in shown
    assert got[-1].plain.rstrip().endswith("КОНЕЦ ОТВЕТА")
    assert texts.BTN_SOLVED in [b["text"] for row in got[-1].buttons() for b in row]
    assert not got[0].buttons(), "the buttons come once, under the last part"


@pytest.fixture(scope="module")
def long_faq() -> FaqService:
    """The shipped knowledge base with one answer edited (as in the panel) to pass `faq check`
    (≤ 4096, Telegram's limit) yet outgrow MAX's 4000."""
    entry = FaqService(None).kb.entries[LONG_ENTRY]
    tail = "\n\n".join(f"Шаг {n}: проверьте данные в личном кабинете." for n in range(1, 90))
    answer = f"{entry.answer}\n\n{tail}"[:4300] + "\n\nКОНЕЦ СТАТЬИ"  # rendered: ~4050
    edit = EntryEdit(
        entry.id, entry.category, entry.audience, entry.title, answer, entry.questions,
        entry.links, entry.related, entry.checked,
    )  # fmt: skip
    return FaqService(None, additions=with_edit(Additions(), edit))


@pytest.fixture
async def long_kb(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    long_faq: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(server, max_server, db_path, sessionmaker, long_faq) as h:
        yield h


async def test_an_faq_answer_longer_than_max_takes_comes_whole_asked_or_browsed(
    long_kb: Both, long_faq: FaqService
) -> None:
    h = long_kb
    view = consult.entry_view(long_faq, h.settings, LONG_ENTRY)
    assert TEXT_LIMIT < len(view.text) <= 4096, "valid for `faq check`, too long for MAX"
    await as_parent(h)

    before = len(h.max.sent_to(MOTHER))
    h.max.user_writes(MOTHER, long_faq.kb.entries[LONG_ENTRY].questions[0])
    await h.max.wait_sent(MOTHER, before + 2)
    await asyncio.sleep(0.5)
    asked = h.max.sent_to(MOTHER)[before:]
    assert asked[-1].plain.rstrip().endswith("КОНЕЦ СТАТЬИ"), "nothing cut off"
    assert all(len(m.text) <= TEXT_LIMIT for m in asked)
    assert asked[-1].buttons() and not asked[0].buttons()

    sections = await h.say(MOTHER, "/faq")
    category = long_faq.kb.entries[LONG_ENTRY].category
    label = next(b["text"] for row in sections.buttons() for b in row if category in b["payload"])
    callback = await h.press(MOTHER, sections, label)
    await until(lambda: answered(h, callback), 10, "the section page")
    entry = next(b for row in sections.buttons() for b in row if b["payload"].endswith(LONG_ENTRY))
    before = len(h.max.sent_to(MOTHER))
    callback = await h.press(MOTHER, sections, entry["text"])
    await h.max.wait_sent(MOTHER, before + 2, within=10)
    await asyncio.sleep(0.5)
    shown = h.max.sent_to(MOTHER)[before:]
    assert shown[-1].plain.rstrip().endswith("КОНЕЦ СТАТЬИ"), "too long to edit in: sent anew"
    assert all(len(m.text) <= TEXT_LIMIT for m in shown)
    assert await answered(h, callback), "the press itself was answered too"


async def answered(h: Both, callback: str) -> bool:
    return any(cid == callback for cid, _ in h.max.answers)


# ----------------------------------------------------------------- presses


async def test_a_browse_press_met_by_429_still_shows_the_page(both: Both) -> None:
    """POST /answers is rate-limited like a send: the page a parent asked for is not lost
    (and no apology for a 429)."""
    h = both
    await as_parent(h)
    page = await h.say(MOTHER, "/faq")
    first = page.buttons()[0][0]["text"]
    sent_before = len(h.max.sent_to(MOTHER))
    h.max.fail_next(429, "too.many.requests", "slow down", path="/answers", times=2)
    callback = await h.press(MOTHER, page, first)

    await until(lambda: answered(h, callback), 15, "the press to be answered")
    body = dict(h.max.answers)[callback]
    assert body.get("message"), "the new page came with the answer"
    assert body["message"]["attachments"][0]["type"] == "inline_keyboard"
    await asyncio.sleep(0.5)
    assert not [m for m in h.max.sent_to(MOTHER)[sent_before:] if texts.ERROR[:20] in m.plain]


# ----------------------------------------------------------------- MAX-only staff


@pytest.fixture
async def max_only(
    max_server: FakeMaxServer, db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    """No BOT_TOKEN: tickets go to the two MAX admins privately."""
    settings = max_settings(db_path, max_server, MAX_ADMIN, SECOND_ADMIN, staff_relay_seconds=1)
    runtime = new_runtime(Services(settings, sessionmaker, faq_service))
    await runtime.start()
    try:
        for admin in (MAX_ADMIN, SECOND_ADMIN):
            max_server.bot_started(admin)  # MAX lets a bot write only to who started it
            await max_server.wait_sent(admin, 1)
        yield max_server
    finally:
        await runtime.stop()


async def ask_in_max(fake: FakeMaxServer, refuse: int = 0) -> None:
    """MOTHER asks a question the FAQ does not know; MAX refuses the next `refuse` sends
    once the question is put."""
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 2)
    fake.user_writes(MOTHER, UNKNOWN)
    unknown = (await fake.wait_sent(MOTHER, 3))[-1]
    if refuse:
        fake.fail_next(429, "too.many.requests", "slow down", times=refuse)
    fake.press(MOTHER, unknown, texts.BTN_ASK_SHORT)


@pytest.mark.parametrize("refuse", [3, 4])  # the first admin's post deferred; both deferred
async def test_a_max_only_ticket_whose_staff_post_meets_429s_still_reaches_every_admin(
    max_only: FakeMaxServer, sessionmaker: SessionMaker, refuse: int
) -> None:
    """A post waits a few seconds at most; one MAX would not take then is posted by the relay
    when MAX lets it: late, never lost, once per admin (the one who got it is not asked
    again)."""
    fake = max_only
    await ask_in_max(fake, refuse=refuse)
    told = (await fake.wait_sent(MOTHER, 4, within=20))[-1]
    assert "№1" in told.plain
    for admin in (MAX_ADMIN, SECOND_ADMIN):
        post = (await fake.wait_sent(admin, 2, within=30))[-1]
        assert UNKNOWN in post.plain and "Ольга Петрова" in post.plain
    await asyncio.sleep(2.5)  # two more relay passes: nothing posted twice
    for admin in (MAX_ADMIN, SECOND_ADMIN):
        assert sum(UNKNOWN in m.plain for m in fake.sent_to(admin)) == 1
    async with sessionmaker() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.question == UNKNOWN


async def test_an_admin_who_stopped_the_bot_does_not_keep_the_ticket_from_the_other(
    max_only: FakeMaxServer,
) -> None:
    fake = max_only
    fake.block(SECOND_ADMIN)
    await ask_in_max(fake)
    created = (await fake.wait_sent(MOTHER, 4, within=15))[-1]
    assert created.plain.startswith("Передал ваш вопрос специалисту"), created.plain
    post = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[-1]
    assert UNKNOWN in post.plain
    await asyncio.sleep(2.5)  # the relay has nothing to retry: one admin saw it
    assert attempts_to(fake, SECOND_ADMIN) == 2  # the /start welcome, then one refused post


async def test_the_longest_question_from_max_reaches_a_max_admin_within_the_limit(
    max_only: FakeMaxServer,
) -> None:
    fake = max_only
    question = ("Сертификат ребёнка не активируется, пишет ошибку. " * 90)[:TEXT_LIMIT].strip()
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 2)
    fake.user_writes(MOTHER, question)
    refused = (await fake.wait_sent(MOTHER, 3))[-1]
    assert "очень длинное" in refused.plain
    fake.press(MOTHER, refused, texts.BTN_ASK_SHORT)
    posts = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[1:]
    assert question[:300] in posts[0].plain and "Ольга Петрова" in posts[0].plain
    assert all(len(m.text) <= TEXT_LIMIT for m in posts)
