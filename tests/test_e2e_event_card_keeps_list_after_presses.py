"""A card opened from a typed month's list kept that month in «« К списку», but a press of
«Записаться» (or «Встать в лист ожидания») or a cancel rebuilt the card with a plain
«« К списку»: the list came back with every month. Now the card keeps the list it was
opened from through those presses. Telegram and MAX."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.events.listing import month_label
from bot.texts import events as t
from tests.conftest import TEACHER
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    labels,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
    wait_edited,
)
from tests.test_e2e_teacher_typed_doors import MONTHS_PREPOSITIONAL


async def test_register_and_cancel_keep_the_typed_month(both: Both) -> None:
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    day = SOON.astimezone(h.settings.tz).replace(hour=15, minute=0)
    await seed_event(h.sessionmaker, starts_at=day, title="Семинар «Оригами»")
    await seed_event(h.sessionmaker, starts_at=day + timedelta(days=45), title="Семинар «Позже»")
    await h.start(TEACHER_MAX)
    typed = f"какие мероприятия в {MONTHS_PREPOSITIONAL[day.month - 1]}"
    label = t.BTN_FILTER_MONTH.format(value=month_label(day.year * 100 + day.month))

    h.tg.user_sends(typed, user=TEACHER)
    listing = await h.tg.next_message(TEACHER.id)
    key = (TEACHER.id, listing.message_id)
    for presses in ([t.BTN_REGISTER], [t.BTN_CANCEL_REG, t.BTN_CANCEL_YES]):
        (card_button,) = [b for b in h.tg.messages[key].inline_texts if "Оригами" in b]
        h.tg.press(h.tg.messages[key], card_button, user=TEACHER)
        await h.tg.idle()
        for press in presses:
            h.tg.press(h.tg.messages[key], press, user=TEACHER)
            await h.tg.idle()
        card = h.tg.messages[key]
        assert "Семинар «Оригами»" in card.text and t.BTN_TO_LIST in card.inline_texts
        h.tg.press(card, t.BTN_TO_LIST, user=TEACHER)
        await h.tg.idle()
        back = h.tg.messages[key]
        assert "Оригами" in back.text and "Позже" not in back.text, (presses, back.text)
        assert label in back.inline_texts

    listing_max = await h.say(TEACHER_MAX, typed)
    (card_label,) = [b for b in labels(listing_max) if "Оригами" in b]
    card_max = await press_to_edit(h, listing_max, card_label)
    edits = card_max.edits
    await press_and_wait(h, card_max, t.BTN_REGISTER, 2)  # the confirmation and the .ics
    await wait_edited(card_max, edits)
    again = await press_to_edit(h, card_max, t.BTN_TO_LIST)
    assert "Оригами" in again.plain and "Позже" not in again.plain, again.plain
    assert label in labels(again)

    card_max = await press_to_edit(h, again, card_label)
    confirm = await press_to_edit(h, card_max, t.BTN_CANCEL_REG)
    edits = confirm.edits
    (cancelled,) = await press_and_wait(h, confirm, t.BTN_CANCEL_YES, 1)
    assert "отменена" in cancelled.plain
    await wait_edited(confirm, edits)
    await asyncio.sleep(0.1)
    again = await press_to_edit(h, confirm, t.BTN_TO_LIST)
    assert "Оригами" in again.plain and "Позже" not in again.plain, again.plain
    assert label in labels(again)
