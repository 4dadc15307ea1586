"""Updates aiogram cannot parse: skipped, counted and logged by id and type only.

A field newer than our aiogram, or an older self-hosted Bot API behind TELEGRAM_API_URL, can
send an update that fails validation. Polling must confirm its offset and go on, a webhook must
not answer 5xx (Telegram retries those forever); neither may log the body, which holds other
users' names and texts. Used by bot.app.polling and bot.app.web.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.core import metrics

log = logging.getLogger(__name__)
_TYPE_LIMIT = 40  # the key is written by the sender: keep a forged one short in the log


def update_id_of(raw: Any) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def update_type_of(raw: Any) -> str:
    """The update's kind (`message`, `my_chat_member`…), the first key besides update_id."""
    if not isinstance(raw, dict):
        return type(raw).__name__
    kinds = [str(key)[:_TYPE_LIMIT] for key in raw if key != "update_id"]
    return kinds[0] if kinds else "empty"


def skipped(raw: Any, source: str, error: Exception) -> None:
    """Count and log one update dropped unparsed; the error's text holds input, so only its
    class and the number of failed fields are logged."""
    errors = getattr(error, "error_count", None)
    count = f", {errors()} field error(s)" if callable(errors) else ""
    log.warning(
        "%s: update %s of type %s could not be parsed (%s%s); skipped",
        source, update_id_of(raw), update_type_of(raw), type(error).__name__, count,
    )  # fmt: skip
    metrics.update_unparsable(source)
