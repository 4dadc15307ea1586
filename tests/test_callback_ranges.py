"""Callback data out of range (issue 13, item 11): a forged number too large for the database
or a month 999999 is answered quietly, logged at debug, and reaches no handler."""

from __future__ import annotations

import logging
import typing

import pytest
from aiogram.filters.callback_data import CallbackData
from annotated_types import Ge, Le

import handlers
from bot import texts
from handlers.tg.callbacks import EventListCb
from tests.conftest import ADMIN, PARENT, TEACHER, BotHarness

FORGED = (
    "ev:reg:99999999999999999999999",
    "ev:ics:-1",
    "evl:zz:999999:-5",
    "evl::202613:0",
    "evl::0:99999999999",
    "tk:close:9223372036854775808",
    "ask:99999999999999",
    "att:3000000000:0",
    "pf:org:-7",
    "ack:99999999999999999999",
    "bc:99999999999999999999999:parents",
    "bca:cancel:-3",
    "atp:1:-1",
    "eve:99999999999:capacity",
)


@pytest.mark.parametrize("user", [TEACHER, ADMIN], ids=["teacher", "admin"])
async def test_out_of_range_callback_values_are_answered_quietly(
    harness: BotHarness, caplog: pytest.LogCaptureFixture, user: object
) -> None:
    who = typing.cast(type(TEACHER), user)
    menu = await harness.say(who, "/start")
    harness.server.drain(ADMIN.id)
    caplog.set_level(logging.DEBUG, logger="handlers.tg.callback_guard")
    for data in FORGED:
        harness.server.press_data(menu, data, user=who)
        answer = await harness.server.callback_answer()
        assert answer.ok and not answer.params.get("show_alert"), data
        assert answer.params.get("text") in (None, texts.STALE_BUTTON), data
    await harness.server.idle()
    assert not harness.server.drain(ADMIN.id) or who is ADMIN  # no error notice to admins
    assert not [m for m in harness.server.drain(who.id) if m.text == texts.ERROR]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    rejected = [r for r in caplog.records if r.name == "handlers.tg.callback_guard"]
    assert len(rejected) == len(FORGED) and all(r.levelno == logging.DEBUG for r in rejected)


async def test_valid_payloads_still_work(harness: BotHarness) -> None:
    menu = await harness.say(PARENT, "/start")
    harness.server.press_data(menu, EventListCb(month=0, page=0).pack(), user=PARENT)
    await harness.server.callback_answer()
    await harness.server.idle()
    assert "Ближайшие мероприятия" in harness.server.messages[(PARENT.id, menu.message_id)].text


def _all_callback_classes() -> list[type[CallbackData]]:
    handlers.get_routers()  # imports every module that defines one
    found, todo = [], list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith(("bot.", "handlers.", "broadcasts.")):
            found.append(cls)
    return found


def test_every_number_in_callback_data_is_bounded() -> None:
    """A new int field without bounds would bring the OverflowError back."""
    classes = _all_callback_classes()
    assert len(classes) >= 20
    for cls in classes:
        for name, field in cls.model_fields.items():
            if field.annotation is int:
                bounds = {type(m) for m in field.metadata}
                assert {Ge, Le} <= bounds, f"{cls.__name__}.{name} has no range"
