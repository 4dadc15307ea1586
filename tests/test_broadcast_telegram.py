"""Telegram's answers mapped to the ledger's five outcomes, and the buttons under a message."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage

from broadcasts.channel import Blocked, Failed, Migrated, RetryAfter, SendOutcome
from broadcasts.content import Content, LinkButton
from handlers.tg.broadcast_channel import classify, keyboard
from handlers.tg.callbacks import AckCb, UnsubCb

M = SendMessage(chat_id=-1, text="x")


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (TelegramRetryAfter(M, "Too Many Requests", 7), RetryAfter(7.0)),
        (TelegramMigrateToChat(M, "upgraded", -100123), Migrated(-100123)),
        (TelegramForbiddenError(M, "Forbidden: kicked"), Blocked("Forbidden: kicked")),
        (TelegramBadRequest(M, "Bad Request: chat not found"),
         Blocked("Bad Request: chat not found")),
        (TelegramBadRequest(M, "Bad Request: group chat was deactivated"),
         Blocked("Bad Request: group chat was deactivated")),
        (TelegramBadRequest(M, "Bad Request: can't parse entities"),
         Failed("Bad Request: can't parse entities", permanent=True)),
        (TelegramEntityTooLarge(M, "Request Entity Too Large"),
         Failed("Request Entity Too Large", permanent=True)),
        (TelegramUnauthorizedError(M, "Unauthorized"), Failed("Unauthorized", permanent=True)),
        (TelegramServerError(M, "Internal Server Error"),
         Failed("Internal Server Error", permanent=False)),
        (TelegramNetworkError(M, "Request timeout error"),
         Failed("Request timeout error", permanent=False)),
        (TimeoutError("slow"), Failed("TimeoutError: slow", permanent=False)),
    ],
)  # fmt: skip
def test_classify(exc: Exception, outcome: SendOutcome) -> None:
    assert classify(exc) == outcome


def test_a_bug_is_not_swallowed() -> None:
    with pytest.raises(KeyError):
        classify(KeyError("oops"))


def test_buttons_link_ack_unsubscribe() -> None:
    content = Content("text", "Собрание", button=LinkButton("Подробнее", "https://x.ru"), ack=True)
    markup = keyboard(content, 42, "parents")
    assert markup is not None
    rows = [[(b.text, b.url or b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Подробнее", "https://x.ru")],
        [("✅ Ознакомлен", AckCb(b=42).pack())],
        [("Отписаться", UnsubCb(a="parents").pack())],
    ]
    assert keyboard(Content("text", "Просто текст"), 42, None) is None
