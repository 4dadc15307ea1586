"""A question sent to a specialist by mistake can be taken back at once: «Отозвать обращение»
is under «Передал ваш вопрос специалисту…», in Telegram and MAX.

Before, the confirmation had no button at all; «Отозвать обращение» appeared only under
«Добавил это к обращению», so a parent who pressed «Спросить специалиста» by mistake had to
write something more to the ticket to be able to withdraw it."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from storage.models import Ticket
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent, labels
from tests.test_e2e_tickets import ask_specialist


async def statuses(h: BotHarness | Both) -> list[str]:
    async with h.sessionmaker() as session:
        return [t.status for t in (await session.scalars(select(Ticket))).all()]


async def test_the_ticket_confirmation_can_withdraw_it_in_telegram(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    created = h.server.sent_to(PARENT.id)[-1]
    assert "Номер обращения" in created.text
    assert created.inline_texts == [texts.BTN_WITHDRAW]
    await h.server.next_message(STAFF_CHAT)  # the ticket's card

    withdrawn = await h.press(PARENT, created, texts.BTN_WITHDRAW)
    assert withdrawn.text == f"Обращение №{ticket_id} отозвано. Если вопрос останется — пишите."
    await h.server.idle(quiet=1.0)
    notes = [m.text for m in h.server.sent_to(STAFF_CHAT) if "отозвано пользователем" in m.text]
    assert len(notes) == 1, notes
    assert await statuses(h) == ["closed"]


async def test_the_ticket_confirmation_can_withdraw_it_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    created = await h.say(MOTHER, UNKNOWN)
    assert "Номер обращения" in created.plain
    assert labels(created) == [texts.BTN_WITHDRAW]
    assert UNKNOWN in (await h.tg.next_message(STAFF_CHAT, timeout=10)).text

    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, created, texts.BTN_WITHDRAW)
    withdrawn = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert withdrawn.plain.startswith("Обращение №1 отозвано")
    note = await h.tg.next_message(STAFF_CHAT, timeout=10)
    while "отозвано пользователем" not in note.text:
        note = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert await statuses(h) == ["closed"]
