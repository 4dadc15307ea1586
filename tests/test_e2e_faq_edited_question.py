"""A parent fixes a typo in the question she just sent (Telegram and MAX let one edit a sent
message): the bot answers the question as it reads now. Before, it said «Исправления в уже
отправленных сообщениях я не вижу… Пришлите исправленный текст новым сообщением», though it
plainly saw the edit, and the parent had to type the question a second time. While a ticket
is open the specialist got the text as first sent, so that case still asks for a new message
(tests/test_e2e_edited_messages.py)."""

from __future__ import annotations

import asyncio

from bot import texts
from bot.texts import unread
from tests.conftest import PARENT, BotHarness
from tests.helpers.max_both import MOTHER, Both, as_parent

TYPO = "как ыфвв"  # a thumb slipped: «не нашёл»
FIXED = "как активировать сертификат"
ANSWER = "Активировать сертификат можно только после того"


async def test_an_edited_question_is_answered_as_corrected_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    sent = h.server.user_sends(TYPO, user=PARENT)
    first = await h.server.next_message(PARENT.id)
    h.server.user_edits(sent, FIXED)
    answer = await h.server.next_message(PARENT.id)
    assert answer.text.startswith(ANSWER), answer.text
    assert answer.text != first.text
    assert texts.BTN_ASK_INLINE in answer.inline_texts


async def test_an_edited_command_or_a_form_step_is_still_asked_for_anew_in_telegram(
    harness: BotHarness,
) -> None:
    h = harness
    sent = h.server.user_sends("/help", user=PARENT)
    await h.server.next_message(PARENT.id)
    h.server.user_edits(sent, "/faq")
    told = await h.server.next_message(PARENT.id)
    assert told.text == unread.EDITED_UNSEEN


async def test_an_edited_question_is_answered_as_corrected_in_max(both: Both) -> None:
    h = both
    await as_parent(h)
    sent = h.max.user_writes(MOTHER, TYPO)
    await h.max.wait_sent(MOTHER, 3)
    sent.text = FIXED
    h.max.push_update("message_edited", message=sent.json(), user_locale="ru")
    answer = (await h.max.wait_sent(MOTHER, 4))[-1]
    assert answer.plain.startswith(ANSWER), answer.plain
    await asyncio.sleep(0.5)
    assert len(h.max.sent_to(MOTHER)) == 4  # answered once
