"""/forget_me rewrites the staff chat's post about the person's ticket; Telegram answering
502 for a moment must not leave the name and the question there (nor make the bot delete the
post instead of saying what happened to it): the edit is tried again, as MAX's messenger and
the broadcast courier try again after a server error."""

from __future__ import annotations

from bot import texts
from bot.core.markup import fill
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.helpers.wait import until
from tests.test_e2e_tickets import UNKNOWN, ask_specialist


async def test_forget_me_redacts_the_staff_post_through_passing_502s(
    harness: BotHarness,
) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    assert UNKNOWN in (post.text or "") and PARENT.first_name in (post.text or "")
    h.server.fail_next(
        "editMessageText", status=502, description="Bad Gateway", count=2, chat_id=STAFF_CHAT
    )
    confirm = await h.say(PARENT, "/forget_me")
    done = await h.press(PARENT, confirm, texts.BTN_FORGET_YES)
    assert done.text == texts.FORGOTTEN
    forgotten = fill(texts.STAFF_TICKET_FORGOTTEN, id=ticket_id)

    def redacted() -> bool:
        return h.server.messages[(STAFF_CHAT, post.message_id)].raw_text == forgotten

    await until(redacted, 15, "the staff post to be redacted")
    shown = h.server.messages[(STAFF_CHAT, post.message_id)]
    assert not shown.deleted and UNKNOWN not in (shown.text or "")
