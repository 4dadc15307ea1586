"""Issue 13, item 6: anyone can add the bot to a group. A stranger's additions reach the admins
at most once an hour (the rest summarised), and the title they chose is shown as code, never as
a live link; an admin's own additions are reported at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FrozenClock
from bot.texts import chats as t
from tests.conftest import ADMIN, BotHarness
from tests.fakes.telegram_api import FakeUser, SentMessage
from tests.test_e2e_chats import GROUP, in_group, member_change

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


async def test_a_busy_group_gets_one_pointer_not_thirty_and_questions_still_get_theirs(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """Thirty parents typing /start (or the bot's bare name) in one group within a minute got
    thirty «Я бот МОЦ…» replies, burying the chat; one pointer is there for all to read now.
    A parent who asks the bot something by name still hears where to ask it."""
    h = harness
    member_change(h.server, {"id": GROUP, "type": "group", "title": "Р"}, ADMIN, "left", "member")
    await h.server.idle()
    h.server.drain(ADMIN.id)
    me = f"@{h.server.bot_username}"
    mention = {"type": "mention", "offset": 0, "length": len(me)}
    parents = [FakeUser(id=7000 + n, first_name=f"Родитель {n}") for n in range(30)]
    for n, parent in enumerate(parents):
        text, entities = ("/start", None) if n % 3 else (me, [mention])
        in_group(h, parent, text, entities=entities)
    await h.server.idle()
    assert [m.text for m in h.server.drain(GROUP)] == [t.IN_GROUP]

    asked = f"{me}, как активировать сертификат?"
    in_group(h, parents[0], asked, entities=[mention])
    reply = await h.server.next_message(GROUP)
    replied = h.server.user_messages[(GROUP, reply.reply_to_message_id or 0)]
    assert reply.text == t.IN_GROUP and replied.text == asked  # a reply to that question

    clock.set(NOW + timedelta(minutes=6))  # a while later, a newcomer
    in_group(h, FakeUser(id=7100, first_name="Новенькая"), "/start")
    assert (await h.server.next_message(GROUP)).text == t.IN_GROUP
    await h.server.idle()
    assert h.server.drain(GROUP) == []
