"""Buttons left under a closed broadcast draft, through the real bot and the fake Bot API: every
one of them says the draft is closed and changes nothing in the draft open now."""

from __future__ import annotations

from bot.texts import broadcasts as texts_b
from tests.conftest import ADMIN
from tests.fakes.telegram_api import SentMessage
from tests.test_e2e_broadcasts import (
    TEACHER_GROUP,
    Staff,
    answered,
    broadcasts_in_db,
    to_preview,
    toggle,
    txt,
)
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture


async def buttons_gone(h: Staff, message: SentMessage) -> None:
    await h.server.wait_for(
        "editMessageReplyMarkup", lambda c: c.params["message_id"] == message.message_id
    )
    assert h.server.messages[(ADMIN.id, message.message_id)].inline_texts == []


async def test_audience_toggles_of_a_cancelled_draft_leave_the_open_one_alone(
    harness: Staff,
) -> None:
    """«Кому отправить» of a draft closed by /cancel, pressed while a new draft is at the same
    step: before, the tick landed in the new draft (and its «Далее» went on with it)."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    old = await h.say(ADMIN, "Черновик для родителей")
    await h.say(ADMIN, "/cancel")
    await h.say(ADMIN, "/broadcast")
    new = await h.say(ADMIN, "Новость для педагогов")
    assert "Кому отправить" in txt(old) and "Кому отправить" in txt(new)

    h.server.press(old, "Родители", user=ADMIN)
    await answered(h, "прежнего черновика")
    await buttons_gone(h, old)
    for step in ("aud:all", "aud_done:", "cancel:"):  # its other buttons, pressed all the same
        h.server.press_data(old, f"bcc:{step}", user=ADMIN)
        await answered(h, "прежнего черновика")

    h.server.press(new, texts_b.BTN_NEXT, user=ADMIN)
    await answered(h, texts_b.AUDIENCE_NONE_PICKED)  # nothing was ticked in the open draft
    await toggle(h, ADMIN, new, "Педагоги")
    tags = await h.press(ADMIN, new, texts_b.BTN_NEXT)
    assert "Педагоги" in txt(tags) and "Родители" not in txt(tags)


async def test_a_button_of_a_draft_when_none_is_open_says_it_is_closed(harness: Staff) -> None:
    h = harness
    await h.say(ADMIN, "/broadcast")
    audience = await h.say(ADMIN, "Черновик")
    await h.say(ADMIN, "/cancel")
    h.server.press(audience, "Педагоги", user=ADMIN)
    await answered(h, "черновик рассылки уже закрыт")
    await buttons_gone(h, audience)
    assert await broadcasts_in_db(h) == [] and not h.server.sent_to(TEACHER_GROUP)


async def test_a_failed_test_copy_says_telegrams_reason_plainly_and_short(harness: Staff) -> None:
    """«🧪 Отправить тест себе» when Telegram refuses the copy with a long reason holding «<» and
    «&»: before, the answer was escaped («&lt;») and over Telegram's 200 characters, so the
    button only spun and the author saw nothing at all."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    summary = await to_preview(h, "Новость для педагогов", "Педагоги")
    reason = "Bad Request: can't parse entities: <b> & " + "очень длинная причина " * 12
    h.server.fail_next("sendMessage", status=400, description=reason, chat_id=ADMIN.id)
    h.server.press(summary, texts_b.BTN_TEST, user=ADMIN)
    call = await answered(h, "Тест не отправился")
    shown = str(call.params["text"])
    assert call.ok  # Telegram took the answer: the author sees it
    assert shown.startswith("Тест не отправился: Bad Request: can't parse entities: <b> & ")
    assert len(shown) <= 200 and shown.endswith("…")
