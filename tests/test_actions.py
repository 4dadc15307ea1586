"""Neutral buttons built by services unpack with the Telegram adapter's CallbackData classes.

Services pack action payloads themselves (`bot.core.messages.pack`) so they need no aiogram;
this checks, button by button, that a press on each lands in the router meant for it.
"""

from __future__ import annotations

import pytest

from bot.core.messages import Button, pack, rows
from bot.services.tickets import buttons
from handlers.tg.callbacks import KbCb, TicketCb


def _actions(keyboard: tuple[tuple[Button, ...], ...]) -> list[str]:
    return [b.action for row in keyboard for b in row if b.action is not None]


@pytest.mark.parametrize("closed", [False, True])
def test_staff_ticket_buttons_unpack_as_the_routers_expect(closed: bool) -> None:
    actions = _actions(buttons.staff_ticket(4242, closed))
    tickets = [TicketCb.unpack(a) for a in actions if a.startswith("tk:")]
    expected = ["reply", "draft"] if closed else ["reply", "close", "draft"]
    assert [(cb.action, cb.id) for cb in tickets] == [(a, 4242) for a in expected]
    [kb] = [KbCb.unpack(a) for a in actions if a.startswith("kb:")]
    assert (kb.action, kb.src, kb.id) == ("pick", "t", 4242)
    assert actions == [
        *(TicketCb(action=a, id=4242).pack() for a in expected),
        KbCb(action="pick", src="t", id=4242).pack(),
    ]


def test_answered_ticket_buttons_unpack() -> None:
    actions = _actions(buttons.user_ticket_answered(7))
    assert actions == [TicketCb(action=a, id=7).pack() for a in ("solved", "more")]


def test_buttons_refuse_payloads_telegram_would_reject() -> None:
    with pytest.raises(ValueError):
        Button("x", pack("tk", "reply", "я" * 40))
    with pytest.raises(ValueError):
        Button("x")
    assert rows(*(Button(str(i), pack("a", i)) for i in range(5)), per_row=(2,)) == (
        (Button("0", "a:0"), Button("1", "a:1")),
        (Button("2", "a:2"), Button("3", "a:3")),
        (Button("4", "a:4"),),
    )


def test_the_move_button_under_my_data_unpacks_as_move_cb() -> None:
    from bot.services.profile import transfer
    from handlers.tg.callbacks import MoveCb

    (button,) = _actions(transfer.my_data_button())
    assert MoveCb.unpack(button).action == "ask"


def test_typed_unsubscribe_buttons_unpack_as_the_broadcast_ones() -> None:
    """«Отписаться» typed offers the buttons a private broadcast carries (UnsubCb, MAX alike)."""
    from bot.services.chats.registry import UNSUB_ACTION
    from handlers.tg.callbacks import UnsubCb

    assert pack(UNSUB_ACTION, "parents") == UnsubCb(a="parents").pack()


def test_subscribe_again_button_unpacks_with_resubcb() -> None:
    from bot.services.chats.registry import RESUB_ACTION
    from handlers.tg.callbacks import ResubCb

    assert pack(RESUB_ACTION, "parents") == ResubCb(a="parents").pack()
