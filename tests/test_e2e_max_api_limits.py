"""What the real MAX Bot API does to a bot, met end to end (the real bot, the real MAX runtime,
the broadcast worker and the fake MAX server over HTTP): a 429 carries no hint and can come in a
spell, a 5xx comes and goes. What a staffer or a parent is owed still arrives: a MAX staffer's
broadcast report, a page asked for with a button."""

from __future__ import annotations

import asyncio

from bot import texts
from bot.texts import broadcasts as bt
from tests.helpers.max_both import Both, as_parent
from tests.helpers.max_both import MOTHER as PARENT
from tests.helpers.wait import until
from tests.test_e2e_max_broadcast_compose import (
    STAFFER,
    World,
    to_the_audiences,
    to_the_time,
    world,
)

__all__ = ["world"]  # fixtures


async def test_a_max_staffers_broadcast_report_survives_429s_and_a_5xx(world: World) -> None:
    """The report «✅ Рассылка №N завершена» is the staffer's only word on a broadcast composed
    in MAX (no progress message there); one 429 used to lose it for good."""
    w = world
    when = await to_the_time(w, await to_the_audiences(w))
    (repeat,) = await w.step(when, bt.BTN_NOW)
    _, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    for status, code in ((429, "too.many.requests"), (503, "service.unavailable"), (429, "")):
        w.h.max.fail_next(status, code or "too.many.requests", matching="завершена")
    said = await w.step(summary, bt.BTN_CONFIRM_NOW, 2)  # queued, then (in time) the report

    (broadcast,) = await w.broadcasts()
    reports = [m.plain for m in said if m.plain.startswith(f"✅ Рассылка №{broadcast.id} завершена")]
    assert reports and "MAX: доставлено 1 из 1" in reports[0]
    assert [m.plain for m in w.h.max.sent_to(STAFFER)].count(reports[0]) == 1


async def test_a_browse_press_met_by_a_long_spell_of_429s_still_shows_the_page(
    both: Both,
) -> None:
    """POST /answers keeps answering 429 past its retries: the page comes as a new message
    (through the messenger, which waits MAX out), not as an apology."""
    h = both
    await as_parent(h)
    page = await h.say(PARENT, "/faq")
    first = page.buttons()[0][0]["text"]
    before = len(h.max.sent_to(PARENT))
    h.max.fail_next(429, "too.many.requests", "slow down", path="/answers", times=5)
    callback = await h.press(PARENT, page, first)

    new = await h.max.wait_sent(PARENT, before + 1, within=30)
    assert callback not in dict(h.max.answers), "MAX never took the answer"
    assert not [m for m in new[before:] if texts.ERROR[:20] in m.plain]
    assert new[-1].buttons(), "the page came with its buttons"
    await asyncio.sleep(0.5)
    await until(lambda: len(h.max.sent_to(PARENT)) == before + 1, 2, "one page, no apology")
