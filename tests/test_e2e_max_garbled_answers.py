"""MAX's answers are not always what its schema promises (a proxy in between, a changed API):
a long-polling answer whose marker is no number or whose updates are no list is a failed
poll, waited out and tried again. It used to end MAX polling for good, with nothing in the
log until the process stopped: nobody in MAX got an answer again."""

from __future__ import annotations

import pytest

from bot import texts
from tests.fakes.max_api import FakeMaxServer
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
