"""MAX's answers are not always what its schema promises (a proxy in between, a changed API):
a long-polling answer whose marker is no number or whose updates are no list is a failed
poll, waited out and tried again. It used to end MAX polling for good, with nothing in the
log until the process stopped: nobody in MAX got an answer again. A send's answer whose `seq`
is no number is a sent message all the same (it used to fail the handler that sent it)."""

from __future__ import annotations

import pytest

from bot import texts
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.max_bot import say
from tests.helpers.max_both import MOTHER
from tests.test_e2e_hostile_max import clock, max_only

__all__ = ["clock", "max_only"]  # fixtures


@pytest.mark.parametrize(
    "garbled",
    [
        {"updates": [], "marker": "не число"},
        {"updates": 7, "marker": 1},
        {"updates": [], "marker": {"seq": 1}},
    ],
)
async def test_a_garbled_poll_answer_does_not_stop_max(
    max_only: FakeMaxServer, garbled: dict[str, object]
) -> None:
    fake = max_only
    fake.garble_next(garbled, times=2)
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1, within=20))[0]
    assert texts.ROLE_TITLES["parent"] in str(welcome.buttons())


@pytest.mark.parametrize("seq", ["12a", "", None, 1.5])
async def test_a_send_answer_with_a_seq_that_is_no_number_is_still_a_sent_message(
    max_only: FakeMaxServer, seq: object
) -> None:
    """The welcome went, but its answer's `seq` failed the handler: the parent's press on
    «Родитель» under it was then «кнопка устарела» or silence. Now the dialog goes on."""
    fake = max_only
    fake.seq_in_answers = seq
    fake.bot_started(MOTHER)
    welcome = (await fake.wait_sent(MOTHER, 1, within=20))[0]
    fake.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    saved = (await fake.wait_sent(MOTHER, 2, within=20))[-1]
    assert "Родитель" in saved.plain
    (answer,) = await say(fake, MOTHER, "меню")
    assert answer.buttons()
