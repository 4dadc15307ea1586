"""Telegram without STAFF_CHAT_ID: each admin gets a ticket privately — and so must staff the
owner invited with a link. They were staff for /tickets and the panel, yet no new ticket ever
reached them; now each gets one card and can answer it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import Settings
from tests.conftest import ADMIN, PARENT, TEACHER, BotHarness, make_settings
from tests.test_e2e_staff_invites import invite, join
from tests.test_e2e_tickets import UNKNOWN, ask_specialist


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, staff_chat_id=None)


async def test_invited_telegram_staff_get_tickets_privately(harness: BotHarness) -> None:
    h = harness
    await join(h, await invite(h))
    await h.server.idle()
    h.server.drain(TEACHER.id)
    h.server.drain(ADMIN.id)
    number = await ask_specialist(h)
    card = await h.server.next_message(TEACHER.id)
    assert f"Обращение №{number}" in card.text and UNKNOWN in card.text
    await h.server.idle()
    owner_cards = [m for m in h.server.drain(ADMIN.id) if UNKNOWN in (m.text or "")]
    assert len(owner_cards) == 1, "the owner gets one card"
    assert not [m for m in h.server.drain(TEACHER.id) if UNKNOWN in (m.text or "")]

    h.server.user_sends("Да, с собакой-поводырём можно.", user=TEACHER, reply_to=card)
    assert "доставлен" in (await h.server.next_message(TEACHER.id)).text
    assert "поводырём" in h.server.sent_to(PARENT.id)[-1].text
    note = await h.server.next_message(ADMIN.id)
    assert f"№{number}" in note.text and "Пётр Сидоров" in note.text
