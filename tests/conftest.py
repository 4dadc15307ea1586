"""Fixtures: settings, a migrated temporary database, the FAQ, and the real bot running
against the fake Telegram Bot API over HTTP on 127.0.0.1.

The default database (`db_path`, `db_url`) is a copy of a migrated SQLite file, so the quick
run needs no server. PostgreSQL and Redis fixtures (`pg_url`, `pg_database`, `redis_url`,
`backend`, `sqlite_or_pg_url`) come from `tests/pg.py`: they skip when `PG_URL`/
`REDIS_URL_TEST` are not set, and fail instead when `MOC_REQUIRE_SERVERS=1` (`.ci/run`
starts both servers and sets it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app.factory import Services, create_bot, create_dispatcher
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.migrate import upgrade
from tests import pg
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage
from tests.helpers.max_both import Both, new_runtime

TOKEN = "123456:TEST-TOKEN"
ADMIN = FakeUser(id=1000, first_name="Анна", last_name="Методист", username="anna_moc")
PARENT = FakeUser(id=2001, first_name="Мария", last_name="Иванова")
TEACHER = FakeUser(id=2002, first_name="Пётр", last_name="Сидоров")
STAFF_CHAT = -100500


def make_settings(db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": f"sqlite+aiosqlite:///{db_path}",
        "admin_ids": str(ADMIN.id),
        "staff_chat_id": STAFF_CHAT,
        "moc_name": "МОЦ города N",
        "moc_phone": "+7 (900) 123-45-67",
        "navigator_url": "https://navigator.example.org",
        "throttle_rate": 5.0,
        "throttle_burst": 20,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a `python -m bot` child process: this one's, but never the developer's
    token or database, so a test cannot touch them."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOT_TOKEN", "MAX_BOT_TOKEN", "DATABASE_URL")
    }
    return env | {"DATABASE_URL": database_url, **extra}


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the real Alembic migrations once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def db_path(tmp_path: Path, migrated_template: Path) -> Path:
    path = tmp_path / "bot.db"
    shutil.copy(migrated_template, path)
    return path


@pytest.fixture
def db_url(db_path: Path) -> str:
    """This test's own copy of the migrated SQLite template, as a database URL."""
    return f"sqlite+aiosqlite:///{db_path}"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path)


@pytest.fixture(scope="session")
def faq_service() -> FaqService:
    """The shipped knowledge base; built once because the index takes a moment."""
    return FaqService(None)


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[SessionMaker]:
    engine = create_engine(settings.database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(TOKEN) as fake:
        yield fake


@dataclass
class BotHarness:
    """The real bot polling the fake server; tests read like a conversation."""

    server: FakeTelegramServer
    settings: Settings
    sessionmaker: SessionMaker
    dp: Dispatcher
    bot: Bot
    task: asyncio.Task[None]

    async def restart(self, faq: FaqService) -> None:
        """Stop polling and start a fresh Dispatcher on the same database and server."""
        await stop_bot(self.dp, self.task)
        self.bot, self.dp, self.task = await start_bot(
            self.server, self.settings, self.sessionmaker, faq
        )

    async def say(
        self, user: FakeUser, text: str, *, within: float = 5.0, **kwargs: Any
    ) -> SentMessage:
        """`within`: longer for replies that first retrain the FAQ (/reload_faq), which on a
        machine busy with other test runs takes more than the usual 5 s."""
        self.server.user_sends(text, user=user, **kwargs)
        return await self.server.next_message(user.id, timeout=within)

    async def press(
        self, user: FakeUser, message: SentMessage, button: str, *, within: float = 5.0
    ) -> SentMessage:
        """`within` as in `say`: a reply that waits on a FAQ rebuild needs longer."""
        self.server.press(message, button, user=user)
        return await self.server.next_message(user.id, timeout=within)


async def start_bot(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq: FaqService,
    clock: Clock | None = None,
    *,
    services: Services | None = None,
) -> tuple[Bot, Dispatcher, asyncio.Task[None]]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
    bot = create_bot(settings, session=session)
    dp = create_dispatcher(
        services or Services(settings, sessionmaker, faq, clock or SystemClock())
    )
    # server.idle() also waits for updates still being handled (a slow machine, a slow query);
    # polling keeps a task per update in flight there (read only)
    server.busy = lambda: bool(getattr(dp, "_handle_update_tasks", ()))
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=True)
    )
    return bot, dp, task


