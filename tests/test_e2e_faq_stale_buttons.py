"""Yesterday's FAQ message pressed after the knowledge base changed (an entry or a topic
removed or renamed in the panel, /reload_faq): in Telegram the press answered with an alert
«откройте «Частые вопросы» заново» and left the parent before the same dead buttons. Now, as
in MAX, the pressed message becomes the topics, with a short word why."""

from __future__ import annotations

import asyncio

import pytest

from bot import texts
from tests.conftest import PARENT, BotHarness

GONE = [
    "faq:e:certificate.removed_yesterday",  # a related entry under an answer
    "faq:cat:removed_section",  # a section under an old topics list
    "faq:s:1-certificate.removed_yesterday",  # one of «Возможно, вы имели в виду…»
]


@pytest.mark.parametrize("payload", GONE)
async def test_a_button_of_a_removed_entry_opens_the_topics_in_telegram(
    harness: BotHarness, payload: str
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    old = await h.say(PARENT, "как активировать сертификат")
    pressed = h.server.press_data(old, payload, user=PARENT)["callback_query"]["id"]
    answered = await h.server.wait_for(
        "answerCallbackQuery", lambda call: call.params.get("callback_query_id") == pressed
    )
    assert answered.params.get("text") == texts.FAQ_STALE_BUTTON
    assert not answered.params.get("show_alert")  # no pop-up to dismiss first
    for _ in range(100):
        shown = h.server.messages[(PARENT.id, old.message_id)]
        if shown.text != old.text:
            break
        await asyncio.sleep(0.05)
    assert shown.text == "📚 Частые вопросы\nВыберите тему:", shown.text
    assert "🎫 Сертификат" in shown.inline_texts
    h.server.press(shown, "🎫 Сертификат", user=PARENT)  # and on from there
    await h.server.idle(quiet=0.3)
    assert h.server.messages[(PARENT.id, old.message_id)].text.startswith("Сертификат")
