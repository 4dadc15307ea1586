"""MAX's webhook subscription when the deployment changes: MAX_WEBHOOK_URL moved to a new
address, or removed to go back to long polling. The fake MAX server delivers to every
subscription and, like MAX, gives long polling nothing while one exists."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.app.factory import Services
from bot.app.max_runtime import MaxRuntime
from bot.app.web import MaxWebServer
from bot.core.config import Settings, SettingsError
from bot.services.faq import FaqService
from storage.db import SessionMaker, create_engine, create_sessionmaker
from tests.conftest import make_settings
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.wait import until

FATHER = MaxUser(50_000_000_778, "Олег", "Петров")
SECRET = "max-secret_12345"
OLD_URL = "https://old.example.org/max"
NEW_URL = "https://bot.example.org/max/hook"


def _runtime(settings: Settings, sessionmaker: SessionMaker, faq: FaqService) -> MaxRuntime:
    services = Services(settings, sessionmaker, faq)
    return MaxRuntime(
        settings, sessionmaker, faq, services.querylog, services.clock, services.switchboard
    )


def _webhook_settings(db_path: Path, max_server: FakeMaxServer, url: str) -> Settings:
    return make_settings(
        db_path, max_bot_token=max_server.token, max_api_url=max_server.url,
        max_webhook_url=url, max_webhook_secret=SECRET, web_port=0,
    )  # fmt: skip


async def test_a_new_webhook_address_leaves_the_old_host_unanswering(
    tmp_path: Path,
    migrated_template: Path,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    max_server: FakeMaxServer,
) -> None:
    """The bot moves to a new host with MAX_WEBHOOK_URL changed; the old host is still up for
    a while. A father who starts the bot hears one welcome, not one from each host."""
    old_db = tmp_path / "old.db"
    shutil.copy(migrated_template, old_db)
    old_engine = create_engine(f"sqlite+aiosqlite:///{old_db}")
    old_settings = _webhook_settings(old_db, max_server, OLD_URL)
    old_sessionmaker = create_sessionmaker(old_engine)
    old = _runtime(old_settings, old_sessionmaker, faq_service)
    old_server = MaxWebServer(old_settings, old.dispatcher.feed, old_sessionmaker)
    new_settings = _webhook_settings(db_path, max_server, NEW_URL)
    new = _runtime(new_settings, sessionmaker, faq_service)
    new_server = MaxWebServer(new_settings, new.dispatcher.feed, sessionmaker)
    await old_server.start()
    await new_server.start()
    try:
        await old.start()
        [sub] = max_server.subscriptions
        sub["url"] = f"http://127.0.0.1:{old_server.port}/max"  # OLD_URL reaches the old host

        await new.start()
        new_local = f"http://127.0.0.1:{new_server.port}/max/hook"
        for sub in max_server.subscriptions:
            if sub["url"] == NEW_URL:
                sub["url"] = new_local
        hosts = len(max_server.subscriptions)  # every subscribed address gets the update
        max_server.bot_started(FATHER)
        await until(lambda: len(max_server.webhook_deliveries) >= hosts, what="deliveries")
        assert (new_local, 200) in max_server.webhook_deliveries
        welcomes = [m for m in max_server.sent_to(FATHER) if "Кто вы?" in m.plain]
        assert len(welcomes) == 1, [m.plain for m in welcomes]
        assert [s["url"] for s in max_server.subscriptions] == [new_local]
    finally:
        await new.stop()
        await old.stop()
        await new_server.stop()
        await old_server.stop()
        await old_engine.dispose()


async def test_long_polling_refuses_to_start_while_a_webhook_is_subscribed(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, max_server: FakeMaxServer
) -> None:
    """MAX_WEBHOOK_URL removed from .env, the subscription still in MAX: MAX would give long
    polling nothing, and every person in MAX would go unanswered without a word in the log."""
    webhook = _runtime(_webhook_settings(db_path, max_server, NEW_URL), sessionmaker, faq_service)
    await webhook.start()
    await webhook.stop()

    settings = make_settings(db_path, max_bot_token=max_server.token, max_api_url=max_server.url)
    polling = _runtime(settings, sessionmaker, faq_service)
    try:
        with pytest.raises(SettingsError) as refused:
            await polling.start()
    finally:
        await polling.stop()
    line = str(refused.value)
    assert NEW_URL in line and "MAX_WEBHOOK_URL" in line and "long polling" in line
    assert max_server.token not in line
    # the production webhook is left alone
    assert [s["url"] for s in max_server.subscriptions] == [NEW_URL]


async def test_a_message_that_meets_a_locked_database_is_delivered_again_and_answered(
    db_path: Path, faq_service: FaqService, max_server: FakeMaxServer
) -> None:
    """The database stays locked past every wait (a long backup, a migration) when a father
    starts the bot in MAX: the webhook must not answer 200 for an update it did nothing with,
    or MAX never delivers it again and the father waits for a welcome that never comes."""
    settings = _webhook_settings(db_path, max_server, NEW_URL)
    engine = create_engine(settings.database_url, busy_timeout=0.1)
    sessionmaker = create_sessionmaker(engine)
    runtime = _runtime(settings, sessionmaker, faq_service)
    server = MaxWebServer(settings, runtime.dispatcher.feed, sessionmaker)
    await server.start()
    other = sqlite3.connect(db_path, isolation_level=None)  # another writer holds SQLite
    try:
        await runtime.start()
        local = f"http://127.0.0.1:{server.port}/max/hook"
        max_server.subscriptions[0]["url"] = local
        max_server.webhook_retries = [1.0, 2.0, 4.0]
        max_server.dialog(FATHER)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE update_markers SET marker = marker")
        max_server.bot_started(FATHER)
        await until(lambda: max_server.webhook_deliveries, what="the first delivery")
        other.execute("COMMIT")  # the database is back

        sent = await max_server.wait_sent(FATHER, 1, within=20)
        welcome = [m for m in max_server.sent_to(FATHER) if "Кто вы?" in m.plain]
        assert welcome, [m.plain for m in sent]
        await until(lambda: (local, 200) in max_server.webhook_deliveries, what="200")
        assert max_server.webhook_deliveries[0] == (local, 503)  # «not now», not «done»
    finally:
        other.close()
        await runtime.stop()
        await server.stop()
        await engine.dispose()


async def test_long_polling_fetches_again_what_met_a_locked_database(
    db_path: Path, faq_service: FaqService, max_server: FakeMaxServer
) -> None:
    """The same father by long polling: the batch whose update could not be claimed is fetched
    again (its marker not confirmed) once the database is back, and he gets his welcome."""
    settings = make_settings(db_path, max_bot_token=max_server.token, max_api_url=max_server.url)
    engine = create_engine(settings.database_url, busy_timeout=0.1)
    sessionmaker = create_sessionmaker(engine)
    services = Services(settings, sessionmaker, faq_service)
    runtime = MaxRuntime(
        settings, sessionmaker, faq_service, services.querylog, services.clock,
        services.switchboard, poll_seconds=1,
    )  # fmt: skip
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        await runtime.start()
        max_server.dialog(FATHER)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE update_markers SET marker = marker")
        max_server.bot_started(FATHER)
        await asyncio.sleep(1.5)  # fetched and refused at least once
        other.execute("COMMIT")  # the database is back

        await max_server.wait_sent(FATHER, 1, within=20)
        assert [m for m in max_server.sent_to(FATHER) if "Кто вы?" in m.plain]
    finally:
        other.close()
        await runtime.stop()
        await engine.dispose()
