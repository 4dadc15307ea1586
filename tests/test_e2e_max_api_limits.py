"""What the real MAX Bot API does to a bot, met end to end (the real bot, the real MAX runtime,
the broadcast worker and the fake MAX server over HTTP): a 429 carries no hint and can come in a
spell, a 5xx comes and goes, a file just uploaded is «attachment.not.ready» for a while. What a
staffer, a parent or a teacher is owed still arrives: a MAX staffer's broadcast report, a page
asked for with a button, the .ics of a registration."""

from __future__ import annotations

import asyncio

import pytest

from bot import texts
from bot.texts import broadcasts as bt
from bot.texts import events as et
from tests.helpers.events import seed_event
from tests.helpers.max_both import MOTHER as PARENT
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    as_parent,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
)
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
    """The report «✅ Рассылка №N завершена» is edited into the author's progress message, their
    word on a broadcast composed in MAX; one 429 on that edit used to lose it for good."""
    w = world
    when = await to_the_time(w, await to_the_audiences(w))
    (repeat,) = await w.step(when, bt.BTN_NOW)
    _, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    for status, code in ((429, "too.many.requests"), (503, "service.unavailable"), (429, "")):
        w.h.max.fail_next(status, code or "too.many.requests", matching="завершена")
    progress, _queued = await w.step(summary, bt.BTN_CONFIRM_NOW, 2)

    (broadcast,) = await w.broadcasts()
    done = f"✅ Рассылка №{broadcast.id} завершена"
    await until(lambda: progress.plain.startswith(done), 30, "the report in the progress message")
    assert "MAX: доставлено 1 из 1" in progress.plain
    assert [fault[4] for fault in w.h.max._faults] == [0, 0, 0], "each fault met the report"
    assert not [m for m in w.h.max.sent_to(STAFFER) if m.plain.startswith(done)][1:]


@pytest.mark.parametrize(
    ("status", "code", "times"),
    [(429, "too.many.requests", 5), (502, "internal.error", 1)],
)
async def test_a_browse_press_max_will_not_answer_still_shows_the_page(
    both: Both, status: int, code: str, times: int
) -> None:
    """POST /answers keeps answering 429 past its retries, or fails on MAX's side: the page
    comes as a new message (through the messenger, which waits MAX out), not as an apology."""
    h = both
    await as_parent(h)
    page = await h.say(PARENT, "/faq")
    first = page.buttons()[0][0]["text"]
    before = len(h.max.sent_to(PARENT))
    h.max.fail_next(status, code, "MAX says no", path="/answers", times=times)
    callback = await h.press(PARENT, page, first)

    new = await h.max.wait_sent(PARENT, before + 1, within=30)
    assert callback not in dict(h.max.answers), "MAX never took the answer"
    assert not [m for m in new[before:] if texts.ERROR[:20] in m.plain]
    assert new[-1].buttons(), "the page came with its buttons"
    await asyncio.sleep(0.5)
    await until(lambda: len(h.max.sent_to(PARENT)) == before + 1, 2, "one page, no apology")


async def test_the_ics_of_a_registration_arrives_while_max_still_processes_it(
    both: Both,
) -> None:
    """MAX refuses a message with a file it has not processed yet (400 attachment.not.ready,
    «повторите попытку через некоторое время»): the teacher still gets the .ics, once."""
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await seed_event(h.sessionmaker, capacity=5, starts_at=SOON, title="Семинар")
    await h.start(TEACHER_MAX)
    listing = await h.say(TEACHER_MAX, "/events")
    card = await press_to_edit(h, listing, listing.buttons()[0][0]["text"])
    h.max.not_ready_sends = 3  # each upload is refused three times before it is ready
    confirmation, ics = await press_and_wait(h, card, et.BTN_REGISTER, 2)

    assert "Семинар" in confirmation.plain
    assert [a["type"] for a in ics.attachments] == ["file"]
    refused = [c for c in h.max.calls_to("POST", "/messages") if c.status == 400]
    assert len(refused) == 3
    files = [m for m in h.max.sent_to(TEACHER_MAX) if m.attachments and not m.buttons()]
    named = f"seminar-{SOON.astimezone(h.settings.tz):%d.%m.%Y}.ics"
    assert len(files) == 1 and named in {n for n, _ in h.max.uploads.values()}
