"""Repository-level suites re-run on PostgreSQL: reports, reminders, the chat registry, seats.

Why: these are the places where the two dialects differ most — GROUP BY strictness, date
arithmetic in the МОЦ's time zone, NULL ordering, upserts and conflict handling, big negative
chat ids, two instances racing for the same reminder. Each test here calls the SQLite suite's
own test function (imported, not copied) with a session on a fresh migrated PostgreSQL
database, so both backends answer to the same expectations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.tg.fsm import SqlStorage
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.repositories.reports import ReportData, ReportRepo
from tests import pg
from tests import test_channel_ids as channel_ids
from tests import test_chats_repo as chats_repo
from tests import test_events_repo as events_repo
from tests import test_reminders as reminders
from tests import test_report as report_suite

pytestmark = pytest.mark.postgres

Test = Callable[..., Awaitable[None]]

SESSIONMAKER_TESTS: list[Test] = [
    reminders.test_fires_once_at_24h_and_once_at_1h,
    reminders.test_downtime_skips_late_24h_but_sends_1h,
    reminders.test_two_instances_at_once_send_each_reminder_once,
    reminders.test_only_registered_people_of_live_events,
    reminders.test_failures_never_stop_the_others,
    reminders.test_workshop_gets_a_reminder_per_session,
    reminders.test_online_link_and_escaping,
    chats_repo.test_migrate_moves_audiences_and_tags_and_is_idempotent,
    chats_repo.test_migrated_row_is_never_reactivated,
    chats_repo.test_late_migration_report_does_not_revive_a_kicked_supergroup,
    chats_repo.test_migrate_merges_into_an_already_known_supergroup,
    chats_repo.test_deactivate_also_silences_a_row_pointing_at_the_chat,
    chats_repo.test_counts_only_active_chats,
    chats_repo.test_subscriptions,
    events_repo.test_raising_capacity_promotes_the_waiting_list_in_order,
    channel_ids.test_ids_map_both_ways_and_never_meet_telegram_ids,
    channel_ids.test_two_first_sights_at_once_agree,
]
REPORT_CHECKS = [
    report_suite.test_totals,
    report_suite.test_by_kind_organisation_and_month,
    report_suite.test_workbook_has_its_sheets_and_a_chart,
    report_suite.test_held_by_month_and_quarter,
]


@pytest.fixture
async def sm(pg_database: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(pg_database)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def session(sm: SessionMaker) -> AsyncIterator[AsyncSession]:
    async with sm() as s:
        yield s


@pytest.mark.parametrize(("test", "args"), pg.cases(SESSIONMAKER_TESTS))
async def test_on_postgres(
    test: Test, args: dict[str, object], sm: SessionMaker, pg_database: str
) -> None:
    await pg.call(test, sm=sm, sessionmaker=sm, db_url=pg_database, **args)


@pytest.mark.parametrize("check", REPORT_CHECKS, ids=pg.flow_id)
async def test_period_report_on_postgres(
    check: Callable[[ReportData], None], session: AsyncSession
) -> None:
    await report_suite._seed(session)
    data = await ReportRepo(session).collect(
        report_suite.START, report_suite.END, tz=report_suite.MOSCOW
    )
    check(data)


async def test_empty_period_report_on_postgres(session: AsyncSession) -> None:
    await report_suite.test_empty_period(session)


async def test_sql_fsm_storage_first_writes_from_two_instances(pg_database: str) -> None:
    """PostgreSQL without Redis, two bot instances: a user's two quick updates land on
    different instances, and both write the dialog state of a key not stored yet."""
    engines = [create_engine(pg_database), create_engine(pg_database)]
    try:
        first, second = (SqlStorage(create_sessionmaker(e)) for e in engines)
        for user in range(20):
            key = StorageKey(bot_id=1, chat_id=user, user_id=user)
            await asyncio.gather(
                first.set_state(key, "Ask:question"), second.set_data(key, {"n": 1})
            )
            assert await first.get_state(key) == "Ask:question"
            assert await second.get_data(key) == {"n": 1}
    finally:
        for engine in engines:
            await engine.dispose()
