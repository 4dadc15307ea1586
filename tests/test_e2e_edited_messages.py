"""A parent edits a message already sent (a typo, a dictated word gone wrong): the bot says
the correction reached nobody and asks for it as a new message — in Telegram and MAX.

Before, an edit was met with silence: the bot never read it (Telegram did not even send
edits), and a parent who corrected the question she had sent to a specialist believed the
specialist saw the corrected text, while staff had only the first one."""

from __future__ import annotations

import asyncio

from bot.texts import unread
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent

FIXED = "можно ли привести на занятие собаку-поводыря и кошку"


async def test_an_edited_question_to_the_specialist_is_asked_for_anew_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    await h.say(PARENT, "/start")
    await h.say(PARENT, "/ask")
    sent = h.server.user_sends(UNKNOWN, user=PARENT)
    assert "Номер обращения" in (await h.server.next_message(PARENT.id)).text
    post = await h.server.next_message(STAFF_CHAT)

    h.server.user_edits(sent, FIXED)
    told = await h.server.next_message(PARENT.id)
    assert told.text == unread.EDITED_UNSEEN
    assert "новым сообщением" in told.text
    await h.server.idle()
    assert h.server.sent_to(STAFF_CHAT) == [post]  # nothing pretended the edit went on


async def test_an_edited_question_to_the_specialist_is_asked_for_anew_in_max(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, "/ask")
    sent = h.max.user_writes(MOTHER, UNKNOWN)
    created = (await h.max.wait_sent(MOTHER, 4))[-1]
    assert "Номер обращения" in created.plain
    assert UNKNOWN in (await h.tg.next_message(STAFF_CHAT, timeout=10)).text

    sent.text = FIXED
    h.max.push_update("message_edited", message=sent.json(), user_locale="ru")
    told = (await h.max.wait_sent(MOTHER, 5))[-1]
    assert told.plain == unread.EDITED_UNSEEN
    await asyncio.sleep(1)
    assert len(h.max.sent_to(MOTHER)) == 5  # said once
