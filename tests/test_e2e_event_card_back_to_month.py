"""A teacher types a month («какие мероприятия в январе»), opens an event from that list and
presses «« К списку»: the list came back without the month (every month's events, the filter
reset to «все месяцы»). Now it is the list the card was opened from. Telegram and MAX."""

from __future__ import annotations

from datetime import timedelta

from bot.services.events.listing import month_label
from bot.texts import events as t
from tests.conftest import TEACHER
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import SOON, TEACHER_MAX, Both, labels, press_to_edit, seed_max_teacher
from tests.test_e2e_teacher_typed_doors import MONTHS_PREPOSITIONAL


async def test_back_from_a_card_keeps_the_typed_month(both: Both) -> None:
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    tz = h.settings.tz
    day = SOON.astimezone(tz).replace(hour=15, minute=0)
    await seed_event(h.sessionmaker, starts_at=day, title="Семинар «Оригами»")
    await seed_event(h.sessionmaker, starts_at=day + timedelta(days=45), title="Семинар «Позже»")
    await h.start(TEACHER_MAX)
    typed = f"какие мероприятия в {MONTHS_PREPOSITIONAL[day.month - 1]}"
    label = t.BTN_FILTER_MONTH.format(value=month_label(day.year * 100 + day.month))

    h.tg.user_sends(typed, user=TEACHER)
    listing = await h.tg.next_message(TEACHER.id)
    assert "Позже" not in listing.text and label in listing.inline_texts
    (card_button,) = [b for b in listing.inline_texts if "Оригами" in b]
    h.tg.press(listing, card_button, user=TEACHER)
    await h.tg.idle()
    card = h.tg.messages[(TEACHER.id, listing.message_id)]
    assert "Семинар «Оригами»" in card.text and t.BTN_TO_LIST in card.inline_texts
    h.tg.press(card, t.BTN_TO_LIST, user=TEACHER)
    await h.tg.idle()
    back = h.tg.messages[(TEACHER.id, listing.message_id)]
    assert "Оригами" in back.text and "Позже" not in back.text, back.text
    assert label in back.inline_texts

    in_max = await h.say(TEACHER_MAX, typed)
    assert "Позже" not in in_max.plain and label in labels(in_max)
    (card_label,) = [b for b in labels(in_max) if "Оригами" in b]
    shown = await press_to_edit(h, in_max, card_label)
    assert "Семинар «Оригами»" in shown.plain
    again = await press_to_edit(h, shown, t.BTN_TO_LIST)
    assert "Оригами" in again.plain and "Позже" not in again.plain, again.plain
    assert label in labels(again)
