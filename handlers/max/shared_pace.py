"""The process's MAX pace: MAX_RATE, shared with the bot's other processes through Redis
when REDIS_URL is set (bot/core/shared_budget.py; MAX counts requests per bot, dev.max.ru:
30 a second), so the webhook instances and the separate `worker` keep it together."""

from __future__ import annotations

import hashlib

from bot.core.config import Settings
from bot.core.shared_budget import SharedBudget
from handlers.max.pacing import MaxPacer


def max_pacer(settings: Settings) -> MaxPacer:
    """MaxPacer(MAX_RATE), its budget in Redis with REDIS_URL."""
    token, shared = settings.max_bot_token, None
    if settings.redis_url and token is not None:
        bot = hashlib.sha256(token.get_secret_value().strip().encode()).hexdigest()[:16]
        shared = SharedBudget(settings.redis_url, f"max:{bot}")  # the key names no token
    return MaxPacer(settings.max_rate, shared=shared)