async def stop_bot(dp: Dispatcher, task: asyncio.Task[None]) -> None:
    await dp.stop_polling()
    await asyncio.wait_for(task, timeout=10)
    await dp.storage.close()


@pytest.fixture
def clock() -> Clock | None:
    """The bot's clock: the system's unless a test module overrides this with a FrozenClock."""
    return None


@pytest.fixture
async def harness(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    clock: Clock | None,
) -> AsyncIterator[BotHarness]:
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service, clock)
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield harness
    await stop_bot(harness.dp, harness.task)


@pytest.fixture
async def faq(settings: Settings) -> FaqService:
    """The shipped knowledge base built for this test alone: staff teach it here, which must
    not leak into the session-wide `faq_service`."""
    return FaqService(None, settings.placeholders())


@pytest.fixture
async def learn(
    server: FakeTelegramServer, settings: Settings, sessionmaker: SessionMaker, faq: FaqService
) -> AsyncIterator[BotHarness]:
    """The Telegram bot on this test's own `faq`."""
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq)
    harness = BotHarness(server, settings, sessionmaker, dp, bot, task)
    yield harness
    await stop_bot(harness.dp, harness.task)


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: SessionMaker, faq: FaqService
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The staff panel on the bot's own settings and knowledge base (`faq`), in real time:
    what staff change in «База знаний» reaches the bot `learn` runs. (Panel tests with a
    frozen clock import `client` from tests.helpers.panel instead.)"""
    from tests.helpers.panel import RecordingMessenger, client_for

    panel = await client_for(settings, sessionmaker, RecordingMessenger(), SystemClock(), faq)
    yield panel
    await panel.close()


@pytest.fixture
async def max_server() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as fake:
        yield fake


@asynccontextmanager
async def running_both(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq: FaqService,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[Both]:
    """The Telegram bot and the MAX runtime of one process (tests/helpers/max_both.py),
    `overrides` on top of the test settings."""
    settings = make_settings(
        db_path, max_bot_token=max_server.token, max_api_url=max_server.url, **overrides
    )
    services = Services(settings, sessionmaker, faq, clock or SystemClock())
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq, services=services)
    runtime = new_runtime(services)
    await runtime.start()
    h = Both(server, max_server, settings, sessionmaker, services, dp, bot, task, runtime)
    yield h
    await h.runtime.stop()
    await stop_bot(h.dp, h.task)


@pytest.fixture
async def both(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(server, max_server, db_path, sessionmaker, faq_service) as h:
        yield h


# --- PostgreSQL and Redis (tests/pg.py) ----------------------------------------------------

SERVER_FIXTURES = {"pg_url": "postgres", "redis_server": "redis"}


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say up front which backends this run covers, so a quiet skip cannot go unnoticed."""
    pg_url, redis_url = pg.configured_pg_url(), pg.configured_redis_url()
    found = ["sqlite"]
    found.append(f"postgresql at {pg.shown(pg_url)}" if pg_url else "no postgresql (PG_URL)")
    found.append(f"redis at {redis_url}" if redis_url else "no redis (REDIS_URL_TEST)")
    if redis_url and getattr(config.option, "numprocesses", None):
        found[-1] += " (its db number + K for xdist worker gwK)"
    required = " — required, skips fail" if pg.servers_required() else ""
    return [f"backends: {', '.join(found)}{required}"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for a server fixture carries its marker, so `-m "not postgres"` and
    the skip guard below see it even if the author forgot the mark."""
    for item in items:
        for fixture, marker in SERVER_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
                marker
            ):
                item.add_marker(getattr(pytest.mark, marker))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With MOC_REQUIRE_SERVERS=1 a skipped postgres/redis test is a failure: CI must never
    pass by quietly not running them (this also catches skips inside test modules' own
    fixtures, e.g. a PG_URL check)."""
    report = yield
    marked = any(item.get_closest_marker(m) for m in SERVER_FIXTURES.values())
    if report.skipped and marked and pg.servers_required() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        why = f"skipped although {pg.REQUIRE_ENV}=1 (CI runs every server test)"
        report.longrepr = f"{why}: {reason}"
    return report


@pytest.fixture(scope="session")
def pg_url() -> str:
    """PG_URL of a server where the tests may create databases; skips (fails in CI) if none."""
    url = pg.configured_pg_url()
    if url is None:
        pg.unavailable("PostgreSQL not available — set PG_URL (postgresql+asyncpg://…)")
    if why := asyncio.run(pg.pg_problem(url)):
        pg.unavailable(f"PostgreSQL at {pg.shown(url)} is not usable: {why}")
    return url


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    """A database migrated once with the real Alembic migrations; tests get copies of it.
    The name is unique per run so two runs against one server do not drop each other's."""
    name = pg.unique_name("moc_template")
    pg.migrated_template(pg_url, name)
    yield name
    asyncio.run(pg.drop_database(pg_url, name))


@pytest.fixture
def pg_database(pg_url: str, pg_template: str) -> Iterator[str]:
    """URL of a fresh migrated database for this test only, dropped (with force) after it."""
    name = pg.unique_name("t")
    url = asyncio.run(pg.create_database(pg_url, name, template=pg_template))
    yield url
    asyncio.run(pg.drop_database(pg_url, name))


@pytest.fixture(scope="session")
def redis_server() -> str:
    """REDIS_URL_TEST of a Redis the tests may flush, this xdist worker's database of it
    (pg.worker_redis_url); skips (fails in CI) if none."""
    configured = pg.configured_redis_url()
    if configured is None:
        pg.unavailable("Redis not available — set REDIS_URL_TEST (redis://127.0.0.1:6379/14)")
    url = pg.worker_redis_url(configured)
    if why := asyncio.run(pg.redis_problem(url)):
        pg.unavailable(f"Redis at {url} is not usable: {why}")
    return url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis URL, emptied (FLUSHDB) before the test so no dialog state leaks in."""
    asyncio.run(pg.flush_redis(redis_server))
    return redis_server


@dataclass(frozen=True)
class Backend:
    """Where one test's bot keeps its data: a SQLite file (dialog state in the same file, as a
    single-machine МОЦ runs) or PostgreSQL with dialog state in Redis (a regional setup)."""

    name: str
    database_url: str
    redis_url: str | None = None

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": self.database_url, "redis_url": self.redis_url}
        return make_settings(Path("unused.db"), **(values | overrides))


@pytest.fixture
def sqlite_backend(db_url: str) -> Backend:
    return Backend("sqlite", db_url)


@pytest.fixture
def postgres_backend(pg_database: str, redis_url: str) -> Backend:
    return Backend("postgres", pg_database, redis_url)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Both backends, for new tests where the difference matters (migrations, SQL that
    dialects treat differently). The central e2e fixtures stay on SQLite so the quick run
    is not slowed; tests/test_postgres_e2e.py re-runs their flows on PostgreSQL + Redis."""
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    return backend


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sqlite_or_pg_url(request: pytest.FixtureRequest) -> str:
    """Both dialects without Redis, for code whose SQL they may treat differently (the
    broadcast ledger): the SQLite copy, then a fresh database copied from `pg_template`."""
    url: str = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_database")
    return url
