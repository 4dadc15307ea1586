"""Telegram's hostile cases no other test walks through the real bot and the fake Bot API (real
HTTP): a 429 on a reminder, a staff answer longer than one message, and a ticket posted to
admins privately (no staff group) when one of them cannot take it at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.markup import MESSAGE_LIMIT
from storage.models import Ticket
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_events import NOW, START, seed_event, seed_teacher
from tests.test_e2e_tickets import UNKNOWN, ask_specialist

SECOND_ADMIN = FakeUser(id=1001, first_name="Олег", last_name="Завуч")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path, request: pytest.FixtureRequest) -> Settings:
    overrides = getattr(request, "param", {})
    return make_settings(db_path, reminder_every_seconds=1, staff_relay_seconds=1, **overrides)


async def test_a_reminder_met_by_429_arrives_after_retry_after_once(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=5)
    await seed_teacher(h.sessionmaker, TEACHER)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, TEACHER.id)).outcome == "registered"
        await repo.commit()
    h.server.fail_next("sendMessage", status=429, retry_after=2, count=2, chat_id=TEACHER.id)

    clock.set(START - timedelta(hours=23, minutes=50))
    reminder = await h.server.next_message(TEACHER.id, timeout=15)
    assert "Напоминание" in reminder.text and "15:00" in reminder.text
    refused = [c for c in h.server.calls if c.method == "sendmessage" and c.error_code == 429]
    assert len(refused) == 2, "both 429s were met and waited out"
    await asyncio.sleep(2.5)  # two more passes of the scheduler: still one reminder
    assert sum("Напоминание" in m.text for m in h.server.sent_to(TEACHER.id)) == 1


async def test_a_staff_answer_longer_than_one_message_reaches_the_parent_whole(
    harness: BotHarness,
) -> None:
    h = harness
    await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    paragraphs: list[str] = []
    while len(answer := "\n\n".join([*paragraphs, "КОНЕЦ ОТВЕТА"])) < MESSAGE_LIMIT - 40:
        paragraphs.append(f"Пункт {len(paragraphs) + 1}: " + "справка о здоровье, " * 6)
    before = len(h.server.sent_to(PARENT.id))
    h.server.user_sends(
        answer, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )  # fmt: skip
    confirm = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert "доставлен" in confirm.text
    got = h.server.sent_to(PARENT.id)[before:]
    assert len(got) >= 2, "with its header the answer is over 4096: it comes in parts"
    assert "Ответ специалиста МОЦ" in got[0].text
    shown = "\n".join(m.text for m in got)
    for paragraph in paragraphs:
        assert paragraph.strip() in shown
    assert got[-1].text.rstrip().endswith("КОНЕЦ ОТВЕТА")
    assert texts.BTN_SOLVED in got[-1].inline_texts
    assert all(not m.inline_texts for m in got[:-1])


NO_STAFF_GROUP = {"staff_chat_id": None, "admin_ids": f"{ADMIN.id},{SECOND_ADMIN.id}"}


@pytest.mark.parametrize("settings", [NO_STAFF_GROUP], indirect=True)
async def test_an_admin_who_cannot_take_the_post_now_gets_it_later_the_other_once(
    harness: BotHarness,
) -> None:
    """Without STAFF_CHAT_ID each admin gets the ticket privately. The first is flooded
    (retry_after beyond STAFF_POST_WAIT_SECONDS): the second gets it at once, the parent
    hears «передал», and the relay brings it to the first when Telegram lets it."""
    h = harness
    h.server.fail_next("sendMessage", status=429, retry_after=5, chat_id=ADMIN.id)
    await ask_specialist(h)
    assert h.server.sent_to(PARENT.id)[-1].text.startswith("Передал ваш вопрос специалисту")
    second = await h.server.next_message(SECOND_ADMIN.id, timeout=10)
    assert UNKNOWN in second.text
    first = await h.server.next_message(ADMIN.id, timeout=20)
    assert UNKNOWN in first.text
    await asyncio.sleep(2.5)  # more relay passes: nobody gets it twice
    for admin in (ADMIN, SECOND_ADMIN):
        assert sum(UNKNOWN in m.text for m in h.server.sent_to(admin.id)) == 1
    async with h.sessionmaker() as session:
        assert len((await session.scalars(select(Ticket))).all()) == 1


STAFF_SUPERGROUP = -1001234500500


async def test_a_staff_group_upgraded_to_a_supergroup_still_gets_tickets_and_answers(
    harness: BotHarness,
) -> None:
    """Telegram moves a group that becomes a supergroup to a new id and refuses the old one
    («group chat was upgraded», migrate_to_chat_id): the post follows it, at once, and a
    reply to it there reaches the parent."""
    h = harness
    h.server.migrate(STAFF_CHAT, STAFF_SUPERGROUP)
    await ask_specialist(h)
    assert h.server.sent_to(PARENT.id)[-1].text.startswith("Передал ваш вопрос специалисту")
    post = await h.server.next_message(STAFF_SUPERGROUP, timeout=10)
    assert UNKNOWN in post.text
    h.server.user_sends(
        "Да, можно: возьмите справку.", user=ADMIN, chat_id=STAFF_SUPERGROUP,
        chat_type="supergroup", reply_to=post,
    )  # fmt: skip
    answer = await h.server.next_message(PARENT.id, timeout=10)
    assert "Ответ специалиста МОЦ" in answer.text and "возьмите справку" in answer.text
    assert "доставлен" in (await h.server.next_message(STAFF_SUPERGROUP, timeout=10)).text


async def test_the_longest_question_reaches_staff_clipped_to_fit_one_post(
    harness: BotHarness,
) -> None:
    """A parent may write 4096 characters; the staff post has a header too: the question is
    clipped to fit (staff read the rest in the panel), never refused by Telegram."""
    h = harness
    question = ("Сертификат ребёнка не активируется, пишет ошибку. " * 90)[:4000].strip()
    refused = await h.say(PARENT, question)
    assert "очень длинное" in refused.text
    await h.press(PARENT, refused, texts.BTN_ASK_SHORT)
    post = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert "Мария Иванова" in post.text and question[:300] in post.text
    assert len(post.text) <= MESSAGE_LIMIT


async def test_tickets_asked_while_the_bot_is_out_of_the_staff_group_reach_staff_privately(
    harness: BotHarness,
) -> None:
    """403 from the staff group (the bot was removed): nothing is lost — each staffer gets the
    ticket privately, saying why, and the parent hears it was passed on (it was); the group,
    back later, gets no second copy to answer twice."""
    h = harness
    h.server.block(STAFF_CHAT)
    reply = await h.say(PARENT, UNKNOWN)
    await h.press(PARENT, reply, texts.BTN_ASK_SHORT)
    told = h.server.sent_to(PARENT.id)[-1]
    assert "Передал ваш вопрос специалисту МОЦ" in told.text, told.text
    card = await h.server.next_message(ADMIN.id, timeout=20)
    assert UNKNOWN in card.text and "Бот не может писать в чат сотрудников" in card.text
    h.server.unblock(STAFF_CHAT)
    await asyncio.sleep(2)
    assert sum(UNKNOWN in m.text for m in h.server.sent_to(ADMIN.id)) == 1
    assert not [m for m in h.server.sent_to(STAFF_CHAT) if UNKNOWN in m.text]


async def test_a_browse_press_met_by_429_on_its_answer_still_shows_the_page(
    harness: BotHarness,
) -> None:
    """answerCallbackQuery writes into no chat, yet Telegram may refuse it with 429 too: it is
    waited out, and the page the parent asked for comes (no apology)."""
    h = harness
    menu = await h.say(PARENT, texts.BTN_FAQ)
    category = next(t for t in menu.inline_texts if "Навигатор" in t)
    h.server.fail_next("answerCallbackQuery", status=429, retry_after=1)
    h.server.press(menu, category, user=PARENT)
    await h.server.idle(quiet=1.5, timeout=15)
    topics = h.server.messages[(PARENT.id, menu.message_id)]
    assert "Выберите вопрос" in topics.text
    answers = [c for c in h.server.calls if c.method == "answercallbackquery"]
    assert [c.error_code for c in answers] == [429, None]
    assert not [m for m in h.server.sent_to(PARENT.id) if texts.ERROR[:20] in m.text]


async def test_a_staff_answer_met_by_429_reaches_the_parent_after_retry_after(
    harness: BotHarness,
) -> None:
    h = harness
    await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.fail_next("sendMessage", status=429, retry_after=2, chat_id=PARENT.id)
    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )  # fmt: skip
    answer = await h.server.next_message(PARENT.id, timeout=10)
    assert "Ответ специалиста МОЦ" in answer.text and "Да, можно." in answer.text
    confirm = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert "доставлен" in confirm.text and "не доставлен" not in confirm.text
    refused = [c for c in h.server.calls if c.error_code == 429]
    assert len(refused) == 1  # refused once, then sent after retry_after
    assert sum("Ответ специалиста" in m.text for m in h.server.sent_to(PARENT.id)) == 1
