"""The staff chat is a forum supergroup whose «General» topic staff closed: Telegram refuses
the bot's posts there (TOPIC_CLOSED). Before, a parent's ticket reached nobody — the parent
was promised a specialist, staff saw nothing and the log alone knew. Now each staffer gets it
privately, told in Russian why and how to fix the chat, and the answer still comes back."""

from __future__ import annotations

from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
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
