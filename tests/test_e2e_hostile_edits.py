"""Telegram refuses an edit the bot relies on (the pressed message is older than 48 hours,
was deleted, or the same edit came twice): the person still gets what the press did, as a
new message, never «что-то пошло не так» for an action that went through."""

from __future__ import annotations

from bot import texts
from bot.texts import staff as t
from tests.conftest import ADMIN, BotHarness
from tests.test_e2e_staff_invites import invite, join

CANNOT_EDIT = "Bad Request: message can't be edited"


async def test_removing_staff_from_a_list_too_old_to_edit_sends_the_list_anew(
    harness: BotHarness,
) -> None:
    h = harness
    await join(h, await invite(h))
    listing = await h.say(ADMIN, "/staff")
    assert "Пётр Сидоров — сотрудник" in (listing.text or "")
    h.server.fail_next("editMessageText", status=400, description=CANNOT_EDIT)
    h.server.press(listing, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    answer = await h.server.callback_answer()
    assert answer.params.get("text") == t.REMOVE_OUTCOMES["removed"]
    fresh = await h.server.next_message(ADMIN.id)
    assert "Пётр Сидоров" not in (fresh.text or ""), "the list as it is now"
    await h.server.idle()
    shown = [m.text or "" for m in h.server.sent_to(ADMIN.id)]
    assert not any(texts.ERROR in s for s in shown), shown[-3:]
