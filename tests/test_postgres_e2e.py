"""The bot's main user flows on PostgreSQL, with dialog state in Redis: the regional setup.

Why: the e2e suites run on SQLite so the quick run needs no server. The flows that touch the
most SQL and state (role choice, FAQ logging, tickets and the staff answer, the teacher's
profile dialog, seats and the waiting list, /forget_me cascades, restarts mid-dialog) run here
again through the same real bot and fake Bot API, on a fresh migrated PostgreSQL database per
test and aiogram's RedisStorage (`REDIS_URL` → bot.app.factory.create_fsm_storage). The flows are
the original test functions, imported and called with a harness built on these servers, so
the two backends are held to exactly the same expectations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import FsmRecord, Registration, Ticket, User
from tests import pg
from tests import test_e2e_chats as chats
from tests import test_e2e_consultant as consultant
from tests import test_e2e_events as events
from tests import test_e2e_events_admin as events_admin
from tests import test_e2e_tickets as tickets
from tests.conftest import STAFF_CHAT, TEACHER, Backend, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

Flow = Callable[..., Awaitable[None]]

# Parents, staff answering tickets, the chat registry, restarts: the plain harness.
PARENT_AND_STAFF_FLOWS: list[Flow] = [
    consultant.test_start_role_and_menu,
    consultant.test_staff_role_is_offered_and_accepted_only_for_admins,
    consultant.test_typed_question_with_typos_gets_the_answer,
    tickets.test_unknown_question_becomes_ticket_and_staff_reply_comes_back,
    tickets.test_reply_button_follow_ups_and_draft,
    tickets.test_non_staff_cannot_answer_or_close,
    tickets.test_restart_in_the_middle_of_a_ticket_loses_nothing,
    tickets.test_ask_dialog_survives_restart,
    chats.test_group_added_bound_migrated_kicked,
    chats.test_subscribe_then_unsubscribe_button,
    chats.test_private_block_and_unblock,
]
# Teachers: registration with the profile dialog, the waiting list, /forget_me.
TEACHER_FLOWS: list[Flow] = [
    events.test_teacher_finds_registers_with_consent_and_gets_ics,
    events.test_full_event_waiting_list_promotion_and_double_tap,
    events.test_forget_me_frees_the_seat_and_deletes_the_profile,
]
# Staff and events: lists and exports, attendance, edits, close/cancel, the report.
STAFF_EVENT_FLOWS: list[Flow] = [
    events_admin.test_participants_list_and_exports,
    events_admin.test_attendance_toggles,
    events_admin.test_edit_capacity_place_and_time_notify_participants,
    events_admin.test_close_then_cancel_notifies_everyone_once,
    events_admin.test_report_for_the_academic_year_and_a_period,
    events_admin.test_online_workshop_with_sessions_survives_a_restart,
]
BIG = FakeUser(id=7_900_000_001, first_name="Илья", last_name="Новиков")  # > 2**32


@pytest.fixture
def settings(postgres_backend: Backend) -> Settings:
    """Overrides conftest's SQLite settings, so its `sessionmaker` and `harness` (and the
    restarts inside the flows) run on PostgreSQL + Redis."""
    return postgres_backend.settings(reminder_every_seconds=1)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(events.NOW)


async def launch(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq: FaqService,
    clock: FrozenClock,
) -> AsyncIterator[BotHarness]:
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq, clock)
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield h
    await stop_bot(h.dp, h.task)


@pytest.fixture
async def events_harness(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    clock: FrozenClock,
) -> AsyncIterator[BotHarness]:
    """As tests/test_e2e_events.py builds it: the events' dates need its frozen clock."""
    async for h in launch(server, settings, sessionmaker, faq_service, clock):
        yield h


@pytest.fixture
def staff_clock() -> FrozenClock:
    return FrozenClock(events_admin.NOW)


@pytest.fixture
async def staff_harness(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    staff_clock: FrozenClock,
) -> AsyncIterator[BotHarness]:
    """As tests/test_e2e_events_admin.py builds it, on its own frozen clock."""
    async for h in launch(server, settings, sessionmaker, faq_service, staff_clock):
        yield h


async def fsm_rows(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FsmRecord)) or 0)


@pytest.mark.parametrize(("flow", "args"), pg.cases(PARENT_AND_STAFF_FLOWS))
async def test_parent_and_staff_flows(
    flow: Flow,
    args: dict[str, Any],
    harness: BotHarness,
    server: FakeTelegramServer,
    faq_service: FaqService,
) -> None:
    await pg.call(flow, harness=harness, server=server, faq_service=faq_service, **args)
    assert await fsm_rows(harness.sessionmaker) == 0  # dialog state went to Redis, not SQL


