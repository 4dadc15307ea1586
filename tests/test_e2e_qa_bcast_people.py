"""An outside QA pass over broadcasts as the people on both ends notice them: the МОЦ staffer
who writes one in MAX or Telegram, the parents' and directors' groups that get it."""

from __future__ import annotations

from bot.texts import broadcasts as bt
from tests.fakes.max_model import Message
from tests.helpers.wait import until
from tests.test_e2e_max_broadcast_compose import (
    MAX_PARENTS,
    STAFFER,
    TG_PARENTS,
    World,
    to_the_time,
)
from tests.test_e2e_max_broadcast_compose import world as world  # a fixture

BOLD_NEWS = "Внимание! Собрание <в пятницу> в 18:00, программа на сайте"
BOLD_MARKUP = [
    {"type": "strong", "from": 0, "length": 9},
    {"type": "emphasized", "from": 10, "length": 8},
    {"type": "link", "from": 47, "length": 11, "url": "https://moc.example/plan?a=1&b=2"},
]


async def test_bold_italics_and_a_link_typed_in_max_reach_both_messengers(world: World) -> None:
    """MAX keeps a message's formatting apart from its words (`markup`): the parents of both
    messengers see «Внимание!» bold and the link, as the staffer typed it, not bare words."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    w.h.max.user_writes(STAFFER, BOLD_NEWS, markup=BOLD_MARKUP)
    audiences: Message = (await w.h.max.wait_sent(STAFFER, before + 1))[before]
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert sample.plain == BOLD_NEWS and "<b>Внимание!</b>" in sample.text  # the preview too
    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    await until(lambda: w.tg_news() and w.max_news(), 15, "both groups got it")
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.text == BOLD_NEWS  # «<в пятницу>» shown as typed
    shown = {(e["type"], e["offset"], e["length"], e.get("url")) for e in tg.entities}
    assert shown == {
        ("bold", 0, 9, None),
        ("italic", 10, 8, None),
        ("text_link", 47, 11, "https://moc.example/plan?a=1&b=2"),
    }
    (mx,) = w.h.max.sent_to(MAX_PARENTS)
    assert mx.plain == BOLD_NEWS
    assert "<b>Внимание!</b>" in mx.text and "<i>Собрание</i>" in mx.text
    assert '<a href="https://moc.example/plan?a=1&amp;b=2">' in mx.text


async def test_a_time_max_cannot_read_is_explained_without_raw_tags(world: World) -> None:
    """«Когда отправить?» answered «в пятницу вечером»: the staffer reads the examples in
    italics, as Telegram shows them, not «<i>25.12.2026 15:00</i>» letter by letter."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    audiences = await w.h.say(STAFFER, "Собрание в пятницу")
    when = await to_the_time(w, audiences)
    again = await w.h.say(STAFFER, "в пятницу вечером")
    assert again.plain.startswith("Не понял дату и время")
    assert "25.12.2026 15:00" in again.plain and "<i>" not in again.plain
    assert again.plain.endswith(when.plain)  # the question asked again
    past = await w.h.say(STAFFER, "01.01.2020 10:00")
    assert past.plain.startswith("Это время уже прошло (01.01.2020 10:00)")
