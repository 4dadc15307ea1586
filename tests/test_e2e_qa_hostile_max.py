"""QA pass on hostile input in MAX, through the real MAX runtime and the fake MAX server over
HTTP: what a parent or a MAX admin would notice when messages are long or odd."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.services.faq import FaqService
from bot.services.faq.additions import Additions
from bot.services.faq.editing import with_edit
from bot.services.faq.edits import EntryEdit
from bot.texts import max as max_texts
from storage.db import SessionMaker
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import TEXT_LIMIT, MaxUser
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_hostile_max import MAX_ADMIN, answered, ask_in_max, clock, max_only
from tests.test_e2e_qa_hostile import long_text

__all__ = ["clock", "max_only"]  # fixtures shared with the MAX hostile tests


async def test_a_long_follow_up_from_max_reaches_a_max_admin_whole(
    max_only: FakeMaxServer,
) -> None:
    """A MAX parent adds to a waiting ticket a message near MAX's 4000: the MAX admin reads
    every sentence of it, the end not cut off."""
    fake = max_only
    await ask_in_max(fake)
    await fake.wait_sent(MAX_ADMIN, 2, within=15)  # the ticket's card
    addition = long_text("Д", TEXT_LIMIT - 20)
    fake.user_writes(MOTHER, addition)
    told = (await fake.wait_sent(MOTHER, 5, within=15))[-1]
    assert "№1" in told.plain and texts.TICKET_APPENDED[:10] in told.plain
    while not any("Д-КОНЕЦ" in m.plain for m in fake.sent_to(MAX_ADMIN)):
        await fake.wait_sent(MAX_ADMIN, len(fake.sent_to(MAX_ADMIN)) + 1, within=10)
    notes = fake.sent_to(MAX_ADMIN)[2:]
    assert all(len(m.text) <= TEXT_LIMIT for m in notes)
    shown = "\n".join(m.plain for m in notes)
    tags = [s.split(":")[0] for s in addition.split(". ")]
    missing = [tag for tag in tags if f"{tag}:" not in shown and tag not in shown]
    assert not missing, f"the admin never saw {missing[:3]}"


SECTION = "certificate"
ADDED_TOPICS = 6


@pytest.fixture(scope="module")
def grown_faq() -> FaqService:
    """The shipped knowledge base with topics staff added in the panel to its biggest section,
    which now holds more topics than MAX shows rows of buttons (30)."""
    base = FaqService(None).kb
    model = next(iter(base.entries_in(SECTION)))
    additions = Additions()
    for n in range(1, ADDED_TOPICS + 1):
        edit = EntryEdit(
            f"{SECTION}.web{n}", SECTION, model.audience, f"Новая тема {n}",
            f"Ответ на новую тему {n}.", (f"вопрос о новой теме номер {n}",), (), (),
            model.checked,
        )  # fmt: skip
        additions = with_edit(additions, edit)
    return FaqService(None, additions=additions)


@pytest.fixture
async def grown_kb(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    grown_faq: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(server, max_server, db_path, sessionmaker, grown_faq) as h:
        yield h


async def test_a_section_with_more_topics_than_max_rows_still_opens(
    grown_kb: Both, grown_faq: FaqService
) -> None:
    """A MAX parent opens a FAQ section with over 30 topics: the page shows every topic as a
    button (set more than one to a row) instead of «что-то пошло не так»."""
    h = grown_kb
    topics = [e.title for e in grown_faq.kb.entries_in(SECTION)]
    assert len(topics) > 30
    await as_parent(h)
    sections = await h.say(MOTHER, "/faq")
    label = next(b["text"] for row in sections.buttons() for b in row if SECTION in b["payload"])
    callback = await h.press(MOTHER, sections, label)
    await until(lambda: answered(h, callback), 10, "the section page")
    page = dict(h.max.answers)[callback].get("message")
    assert page, f"no page came with the answer: {dict(h.max.answers)[callback]}"
    shown = [b["text"] for row in page["attachments"][0]["payload"]["buttons"] for b in row]
    assert set(topics) <= set(shown)
    assert not [m for m in h.max.sent_to(MOTHER) if texts.ERROR[:20] in m.plain]


RTL_TRICK = MaxUser(50_000_000_777, "\u202eОльга", "<i>Сидорова</i> \u2066")


async def test_a_max_name_with_bidi_controls_does_not_turn_the_admins_card_around(
    max_only: FakeMaxServer,
) -> None:
    """The MAX admin's ticket card names the asker without the bidi controls that would show
    the rest of the line (the messenger, the id) backwards; HTML-looking letters stay text."""
    fake = max_only
    fake.bot_started(RTL_TRICK)
    welcome = (await fake.wait_sent(RTL_TRICK, 1))[0]
    fake.press(RTL_TRICK, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(RTL_TRICK, 2)
    fake.user_writes(RTL_TRICK, UNKNOWN)
    unknown = (await fake.wait_sent(RTL_TRICK, 3))[-1]
    fake.press(RTL_TRICK, unknown, texts.BTN_ASK_SHORT)
    card = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[-1]
    assert "Ольга <i>Сидорова</i>" in card.plain, card.plain
    assert f"MAX, id {RTL_TRICK.user_id}" in card.plain
    bidi = [c for c in card.text if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert not bidi, f"bidi controls in the card: {bidi}"


async def test_an_invisible_message_after_ask_in_max_is_no_ticket(max_only: FakeMaxServer) -> None:
    """As in Telegram: after /ask a zero-width space or a Hangul filler makes no ticket for
    the MAX admins; the bot asks for words and the next real question is the ticket."""
    fake = max_only
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(MOTHER, 2)
    fake.user_writes(MOTHER, "/ask")
    await fake.wait_sent(MOTHER, 3)
    for n, blank in enumerate(("\u200b", "\u3164"), start=4):
        fake.user_writes(MOTHER, blank)
        assert (await fake.wait_sent(MOTHER, n))[-1].plain == max_texts.ASK_REPROMPT
    fake.user_writes(MOTHER, UNKNOWN)
    assert "№1" in (await fake.wait_sent(MOTHER, 6))[-1].plain
    card = (await fake.wait_sent(MAX_ADMIN, 2, within=15))[-1]
    assert UNKNOWN in card.plain and "№1" in card.plain
