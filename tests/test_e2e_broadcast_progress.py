"""The progress message of a scheduled broadcast («🕒 Рассылка запланирована на …») follows a
move or a cancel made before sending starts — from Telegram's /broadcasts and from MAX staff's
— instead of promising the old time; the report at the end reaches a Telegram author through
429s and 5xx. Through the real bots and the fake servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from bot.texts import broadcasts as texts_b
from broadcasts import service
from broadcasts.channel import ProgressMessage
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from broadcasts.progress import show
from broadcasts.runtime import Runtime
from handlers.tg.broadcast_channel import TelegramChannel
from storage.db import SessionMaker
from storage.models import BroadcastState
from tests.conftest import ADMIN, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import NOW, Staff, broadcasts_in_db, seed_registry, toggle, txt
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

MAX_ADMIN = MaxUser(52_000_000_077, "Анна", "Методист")


async def schedule_tomorrow_10(h: Staff, repeat: str = texts_b.BTN_REPEAT_NONE) -> SentMessage:
    """Through the dialog to «✅ Запланировать» for the parents (`repeat`: the repeat button);
    the progress message it leaves."""
    await h.say(ADMIN, "/broadcast")
    audience = await h.say(ADMIN, "Собрание в пятницу")
    await toggle(h, ADMIN, audience, "Родители")
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    button = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    ack_q = await h.press(ADMIN, button, texts_b.BTN_NO_BUTTON)
    await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat_q = await h.say(ADMIN, "завтра 10:00")
    await h.press(ADMIN, repeat_q, repeat)
    summary = await h.server.next_message(ADMIN.id)
    progress = await h.press(ADMIN, summary, texts_b.BTN_CONFIRM_AT)
    assert "запланирована на 02.12.2026 10:00" in txt(progress)
    await h.server.next_message(ADMIN.id)  # «✅ Рассылка №1 запланирована…»
    return progress


async def progress_says(server: FakeTelegramServer, progress: SentMessage, fragment: str) -> str:
    call = await server.wait_for(
        "editMessageText",
        lambda c: c.params["message_id"] == progress.message_id and fragment in c.params["text"],
    )
    return str(call.params["text"])


async def test_moving_then_cancelling_rewrites_the_progress_message(harness: Staff) -> None:
    h = harness
    progress = await schedule_tomorrow_10(h)
    listing = await h.say(ADMIN, "/broadcasts")
    await h.press(ADMIN, listing, "🕒 №1 Перенести")
    moved = await h.say(ADMIN, "03.12.2026 15:30")
    assert "перенесена на 03.12.2026 15:30" in txt(moved)
    now = await progress_says(h.server, progress, "03.12.2026 15:30")
    assert "Рассылка №1 перенесена" in now and "02.12.2026" not in now

    listing = await h.say(ADMIN, "/broadcasts")
    await h.press(ADMIN, listing, "❌ №1 Отменить")
    now = await progress_says(h.server, progress, "отменена")
    assert now == "⛔ Рассылка №1 отменена (Анна Методист), ничего не отправлено."
    assert txt(h.server.messages[(ADMIN.id, progress.message_id)]) == now
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.CANCELLED]


async def test_max_staff_cancel_rewrites_the_telegram_progress_message(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """Composed in Telegram, cancelled by a colleague from MAX's /broadcasts: the Telegram
    author's «запланирована на …» says it was cancelled, and by whom."""
    ids = str(MAX_ADMIN.user_id)
    await seed_registry(sessionmaker)
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, max_admin_ids=ids
    ) as h:
        progress = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="завтра"))
        now = datetime.now(UTC)
        async with sessionmaker() as session:
            created = await service.create_broadcast(
                session, author_id=ADMIN.id, content=Content("text", "Собрание"),
                target=service.Target(("parents",)), at=now + timedelta(days=1), now=now,
                progress=(ADMIN.id, progress.message_id),
            )  # fmt: skip
            await session.commit()
        listing = await h.say(MAX_ADMIN, "/broadcasts")
        before = len(max_server.sent_to(MAX_ADMIN))
        await h.press(MAX_ADMIN, listing, texts_b.BTN_CANCEL_ONE.format(id=created.id))
        await max_server.wait_sent(MAX_ADMIN, before + 1)
        call = await server.wait_for(
            "editMessageText", lambda c: c.params["message_id"] == progress.message_id
        )
        assert call.params["text"] == (
            f"⛔ Рассылка №{created.id} отменена (Анна Методист), ничего не отправлено."
        )


