"""A MAX-only МОЦ (no Telegram staff chat): the admin gets each ticket privately in MAX with
the staff chat's buttons. Every button on that card must do in MAX what it says — «📝 В
черновики FAQ» told the admin «Эта команда только для сотрудников МОЦ.», and «➕ В базу» said
«Кнопка устарела» of a card just posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.services.faq import FaqService
from bot.texts import max as max_texts
from bot.texts.faq_learn import BTN_NEW_ENTRY, BTN_TO_KB
from storage.db import SessionMaker
from storage.models import FaqDraft
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.max_bot import answer_to, max_only_bot, ticket_from

ADMIN = MaxUser(50_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(50_000_000_123, "Ольга", "Петрова")
QUESTION = "можно ли привести на занятие собаку-поводыря"


@pytest.fixture
async def max_only(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (fake, _):
        yield fake


async def ticket_card(fake: FakeMaxServer) -> Message:
    return await ticket_from(fake, ADMIN, MOTHER, QUESTION)


async def test_every_button_of_a_ticket_card_in_max_leads_somewhere(
    max_only: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    fake = max_only
    card = await ticket_card(fake)
    assert QUESTION in card.plain
    assert "(Reply)" not in card.plain and "Ответить" in card.plain  # a MAX reply is no answer
    labels = [button["text"] for row in card.buttons() for button in row]
    for label in labels:
        if label in (texts.BTN_REPLY, texts.BTN_CLOSE):
            continue  # served (tests/test_e2e_max_private.py)
        pressed = fake.press(ADMIN, card, label)
        body = await answer_to(fake, pressed)
        assert texts.ADMIN_ONLY not in str(body), f"{label}: a staff member is told «not staff»"
        assert max_texts.STALE_BUTTON not in str(body), f"{label}: a fresh button called stale"

    # «В черновики FAQ» before an answer: asked to answer first, as in Telegram
    if texts.BTN_DRAFT in labels:
        body = await answer_to(fake, fake.press(ADMIN, card, texts.BTN_DRAFT))
        assert texts.STAFF_DRAFT_NO_ANSWER in str(body)
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, card, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN, before + 1)
        fake.user_writes(ADMIN, "Да, с собакой-поводырём можно.")
        await fake.wait_sent(ADMIN, before + 2)
        fake.press(ADMIN, card, texts.BTN_DRAFT)
        saved = (await fake.wait_sent(ADMIN, before + 3))[-1]
        assert "Черновик №" in saved.plain
        async with sessionmaker() as session:
            draft = (await session.scalars(select(FaqDraft))).one()
        assert draft.question == QUESTION and "поводырём" in draft.answer
        assert "/faq_drafts" in saved.plain  # MAX staff list them as in Telegram


async def test_to_kb_in_max_offers_entries_and_refuses_others(max_only: FakeMaxServer) -> None:
    """«➕ В базу» shows the entries to attach the question to (tests/test_e2e_max_staff_desk.py
    attaches one) and, last, «🔎 Другая статья…» (tests/test_e2e_max_parity.py finds one) and
    «✏️ Новая статья» (tests/test_e2e_max_faq_new.py writes one)."""
    fake = max_only
    card = await ticket_card(fake)
    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, card, BTN_TO_KB)
    picker = (await fake.wait_sent(ADMIN, before + 1))[-1]
    assert QUESTION in picker.plain and "веб-панель" not in picker.plain
    *entries, (other, new) = picker.buttons()
    assert entries and all(b["payload"].startswith("kb:a:t:") for row in entries for b in row)
    assert other["payload"].startswith("kb:find:t:")
    assert (new["text"], new["payload"]) == (
        BTN_NEW_ENTRY,
        other["payload"].replace("find", "new"),
    )
    payload = card.button(BTN_TO_KB)["payload"]
    forged = await answer_to(fake, fake.press_payload(MOTHER, card, payload))
    assert texts.ADMIN_ONLY in str(forged)


async def test_a_second_max_admin_sees_the_answer_and_the_close_of_a_colleague(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """Each MAX admin gets the ticket privately: one answered and the other, not knowing,
    answered the parent a second time. Now the others are told who answered what."""
    second = MaxUser(50_000_000_002, "Олег", "Завучев")
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN, second) as (fake, _):
        fake.bot_started(second)
        await fake.wait_sent(second, 1)
        card = await ticket_card(fake)
        await fake.wait_sent(second, 2, within=20)
        fake.press(ADMIN, card, texts.BTN_REPLY)
        await fake.wait_sent(ADMIN, 3)
        fake.user_writes(ADMIN, "Да, с собакой-поводырём можно.")
        note = (await fake.wait_sent(second, 3))[-1]
        assert "№1" in note.plain and "Анна Методист" in note.plain
        assert "поводырём" in note.plain
        fake.press(ADMIN, card, texts.BTN_CLOSE)
        closed = (await fake.wait_sent(second, 4))[-1]
        assert "№1 закрыто" in closed.plain and "Анна Методист" in closed.plain
