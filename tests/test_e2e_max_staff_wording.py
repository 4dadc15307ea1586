"""МОЦ staff in MAX never read Telegram-specific wording: a card too long for one message is
explained without naming Telegram (the limit is the bot's, for both messengers). Over the fake
MAX server (real HTTP), MAX only."""

from __future__ import annotations

from bot.texts import events_admin as t
from tests.helpers.events import seed_event
from tests.helpers.max_bot import start
from tests.helpers.max_both import SOON, labels
from tests.test_e2e_max_staff_event_form import Max
from tests.test_e2e_max_staff_event_form import bot as bot  # a fixture
from tests.test_e2e_max_staff_events import ADMIN_MAX


async def test_a_too_long_card_is_explained_without_telegram_in_max(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    event_id = await seed_event(
        h.sessionmaker, starts_at=SOON, title="Семинар", description="Подробно. " * 365
    )  # written by the panel's import: near the limit already
    card = await start(h.fake, admin, f"event_{event_id}", n=2)
    (pick,) = await h.presses(admin, card, "✏️ Изменить")
    (ask,) = await h.presses(admin, pick, t.FIELD_LABELS["title"])
    assert t.BTN_DISCARD in labels(ask)
    (refused,) = await h.says(admin, "Очень длинное название семинара " * 6)
    assert "Карточка получается длиннее" in refused.plain, refused.plain
    assert "Telegram" not in refused.plain and "Телеграм" not in refused.plain
    # the field is still asked: «Отмена» leaves the dialog
    (dropped,) = await h.says(admin, "Отмена")
    assert "отменено" in dropped.plain.lower()
