"""Before serving: does Telegram accept BOT_TOKEN, can the Bot API be reached at all, and
does the database at DATABASE_URL answer?

A newcomer's first run fails here most often (a token revoked or mistyped, no network, a wrong
TELEGRAM_API_URL, a PostgreSQL password or server). Each case becomes one Russian SettingsError
naming the setting and what to do, which the CLI prints as one line with exit code 2, instead of
an aiogram or database driver traceback.
"""

from __future__ import annotations

import asyncio
import re

from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.core.config import Settings, SettingsError
from bot.core.file_errors import database_reason

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


DATABASE_TIMEOUT = 20  # seconds; a black-holed database host must not hang the start


async def _select_one(url: str) -> None:
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except BaseException:
        # aiosqlite answers a failed connect by queueing its thread's stop with a future nobody
        # awaits; were the loop closed first, the thread would print an English traceback
        # under the Russian line. A moment lets the thread finish.
        await asyncio.sleep(0.2)
        raise
    finally:
        await engine.dispose()


def check_database(url: str) -> None:
    """Connect once before migrating or serving: a wrong password, a stopped server or an
    unwritable SQLite directory becomes one Russian line naming DATABASE_URL (never the
    password), not a driver traceback."""
    try:
        asyncio.run(_select_one(url))
    except (DBAPIError, OSError, TimeoutError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        parsed = make_url(url)
        detail = database_reason(reason)
        if isinstance(reason, TimeoutError):
            detail = f"нет ответа за {DATABASE_TIMEOUT} с"
        hint = (
            "Проверьте путь к файлу в DATABASE_URL и права на его каталог."
            if parsed.get_backend_name() == "sqlite"
            else "Проверьте, что сервер запущен, а адрес, пользователь, пароль и имя базы в "
            "DATABASE_URL верны."
        )
        shown = parsed.render_as_string(hide_password=True)
        raise SettingsError(
            f"DATABASE_URL ({shown}): база данных недоступна — {detail}. {hint}"
        ) from exc


def redis_unreachable(url: str, exc: BaseException) -> SettingsError:
    """The one line for a Redis that does not answer; a password in the URL is masked."""
    shown = re.sub(r"(://[^:@/]*:)[^@/]*@", r"\1***@", url)
    return SettingsError(
        f"REDIS_URL: Redis по адресу {shown} не отвечает ({exc}). Запустите Redis или оставьте "
        "REDIS_URL пустым — тогда состояние диалогов хранится в базе, а темп отправки у "
        "каждого экземпляра свой."
    )


def check_redis(url: str | None) -> None:
    """The worker and the panel share the send budget through Redis: refuse to start without
    it, as `run` does, rather than pace alone and overrun Telegram's limit together."""
    if not url:
        return
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    async def ping() -> None:
        client = Redis.from_url(url)
        try:
            await asyncio.wait_for(client.ping(), timeout=5)
        finally:
            await client.aclose()

    try:
        asyncio.run(ping())
    except (RedisError, OSError, TimeoutError) as exc:
        raise redis_unreachable(url, exc) from exc
