"""A button pressed while the bot was down, restarting or busy reaches it after the messenger
stopped taking an answer to the press (Telegram: «query is too old», MAX: the callback is
refused). The answer is moot — the spinner is long gone — but what was pressed for must
still be done and shown; it failed on the answer instead, and the person read «что-то пошло
не так» with the role unsaved or the page not shown."""

from __future__ import annotations

from bot import texts
from tests.conftest import PARENT, BotHarness
from tests.helpers.max_both import MOTHER, Both

OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_a_telegram_press_too_old_to_answer_still_saves_the_role(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    h.server.fail_next("answerCallbackQuery", status=400, description=OLD, count=3)
    saved = await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    assert texts.ERROR[:20] not in saved.text, saved.text
    assert "Родитель" in saved.text, saved.text


async def test_a_max_press_whose_answer_is_refused_still_saves_and_shows(both: Both) -> None:
    h = both
    welcome = await h.start(MOTHER)
    h.max.fail_next(400, "not.found", "callback expired", path="/answers", times=3)
    await h.press(MOTHER, welcome, texts.ROLE_TITLES["parent"])
    saved = (await h.max.wait_sent(MOTHER, 2))[-1]
    assert "Родитель" in saved.plain and texts.ERROR[:20] not in saved.plain, saved.plain

    sections = await h.say(MOTHER, "/faq")
    section = next(b for row in sections.buttons() for b in row if "faq:cat" in b["payload"])
    h.max.fail_next(400, "not.found", "callback expired", path="/answers", times=3)
    await h.press(MOTHER, sections, section["text"])
    page = (await h.max.wait_sent(MOTHER, 4))[-1]  # the page as a new message
    assert "Выберите вопрос" in page.plain, page.plain
    assert not [m for m in h.max.sent_to(MOTHER) if texts.ERROR[:20] in m.plain]