@pytest.mark.parametrize("in_progress_message", [True, False], ids=["edited", "sent"])
async def test_the_authors_report_survives_429s_and_a_5xx(
    harness: Staff, in_progress_message: bool
) -> None:
    """«✅ Рассылка №N завершена», edited into the author's progress message or sent to them:
    the worker paces it itself, so Telegram's retry layer let one 429 or 5xx lose it."""
    h = harness
    progress = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="сейчас"))
    method = "editMessageText" if in_progress_message else "sendMessage"
    for status, description, wait in ((429, "", 1), (502, "Bad Gateway", None), (429, "", 1)):
        h.server.fail_next(
            method, status=status, description=description or "Internal Server Error",
            retry_after=wait, chat_id=ADMIN.id, matching="завершена",
        )  # fmt: skip
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание"),
            target=service.Target(("parents",)), at=None, now=NOW,
            progress=(ADMIN.id, progress.message_id) if in_progress_message else None,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()

    def reports() -> list[str]:
        if in_progress_message:
            return [txt(h.server.messages[(ADMIN.id, progress.message_id)])]
        return [txt(m) for m in h.server.sent_to(ADMIN.id)[1:]]

    await until(lambda: "завершена" in "".join(reports()), 30, "the report for the author")
    (report,) = reports()
    assert report.startswith("✅ Рассылка №1 завершена") and "Доставлено: 4 из 4" in report
    assert not h.server._faults.injected, "each fault met the report"


@pytest.mark.parametrize("lost", ["deleted", "can't be edited"])
async def test_a_progress_message_telegram_will_not_edit_is_sent_anew_once(
    harness: Staff, lost: str
) -> None:
    """The author deleted «⏳ начнётся…» (or Telegram no longer edits it): the final report
    comes as one new message, and the broadcast keeps it for the edits that follow."""
    h = harness
    progress = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="сейчас"))
    if lost == "deleted":
        h.server.messages[(ADMIN.id, progress.message_id)].deleted = True
    else:
        h.server.fail_next(
            "editMessageText", status=400, chat_id=ADMIN.id,
            description="Bad Request: message can't be edited",
        )  # fmt: skip
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание"),
            target=service.Target(("parents",)), at=None, now=NOW,
            progress=(ADMIN.id, progress.message_id),
        )  # fmt: skip
        await session.commit()
    h.worker.wake()

    def new_ones() -> list[SentMessage]:
        return h.server.sent_to(ADMIN.id)[1:]

    await until(lambda: any("завершена" in txt(m) for m in new_ones()), 30, "the report")
    await h.server.idle()
    (report,) = new_ones()
    assert txt(report).startswith("✅ Рассылка №1 завершена") and "Доставлено: 4 из 4" in txt(
        report
    )
    assert txt(h.server.messages[(ADMIN.id, progress.message_id)]).startswith("🕒")
    (row,) = await broadcasts_in_db(h)
    assert row.progress_message_id == report.message_id


async def test_a_new_progress_message_refused_in_turn_is_not_sent_again(harness: Staff) -> None:
    """Not a loop: the message sent anew is deleted too; the next edit does not send a third."""
    h = harness
    channel = TelegramChannel(h.bot)
    progress = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="сейчас"))
    h.server.messages[(ADMIN.id, progress.message_id)].deleted = True
    moved = await channel.edit_progress(
        ProgressMessage(ADMIN.id, progress.message_id), "Отправлено <b>1</b> из 4"
    )
    assert moved is not None
    assert [txt(m) for m in h.server.sent_to(ADMIN.id)[1:]] == ["Отправлено 1 из 4"]
    h.server.messages[(ADMIN.id, moved.message_id)].deleted = True
    assert await channel.edit_progress(moved, "Отправлено <b>2</b> из 4") is None
    assert len(h.server.sent_to(ADMIN.id)) == 2


async def test_a_progress_message_sent_anew_is_not_sent_anew_by_another_process(
    harness: Staff,
) -> None:
    """The bot sent the progress anew and the author deleted that one too: a `worker` of its
    own (or the bot after a restart) editing it next does not send the report a third time."""
    h = harness
    shown = await h.bot.send_message(ADMIN.id, texts_b.PROGRESS_AT.format(moment="сейчас"))
    h.server.messages[(ADMIN.id, shown.message_id)].deleted = True
    async with h.sessionmaker() as session:
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание"),
            target=service.Target(("parents",)), at=NOW + timedelta(days=1), now=NOW,
            progress=(ADMIN.id, shown.message_id),
        )  # fmt: skip
        await session.commit()

    async def show_from_a_new_process(text: str) -> str:
        rt = Runtime(
            h.sessionmaker, TelegramChannel(h.bot), RateLimiter(100.0), FrozenClock(NOW), "p"
        )
        (row,) = [b for b in await broadcasts_in_db(h) if b.id == created.id]
        return await show(rt, row, text)

    assert await show_from_a_new_process("Отправлено <b>1</b> из 4") == "anew"
    (anew,) = h.server.sent_to(ADMIN.id)[1:]
    h.server.messages[(ADMIN.id, anew.message_id)].deleted = True
    assert await show_from_a_new_process("✅ Рассылка №1 завершена") == "edited"
    assert [txt(m) for m in h.server.sent_to(ADMIN.id)[1:]] == ["Отправлено 1 из 4"]
