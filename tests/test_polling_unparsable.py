"""Issue 13, item 12: an update aiogram cannot parse must not stop long polling. It is skipped
(its offset confirmed), logged by id and type only, counted in /metrics; the others are handled."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core import metrics
from bot.core.config import Settings
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import PARENT, TEACHER, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser

STRANGER = FakeUser(id=4242, first_name="Секретная", last_name="Персона")


def admin_change_from_newer_api(server: FakeTelegramServer) -> dict[str, object]:
    """my_chat_member whose administrator lacks the rights fields our aiogram requires."""
    return {
        "my_chat_member": {
            "chat": {"id": -100777, "type": "supergroup", "title": "Чат Секретной"},
            "from": STRANGER.as_dict(),
            "date": 1_790_000_000,
            "old_chat_member": {"status": "left", "user": server._bot_user()},
            "new_chat_member": {"status": "administrator", "user": server._bot_user()},
        }
    }


def message_from_older_api() -> dict[str, object]:
    return {
        "message": {
            "message_id": 5,
            "date": 1_790_000_000,
            "chat": {"id": STRANGER.id, "type": "private", "first_name": "Секретная"},
            "from": STRANGER.as_dict(),
            "poll": {"id": "1"},
        }
    }


async def test_unparsable_updates_are_skipped_and_polling_goes_on(
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    skipped = metrics.value("moc_updates_unparsable_total", source="polling")
    # one batch: good, bad, good, bad (the last one bad: its offset must still be confirmed)
    server.user_sends("/start", user=PARENT)
    bad_ids = [server.push_update(admin_change_from_newer_api(server))["update_id"]]
    server.user_sends("/start", user=TEACHER)
    bad_ids.append(server.push_update(message_from_older_api())["update_id"])

    _bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service)
    try:
        assert "МОЦ" in ((await server.next_message(PARENT.id)).text or "")
        assert "МОЦ" in ((await server.next_message(TEACHER.id)).text or "")
        await server.idle()
        await asyncio.sleep(2.5)  # two more long polls (timeout 1 s): nothing fetched again
        assert metrics.value("moc_updates_unparsable_total", source="polling") == skipped + 2

        server.user_sends("/help", user=PARENT)  # and the bot still answers
        assert (await server.next_message(PARENT.id)).text
    finally:
        await stop_bot(dp, task)

    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Секретн" not in logged and "Персона" not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    notes = [r.getMessage() for r in caplog.records if r.name == "handlers.tg.bad_updates"]
    assert len(notes) == 2
    assert f"update {bad_ids[0]} of type my_chat_member" in notes[0]
    assert f"update {bad_ids[1]} of type message" in notes[1]
    assert 'moc_updates_unparsable_total{source="polling"}' in metrics.render()
