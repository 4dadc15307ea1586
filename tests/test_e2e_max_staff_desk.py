"""МОЦ staff in MAX get Telegram's desk: /tickets (each open ticket as a card with its
buttons), /faq_stats, /report (the .xlsx as a MAX file), /staff and /broadcasts with
«Отменить» — over the fake MAX server; anyone else is refused as in Telegram, a forged
«Отменить» included."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import broadcasts as bt
from bot.texts import events_admin as et
from bot.texts import faq_learn as lt
from bot.texts import max as max_texts
from broadcasts.audience import Target
from broadcasts.content import Content
from broadcasts.service import create_broadcast
from handlers.max.render import render_text
from storage.db import SessionMaker
from storage.models import (
    Broadcast,
    BroadcastState,
    FaqStaffSample,
    Subscription,
    Ticket,
    TicketStatus,
)
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import answer_to, max_only_bot, say, ticket_from
from tests.helpers.wait import until

ADMIN = MaxUser(52_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(52_000_000_123, "Ольга", "Петрова")
QUESTION = "можно ли привести на занятие собаку-поводыря"
SHOES = "нужна ли сменная обувь на занятиях"
SECOND = MaxUser(52_000_000_124, "Инна", "Сидорова")
DESK = (
    "/tickets", "/faq_stats", "/faq_drafts", "/reload_faq", "/report", "/staff", "/broadcasts",
    "/broadcast",
)  # fmt: skip


@pytest.fixture
async def fake(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (server, _):
        yield server


async def a_ticket(fake: FakeMaxServer) -> None:
    """The mother asks what the bot does not know and sends it to a specialist."""
    await ticket_from(fake, ADMIN, MOTHER, QUESTION)


async def a_scheduled_broadcast(sessionmaker: SessionMaker) -> int:
    """Next week's news for parents, the mother subscribed."""
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        mother = await Repositories(session).channel_ids.find("max", "user", MOTHER.user_id)
        assert mother is not None
        session.add(Subscription(user_id=mother, audience="parents"))
        await session.flush()
        broadcast = await create_broadcast(
            session, author_id=None, content=Content(kind="text", text="Собрание в пятницу"),
            target=Target(("parents",)), at=now + timedelta(days=7), now=now,
        )  # fmt: skip
        await session.commit()
        return broadcast.id


async def test_max_staff_get_tickets_stats_report_staff_and_broadcasts(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    await a_ticket(fake)
    (helped,) = await say(fake, ADMIN, "/help")
    assert all(command in helped.plain for command in DESK)

    header, card = await say(fake, ADMIN, "/tickets", replies=2)
    assert header.plain == "Открытые обращения (1):"
    assert QUESTION in card.plain and "Ответить" in card.plain
    labels = [button["text"] for row in card.buttons() for button in row]
    assert texts.BTN_REPLY in labels and texts.BTN_CLOSE in labels
    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, card, texts.BTN_CLOSE)
    closed = (await fake.wait_sent(ADMIN, before + 1))[-1]
    assert closed.plain == "Обращение №1 закрыто (Анна Методист)."
    async with sessionmaker() as session:
        (ticket,) = (await session.execute(Ticket.__table__.select())).all()
    assert ticket.status == TicketStatus.CLOSED
    (none_open,) = await say(fake, ADMIN, "/tickets")
    assert none_open.plain == texts.STAFF_NO_OPEN

    (stats,) = await say(fake, ADMIN, "/faq_stats")
    assert stats.plain.startswith("Вопросы за 30 дней") and QUESTION in stats.plain
    assert "➕ 1" in str(stats.buttons())  # attaching it: the two-tap test below

    (sheet,) = await say(fake, ADMIN, "/report 2026-01-01 2026-12-31")
    assert [a["type"] for a in sheet.attachments] == ["file"]
    assert "Отчёт с 01.01.2026 по 31.12.2026" in sheet.plain
    name = "otchet-2026-01-01-2026-12-31.xlsx"
    workbook = load_workbook(io.BytesIO(next(d for n, d in fake.uploads.values() if n == name)))
    assert "Отчёт о мероприятиях" in str(workbook.worksheets[0]["A2"].value)
    (usage,) = await say(fake, ADMIN, "/report вчера")
    assert usage.plain.startswith("Отчёт за период")
    assert "/report ГГГГ-ММ-ДД ГГГГ-ММ-ДД" in et.REPORT_USAGE
    (too_long,) = await say(fake, ADMIN, "/report 2016-09-01 2026-08-31")
    assert too_long.plain == "Период длиннее 5 лет: укажите период покороче."
    assert not too_long.attachments

    (staff,) = await say(fake, ADMIN, "/staff")
    assert staff.plain.startswith("Сотрудники МОЦ") and "Анна Методист" in staff.plain

    (empty,) = await say(fake, ADMIN, "/broadcasts")
    assert empty.plain == max_texts.BROADCASTS_EMPTY
    bid = await a_scheduled_broadcast(sessionmaker)
    (listing,) = await say(fake, ADMIN, "/broadcasts")
    assert f"№{bid}" in listing.plain and "Собрание в пятницу" in listing.plain
    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, listing, bt.BTN_CANCEL_ONE.format(id=bid))
    done = (await fake.wait_sent(ADMIN, before + 1))[-1]
    assert done.plain.startswith(f"❌ Рассылка №{bid} отменена (Анна Методист)")
    async with sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).state == BroadcastState.CANCELLED  # type: ignore[union-attr]
    again = str(
        await answer_to(fake, fake.press(ADMIN, listing, bt.BTN_CANCEL_ONE.format(id=bid)))
    )
    assert f"Рассылка №{bid} уже отменена" in again


