"""Issue 13, item 6: anyone can add the bot to a group. A stranger's additions reach the admins
at most once an hour (the rest summarised), and the title they chose is shown as code, never as
a live link; an admin's own additions are reported at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from tests.conftest import ADMIN, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.test_e2e_chats import member_change

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STRANGER = FakeUser(id=6666, first_name="Жми https://evil.example/win", username="spammer")
TITLE = "Выигрыш! https://evil.example/prize @scam_channel"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def add_bot(h: BotHarness, chat_id: int, title: str, by: FakeUser) -> None:
    chat = {"id": chat_id, "type": "supergroup", "title": title}
    member_change(h.server, chat, by, "left", "member")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def as_code(message: SentMessage, fragment: str) -> bool:
    """The fragment sits inside a code entity (a client shows no link there)."""
    text = message.text or ""
    start = _utf16(text[: text.index(fragment)])
    end = start + _utf16(fragment)
    return any(
        e["type"] in ("code", "pre") and e["offset"] <= start and end <= e["offset"] + e["length"]
        for e in message.entities
    )


async def test_stranger_additions_are_rate_limited_and_titles_are_not_links(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    for n in range(5):
        add_bot(h, -1003000000000 - n, f"{TITLE} #{n}", STRANGER)
    await h.server.idle()
    notes = h.server.drain(ADMIN.id)
    assert len(notes) == 1  # one notice, not five
    note = notes[0]
    # updates of different chats run side by side: any of the five may come first
    first = next(f"{TITLE} #{n}" for n in range(5) if f"{TITLE} #{n}" in (note.text or ""))
    assert as_code(note, first) and as_code(note, STRANGER.first_name)
    assert not [e for e in note.entities if e["type"] in ("text_link", "url", "mention")]

    add_bot(h, -1003000000100, "Методисты МОЦ", ADMIN)  # an admin's own: told at once
    admin_note = await h.server.next_message(ADMIN.id)
    assert "Методисты МОЦ" in (admin_note.text or "") and admin_note.inline_texts

    clock.set(NOW + timedelta(minutes=61))
    add_bot(h, -1003000000200, f"{TITLE} #later", STRANGER)
    later = await h.server.next_message(ADMIN.id)
    assert as_code(later, f"{TITLE} #later")
    assert "не сотрудники после прошлого такого сообщения: 4" in (
        later.text or ""
    ) and "/chats" in (later.text or "")

    # /chats lists all six, the chosen titles as code too
    report = await h.say(ADMIN, "/chats")
    assert as_code(report, f"{TITLE} #later") and as_code(report, f"{TITLE} #4")
