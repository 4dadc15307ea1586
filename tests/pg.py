"""Throwaway PostgreSQL databases and a clean Redis for the tests that need the real servers.

Why a database per test: tests commit, run concurrent sessions and restart the bot, so a
rolled-back transaction cannot isolate them; `CREATE DATABASE … TEMPLATE` copies a database
that the real Alembic migrations built once, which costs a few tens of milliseconds instead
of a migration run per test.

Where the servers come from: `PG_URL` (`postgresql+asyncpg://user@host:port/db`, an account
allowed to CREATE DATABASE) and `REDIS_URL_TEST` (`redis://host:port/N`, a database the tests
may FLUSHDB; under pytest-xdist worker gwK takes database N+K). `.ci/run` starts both for its
run. Workers share the PostgreSQL server: every database name carries the worker's id. Without
them the marked tests skip, unless `MOC_REQUIRE_SERVERS=1` (CI), where a missing server is a
failure: CI never skips them.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.migrate import upgrade

PG_ENV = "PG_URL"
REDIS_ENV = "REDIS_URL_TEST"
REQUIRE_ENV = "MOC_REQUIRE_SERVERS"
CONNECT_TIMEOUT = 5.0


def servers_required() -> bool:
    """True in CI (`MOC_REQUIRE_SERVERS=1`): a missing server must fail, not skip."""
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Skip in a developer's quick run; fail where the servers are promised."""
    if servers_required():
        pytest.fail(f"{reason} — and {REQUIRE_ENV}=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


def configured_pg_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    return url or None


def configured_redis_url() -> str | None:
    url = os.environ.get(REDIS_ENV, "").strip()
    return url or None


def shown(url: str) -> str:
    """The URL with any password masked, for messages and the report header."""
    return make_url(url).render_as_string(hide_password=True)


def with_database(url: str, name: str) -> str:
    """The same server and account, another database."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin_engine(url: str) -> AsyncEngine:
    # CREATE/DROP DATABASE cannot run inside a transaction block; NullPool leaves no
    # connection behind that would block dropping or copying a database.
    return create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


async def pg_problem(url: str) -> str | None:
    """Why the server cannot be used, or None when it answers and may create databases."""
    if make_url(url).get_backend_name() != "postgresql":
        return f"{PG_ENV} must be a postgresql+asyncpg:// URL, got {shown(url)}"
    engine = _admin_engine(url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as conn:
            allowed = await conn.scalar(
                text("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
            )
        return None if allowed else f"the {PG_ENV} account may not CREATE DATABASE"
    except Exception as exc:  # any refusal means: this server cannot be used
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        await engine.dispose()


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    return f'"{name}"'


async def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """A new database (a copy of `template` if given); returns its URL."""
    sql = f"CREATE DATABASE {_quoted(name)}"
    if template:
        # FILE_COPY skips WAL-logging every block: faster for a small schema-only template.
        sql += f" TEMPLATE {_quoted(template)} STRATEGY FILE_COPY"
    engine = _admin_engine(admin_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    """Drop even if a test left connections open (PostgreSQL 13+: WITH (FORCE))."""
    engine = _admin_engine(admin_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)"))
    finally:
        await engine.dispose()


async def terminate_connections(admin_url: str, database_url: str) -> int:
    """Kill every server process connected to that database (what a restart does to the
    clients); returns how many were killed."""
    name = make_url(database_url).database
    engine = _admin_engine(admin_url)
    try:
        async with engine.connect() as conn:
            killed = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        return int(killed or 0)
    finally:
        await engine.dispose()


def worker_id() -> str:
    """pytest-xdist's worker ("gw0", "gw1", …), or "main" in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER", "") or "main"


def worker_index() -> int:
    """0, 1, … for the xdist workers; 0 in a run without workers."""
    worker = worker_id()
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def unique_name(prefix: str) -> str:
    """Unique on the server, and saying which worker made it: workers share one server, and
    each drops only the databases it created."""
    return f"{prefix}_{worker_id()}_{uuid.uuid4().hex[:12]}"


def worker_redis_url(url: str) -> str:
    """REDIS_URL_TEST's database number plus the worker's index (…/0 → …/0 for gw0, …/1 for
    gw1): the tests FLUSHDB before each test, so two workers sharing one database would wipe
    each other's keys mid-test. Redis has databases 0–15 unless configured otherwise, so
    with N workers the base number must be at most 16 − N."""
    parts = urlsplit(url)
    base = parts.path.lstrip("/")
    if base and not base.isdigit():
        raise ValueError(f"{REDIS_ENV} must end in a database number (/N), got {url}")
    db = int(base or 0) + worker_index()
    return urlunsplit(parts._replace(path=f"/{db}"))


def migrated_template(admin_url: str, name: str) -> str:
    """Create `name` and run the real Alembic migrations into it (sync: Alembic runs its own
    event loop). Returns the template's URL."""
    asyncio.run(drop_database(admin_url, name))
    url = asyncio.run(create_database(admin_url, name))
    upgrade(url)
    return url


async def redis_problem(url: str) -> str | None:
    """Why Redis cannot be used, or None when it answers PING."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    try:
        await client.ping()
        return None
    except Exception as exc:  # any refusal means: this server cannot be used
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        await client.aclose()


async def flush_redis(url: str) -> None:
    """Empty the test database of Redis so no state leaks between tests."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def delete_redis_keys(url: str, *keys: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.delete(*keys)
    finally:
        await client.aclose()


async def redis_keys(url: str, pattern: str = "*") -> list[str]:
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    try:
        return sorted([key async for key in client.scan_iter(match=pattern)])
    finally:
        await client.aclose()


async def call(test: Callable[..., Awaitable[None]], **fixtures: Any) -> None:
    """Run an imported test function with the fixtures it names, taken from `fixtures`.

    Why: re-running the SQLite suites' own test functions on PostgreSQL keeps one set of
    expectations for both backends instead of copies that drift apart."""
    wanted = list(inspect.signature(test).parameters)
    missing = [name for name in wanted if name not in fixtures]
    if missing:
        raise TypeError(f"{test.__name__} needs fixtures {missing} that were not given")
    await test(**{name: fixtures[name] for name in wanted})


def flow_id(test: Callable[..., object]) -> str:
    """`module.function`, as a readable pytest id for a parametrised imported test."""
    return f"{test.__module__.rsplit('.', 1)[-1]}.{test.__name__}"


def cases(tests: list[Callable[..., Awaitable[None]]]) -> list[Any]:
    """pytest.param(test, arguments) per imported test, one per case of its own
    @pytest.mark.parametrize (if any), so a re-run covers the same cases as the original."""
    found: list[Any] = []
    for test in tests:
        marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            found.append(pytest.param(test, {}, id=flow_id(test)))
            continue
        names, values = marks[0].args[0], marks[0].args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
        for i, value in enumerate(values):
            value = value.values if hasattr(value, "values") else value
            args = dict(zip(names, value if len(names) > 1 else (value,), strict=True))
            found.append(pytest.param(test, args, id=f"{flow_id(test)}[{i}]"))
    return found
