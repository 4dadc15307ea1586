"""Before serving: does Telegram accept BOT_TOKEN, and can the Bot API be reached at all?

A newcomer's first run fails here most often (a token revoked or mistyped, no network, a wrong
TELEGRAM_API_URL). Each case becomes one Russian SettingsError naming the setting and what to
do, which the CLI prints as one line with exit code 2, instead of an aiogram traceback.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.core.config import Settings, SettingsError

CHECK_TIMEOUT = 20  # seconds; a black-holed network must not hang the start for a minute


def _where(settings: Settings) -> str:
    if settings.telegram_api_url:
        return f"TELEGRAM_API_URL ({settings.telegram_api_url})"
    return "api.telegram.org"


async def check_bot_token(bot: Bot, settings: Settings) -> None:
    """Ask getMe once; translate the failures a misconfigured start meets."""
    try:
        await bot.get_me(request_timeout=CHECK_TIMEOUT)
    except TelegramUnauthorizedError as exc:
        raise SettingsError(
            "BOT_TOKEN не принят Telegram (401 Unauthorized): токен отозван или набран с "
            "ошибкой. Получите действующий у @BotFather (/token) и впишите его в .env."
        ) from exc
    except TelegramNotFound as exc:
        raise SettingsError(
            f"Bot API по адресу {_where(settings)} ответил 404: проверьте TELEGRAM_API_URL "
            "(нужен адрес сервера без /bot<токен>) и BOT_TOKEN."
        ) from exc
    except (TelegramNetworkError, TelegramServerError) as exc:
        hint = (
            "проверьте, что сервер по TELEGRAM_API_URL запущен, или оставьте TELEGRAM_API_URL "
            "пустым"
            if settings.telegram_api_url
            else "проверьте интернет, прокси и файрвол (нужен доступ к api.telegram.org:443)"
        )
        raise SettingsError(
            f"Нет связи с Telegram Bot API: {_where(settings)} не отвечает — {hint}."
        ) from exc
