"""QA pass on hostile input in MAX, through the real MAX runtime and the fake MAX server over
HTTP: what a parent or a MAX admin would notice when messages are long or odd."""

from __future__ import annotations

from bot import texts
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import TEXT_LIMIT
from tests.helpers.max_both import MOTHER
from tests.test_e2e_hostile_max import MAX_ADMIN, ask_in_max, clock, max_only
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
