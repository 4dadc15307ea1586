"""The FAQ's neutral buttons press back into the Telegram handlers: every action the FAQ
service packs unpacks with the CallbackData class the router filters on, to the same values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.core.config import Settings
from bot.core.messages import Keyboard
from bot.services.faq import FaqService, consult, replies
from handlers.tg.callbacks import AskCb, FaqCb

CLASSES: dict[str, type[CallbackData]] = {"faq": FaqCb, "ask": AskCb}


def actions(keyboard: Keyboard) -> Iterator[str]:
    for row in keyboard:
        for button in row:
            if button.action is not None:
                yield button.action


def unpacked(action: str) -> CallbackData:
    cls = CLASSES[action.split(":", 1)[0]]
    data = cls.unpack(action)
    assert data.pack() == action  # nothing lost, nothing added
    return data


def test_every_faq_button_unpacks_with_its_callback_class(
    faq_service: FaqService, settings: Settings
) -> None:
    kb = faq_service.kb
    shown = [consult.categories(faq_service).buttons]
    topics = [consult.category(faq_service, c.id) for c in kb.categories]
    shown += [reply.buttons for reply in topics if reply is not None]
    shown += [consult.entry_view(faq_service, settings, e).buttons for e in kb.entries]
    entries = list(kb.entries.values())[:3]
    shown += [replies.suggestions(entries, 42), replies.unknown(7), replies.screenshot(2**31 - 1)]
    shown += [replies.nearest(entries, 43)]
    packed = [action for keyboard in shown for action in actions(keyboard)]
    assert len(packed) > 2 * len(kb.entries)
    for action in packed:
        unpacked(action)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (replies.browse("cats"), FaqCb(action="cats")),
        (replies.browse("cat", "events"), FaqCb(action="cat", id="events")),
        (replies.browse("e", "moc.contacts"), FaqCb(action="e", id="moc.contacts")),
        (replies.ask(), AskCb()),
        (replies.ask(42), AskCb(query_id=42)),
    ],
)
def test_packed_like_aiogram(action: str, data: CallbackData) -> None:
    assert action == data.pack()
    assert unpacked(action) == data


def test_a_suggestion_carries_its_logged_question(faq_service: FaqService) -> None:
    """The offered entry carries it too: «Спросить специалиста» under its answer forwards it."""
    entry = next(iter(faq_service.kb.entries.values()))
    keyboard = replies.suggestions([entry], 42)
    assert [unpacked(a) for a in actions(keyboard)] == [
        FaqCb(action="s", id=f"42-{entry.id}"),
        AskCb(query_id=42),
    ]
