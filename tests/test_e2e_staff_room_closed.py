"""The staff chat is a forum supergroup whose «General» topic staff closed: Telegram refuses
the bot's posts there (TOPIC_CLOSED). Before, a parent's ticket reached nobody — the parent
was promised a specialist, staff saw nothing and the log alone knew. Now each staffer gets it
privately, told in Russian why and how to fix the chat, and the answer still comes back."""

from __future__ import annotations

from bot.texts import faq_learn as t
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import SAMPLE_MEDIA
from tests.helpers.max_both import Both
from tests.test_e2e_ticket_carry import tg_parent
from tests.test_e2e_tickets import UNKNOWN, ask_specialist


async def test_a_closed_general_topic_sends_tickets_to_staff_privately(
    harness: BotHarness,
) -> None:
    h = harness
    h.server.fail_next(
        "sendMessage", status=400, description="Bad Request: TOPIC_CLOSED", count=1000,
        chat_id=STAFF_CHAT,
    )  # fmt: skip
    ticket_id = await ask_specialist(h)
    card = await h.server.next_message(ADMIN.id)
    shown = card.text or ""
    assert f"Обращение №{ticket_id}" in shown and UNKNOWN in shown
    assert "чат сотрудников" in shown and "закрыта тема «General»" in shown
    assert "TOPIC_CLOSED" not in shown

    h.server.user_sends("Да, можно.", user=ADMIN, chat_id=ADMIN.id, reply_to=card)
    answer = await h.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in (answer.text or "") and "Да, можно." in (answer.text or "")


async def test_a_parents_file_reaches_staff_privately_too(both: Both) -> None:
    """The ticket's file (copied to the staff chat) is refused there as well: each staffer
    gets it under the card they got privately, not nobody."""
    h = both
    await tg_parent(h)
    for method in ("sendMessage", "copyMessage"):
        h.tg.fail_next(
            method, status=400, description="Bad Request: TOPIC_CLOSED", count=1000,
            chat_id=STAFF_CHAT,
        )  # fmt: skip
    h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
    offer = await h.tg.next_message(PARENT.id)
    h.tg.press(offer, t.BTN_SEND_SHOT, user=PARENT)
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text
    card = await h.tg.next_message(ADMIN.id)
    assert "закрыта тема «General»" in (card.text or "")
    copy = await h.tg.next_message(ADMIN.id)
    assert "document" in copy.content
