"""A deputy director prepares the МОЦ's yearly report for the municipal education department
through the real bot: /report with the period typed as she types it, and the questions parents
asked the bot counted as she would count them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.services.faq import FaqService
from bot.texts import faq_learn as shot
from storage.db import SessionMaker
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeFile, SentMessage
from tests.helpers.max_bot import max_only_bot, say

STAFF_MAX = MaxUser(52_000_000_001, "Анна", "Методист")
QUESTIONS = "Вопросы и рассылки"


def _this_year() -> int:
    """The calendar year of the rows the bot writes now (their moments are the database's)."""
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).year


def _rows(sheet: SentMessage) -> dict[str, Any]:
    assert sheet.document is not None, sheet.text
    book = load_workbook(io.BytesIO(sheet.document.data))
    return {r[0]: r[1] for r in book[QUESTIONS].iter_rows(values_only=True) if r and r[0]}


async def test_a_long_question_and_a_screenshot_are_questions_to_the_bot(
    harness: BotHarness,
) -> None:
    """A parent wrote the whole story in one long message (the bot asked to put it shorter)
    and sent a screenshot of an error without a word: two questions the bot did not answer
    itself. The yearly report left both out of «Вопросов боту»."""
    h = harness
    story = "Здравствуйте, у нас проблема с сертификатом дополнительного образования. " * 20
    long_reply = await h.say(PARENT, story)
    assert "Сообщение очень длинное" in long_reply.text
    h.server.files["shot"] = FakeFile("shot", "u-shot", "photo.jpg", b"\x89PNG", None, "p/0")
    photo = {"file_id": "shot", "file_unique_id": "u-shot", "width": 800, "height": 600}
    h.server.user_sends(None, user=PARENT, extra={"photo": [photo]})
    offer = await h.server.next_message(PARENT.id)
    assert offer.text == shot.SHOT_NO_CAPTION

    rows = _rows(await h.say(ADMIN, f"/report {_this_year()}"))
    assert rows["Вопросов боту"] == 2
    assert rows["бот не понял"] == 2
    assert rows["бот ответил сам"] == 0
