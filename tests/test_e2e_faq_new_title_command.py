"""«/hepl» sent to «Шаг 1 из 4» of a new knowledge-base entry in the staff group: the bot said
«Это похоже на команду» — a guess about something certain (it is a command, one the bot does
not have, as steps 2 and 3 say: «Такой команды нет») — and named no way out of the dialog.
Now it says so, names /cancel, and /cancel ends the entry with nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.texts import faq_learn as t_learn
from storage.models import FaqStaffEntry
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness
from tests.test_e2e_faq_learn import DOG, staff_press, staff_replies, ticket_post


async def test_a_command_as_the_title_says_what_it_is_and_the_way_out(
    learn: BotHarness,
) -> None:
    h = learn
    post = await ticket_post(h, DOG)
    picker = await staff_press(h, post, t_learn.BTN_TO_KB)
    title_prompt = await staff_press(h, picker, t_learn.BTN_NEW_ENTRY)
    again = await staff_replies(h, title_prompt, "/hepl")
    assert again.text.startswith("Такой команды нет") and "похоже" not in again.text
    assert "/cancel" in again.text
    out = await staff_replies(h, again, "/cancel")
    assert "отмен" in (out.text or "").lower()
    before = len(h.server.sent_to(STAFF_CHAT))
    h.server.user_sends(
        "Можно ли прийти с собакой-поводырём?", user=ADMIN, chat_id=STAFF_CHAT,
        chat_type="supergroup", reply_to=again,
    )  # fmt: skip
    await h.server.idle()
    later = [m.text or "" for m in h.server.sent_to(STAFF_CHAT)[before:]]
    assert not any("Шаг 2 из 4" in text for text in later), "the dialog is over"
    async with h.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(FaqStaffEntry))
    assert count == 0
