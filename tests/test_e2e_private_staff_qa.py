"""Without STAFF_CHAT_ID every admin gets each ticket privately in Telegram: when one answers
or closes it, the others are told who did and what was said — a second admin who did not know
answered the parent again."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.core.config import Settings
from tests.conftest import ADMIN, PARENT, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_tickets import UNKNOWN, ask_specialist

SECOND_ADMIN = FakeUser(id=1001, first_name="Олег", last_name="Завуч")


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, staff_chat_id=None, admin_ids=f"{ADMIN.id},{SECOND_ADMIN.id}")


async def test_the_other_admin_hears_of_an_answer_and_a_close(harness: BotHarness) -> None:
    h = harness
    number = await ask_specialist(h)
    post = await h.server.next_message(ADMIN.id)
    assert UNKNOWN in post.text
    assert UNKNOWN in (await h.server.next_message(SECOND_ADMIN.id)).text
    h.server.user_sends("Да, с собакой-поводырём <можно>.", user=ADMIN, reply_to=post)
    assert "доставлен" in (await h.server.next_message(ADMIN.id)).text
    note = await h.server.next_message(SECOND_ADMIN.id)
    assert f"№{number}" in note.text and "Анна Методист" in note.text
    assert "поводырём <можно>" in note.text  # the answer as typed (escaped on the way)
    assert "поводырём" in h.server.sent_to(PARENT.id)[-1].text
    closed = await h.press(ADMIN, post, texts.BTN_CLOSE)
    assert f"№{number} закрыто" in closed.text
    told = await h.server.next_message(SECOND_ADMIN.id)
    assert f"№{number} закрыто" in told.text and "Анна Методист" in told.text


async def test_forget_me_redacts_the_answer_note_the_other_admin_got(harness: BotHarness) -> None:
    """The note quoting the answer is the bot's post about the person's ticket, as the card is:
    /forget_me takes the answer out of it (the bot cannot edit the admin's own reply)."""
    h = harness
    number = await ask_specialist(h)
    post = await h.server.next_message(ADMIN.id)
    card = await h.server.next_message(SECOND_ADMIN.id)
    h.server.user_sends("Мария, справку для вашего сына Пети принесите в МОЦ.", user=ADMIN,
                        reply_to=post)  # fmt: skip
    assert "доставлен" in (await h.server.next_message(ADMIN.id)).text
    note = await h.server.next_message(SECOND_ADMIN.id)
    assert f"№{number}" in note.text and "сына Пети" in note.text

    await h.server.idle()
    h.server.drain(PARENT.id)  # the answer
    confirm = await h.say(PARENT, "/forget_me")
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()
    for sent in (card, note):
        shown = h.server.messages[(SECOND_ADMIN.id, sent.message_id)]
        assert UNKNOWN not in shown.text and "сына Пети" not in shown.text, shown.text
        assert "Мария" not in shown.text and f"№{number}" in shown.text