async def test_max_staff_attach_an_unanswered_question_to_an_entry_in_two_taps(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    """«➕ 1» under /faq_stats, then an entry: the next parent who asks so gets its answer;
    «↩️ Отменить» takes it back. A fresh FaqService: what staff add changes the live base."""
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, ADMIN) as (fake, _):
        fake.bot_started(ADMIN)
        await fake.wait_sent(ADMIN, 1)
        fake.bot_started(MOTHER)
        welcome = (await fake.wait_sent(MOTHER, 1))[0]
        fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
        await fake.wait_sent(MOTHER, 2)
        (unknown,) = await say(fake, MOTHER, SHOES)
        assert texts.BTN_ASK_SHORT in str(unknown.buttons())

        (stats,) = await say(fake, ADMIN, "/faq_stats")
        assert f"1. {SHOES}" in stats.plain and "«➕ N»" in stats.plain
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, stats, "➕ 1")
        picker = (await fake.wait_sent(ADMIN, before + 1))[-1]
        assert SHOES in picker.plain and "Или создайте новую статью" in picker.plain
        first = picker.buttons()[0][0]
        assert first["text"].startswith("→ ")
        entry_id = first["payload"].rsplit(":", 1)[1]
        fake.press(ADMIN, picker, first["text"])
        await until(lambda: "добавлен к статье" in picker.plain, what="the picker edited")
        assert "добавлен к статье" in picker.plain and "Анна Методист" in picker.plain
        assert [b["text"] for row in picker.buttons() for b in row] == [lt.BTN_UNDO]
        async with sessionmaker() as session:
            rows = (await session.scalars(select(FaqStaffSample))).all()
        assert [(r.entry_id, r.question) for r in rows] == [(entry_id, SHOES)]
        (answer,) = await say(fake, SECOND, SHOES)
        assert answer.text == render_text(entry_view(faq, settings, entry_id).text)[0]

        fake.press(ADMIN, picker, lt.BTN_UNDO)
        await until(lambda: "убран из базы" in picker.plain, what="the undo shown")
        assert "убран из базы" in picker.plain
        async with sessionmaker() as session:
            assert not (await session.scalars(select(FaqStaffSample))).all()


async def test_max_desk_commands_and_a_forged_cancel_refuse_non_staff(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    await a_ticket(fake)
    for command in DESK:
        (refused,) = await say(fake, MOTHER, command)
        assert refused.plain == texts.ADMIN_ONLY, command
    (helped,) = await say(fake, MOTHER, "/help")
    assert "/tickets" not in helped.plain

    bid = await a_scheduled_broadcast(sessionmaker)
    (listing,) = await say(fake, ADMIN, "/broadcasts")
    payload = listing.button(bt.BTN_CANCEL_ONE.format(id=bid))["payload"]
    forged = str(await answer_to(fake, fake.press_payload(MOTHER, listing, payload)))
    assert texts.ADMIN_ONLY in forged
    async with sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).state == BroadcastState.SCHEDULED  # type: ignore[union-attr]
    assert not fake.uploads


async def test_max_staff_typing_broadcast_are_asked_for_its_text_as_in_telegram(
    fake: FakeMaxServer,
) -> None:
    """/broadcast is what Telegram staff type; MAX opens the same dialog
    (tests/test_e2e_max_broadcast_compose.py goes through it)."""
    (answer,) = await say(fake, ADMIN, "/broadcast")
    assert answer.plain.startswith("📣 Новая рассылка") and "текст рассылки" in answer.plain
    assert texts.UNKNOWN_COMMAND not in answer.plain
    (refused,) = await say(fake, MOTHER, "/broadcast")
    assert refused.plain == texts.ADMIN_ONLY