@pytest.mark.parametrize(("flow", "args"), pg.cases(TEACHER_FLOWS))
async def test_teacher_flows(
    flow: Flow, args: dict[str, Any], events_harness: BotHarness, clock: FrozenClock
) -> None:
    await pg.call(flow, harness=events_harness, clock=clock, **args)


@pytest.mark.parametrize(("flow", "args"), pg.cases(STAFF_EVENT_FLOWS))
async def test_staff_event_flows(
    flow: Flow,
    args: dict[str, Any],
    staff_harness: BotHarness,
    staff_clock: FrozenClock,
    faq_service: FaqService,
) -> None:
    await pg.call(flow, harness=staff_harness, clock=staff_clock, faq_service=faq_service, **args)


async def test_restart_in_the_middle_of_the_profile_dialog_keeps_it_in_redis(
    events_harness: BotHarness, faq_service: FaqService, redis_url: str, clock: FrozenClock
) -> None:
    """A teacher is half-way through the profile; the bot restarts (a new Dispatcher and a
    new RedisStorage, as another instance would have); the next answer continues the dialog."""
    h = events_harness
    event_id = await events.seed_event(h.sessionmaker, capacity=5)
    await events.seed_teacher(h.sessionmaker, TEACHER, profile=False)
    card = await events.open_card(h, TEACHER, event_id)
    consent = await h.press(TEACHER, card, "✅ Записаться")  # type: ignore[arg-type]
    ask_name = await h.press(TEACHER, consent, "✅ Согласен(на)")
    assert "фамилию, имя и отчество" in ask_name.text
    ask_org = await h.say(TEACHER, "Сидоров Пётр Ильич")
    assert "организац" in ask_org.text.lower()

    state_keys = [k for k in await pg.redis_keys(redis_url, "fsm:*") if k.endswith(":state")]
    assert any(f":{TEACHER.id}:" in k for k in state_keys), state_keys
    assert await fsm_rows(h.sessionmaker) == 0

    await stop_bot(h.dp, h.task)  # h.restart() would come back on the system clock
    h.bot, h.dp, h.task = await start_bot(h.server, h.settings, h.sessionmaker, faq_service, clock)
    position = await h.say(TEACHER, "МБУ ДО «ДДТ»")
    contact = await h.press(TEACHER, position, "Методист")
    assert contact.reply_markup and "keyboard" in contact.reply_markup
    await h.say(TEACHER, "8 (900) 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    saved = await h.press(TEACHER, mailing, "Нет, спасибо")
    assert "Профиль сохранён" in saved.text
    confirmed = await h.server.next_message(TEACHER.id)
    assert "Вы записаны" in confirmed.text
    async with h.sessionmaker() as session:
        registration = (await session.scalars(select(Registration))).one()
    assert registration.user_id == TEACHER.id and registration.status == "registered"


async def test_telegram_ids_beyond_32_bits(harness: BotHarness) -> None:
    """Telegram ids no longer fit in 32 bits; SQLite never notices, PostgreSQL INTEGER would."""
    await consultant.choose_role(harness, BIG)
    reply = await harness.say(BIG, tickets.UNKNOWN)
    await harness.press(BIG, reply, texts.BTN_ASK_SHORT)
    post = await harness.server.next_message(STAFF_CHAT)
    assert "Илья Новиков" in post.text
    async with harness.sessionmaker() as session:
        user = await session.get(User, BIG.id)
        ticket = (await session.scalars(select(Ticket))).one()
    assert user is not None and user.role == "parent"
    assert ticket.user_id == BIG.id and ticket.chat_id == BIG.id


async def test_bot_reconnects_after_the_database_drops_its_connections(
    harness: BotHarness, pg_url: str, pg_database: str
) -> None:
    """As after a PostgreSQL restart or failover: every pooled connection is dead. The pool's
    pre-ping notices and reconnects, so the next update is answered, not lost."""
    await consultant.choose_role(harness, TEACHER)
    killed = await pg.terminate_connections(pg_url, pg_database)
    assert killed >= 1  # the bot's pool held at least one connection
    reply = await harness.say(TEACHER, "как активировать сертефикат")
    assert "активир" in reply.text.lower()
    async with harness.sessionmaker() as session:
        user = await session.get(User, TEACHER.id)
    assert user is not None and user.role == "parent"
