"""Settings of one deployment, read from the environment and `.env`.

Everything that differs between МОЦ (contacts, the regional Navigator, which certificate model
the region uses) lives here, so the FAQ texts stay the same for every region.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.region import region_placeholders

CertificateModel = Literal["pfdo", "social"]
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Regional facts a deployment may leave unset; `faq check` and `run` list the unset ones.
REGION_FACTS = (
    "region_name",
    "moc_address",
    "moc_phone",
    "moc_email",
    "moc_hours",
    "moc_site",
    "navigator_url",
    "nominal_amount",
    "nominal_unit",
    "nominal_period",
    "nominal_prorated",
    "nominal_application_required",
    "gosuslugi_certificate",
    "gosuslugi_enrolment",
    "gosuslugi_login",
    "application_review_days",
)
MAX_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{5,256}")  # SubscriptionRequestBody.secret
MAX_API_URL = "https://platform-api2.max.ru"  # dev.max.ru/docs-api since 19.07.2026
DATABASE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")  # async drivers installed
BOT_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")  # what @BotFather issues: id:secret


class SettingsError(RuntimeError):
    """Raised with a human-readable message naming the bad setting."""


class Settings(BaseSettings):
    """All configuration; see `.env.example` for a line of documentation per variable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # --- Telegram and infrastructure -------------------------------------------------------
    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/bot.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    staff_chat_id: int | None = None
    timezone: str = "Europe/Moscow"
    telegram_api_url: str | None = None
    redis_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    faq_dir: Path | None = None
    faq_sync_seconds: float = Field(
        default=5.0, ge=0, le=300, description="how often an instance checks for staff FAQ edits"
    )
    throttle_rate: float = Field(default=3.0, gt=0, description="messages per second per user")
    throttle_burst: int = Field(default=8, ge=1)
    reminder_leads_min: Annotated[tuple[int, ...], NoDecode] = (1440, 60)
    reminder_every_seconds: int = Field(default=30, ge=1, le=3600)
    reminder_quiet_from: int = Field(default=22, ge=0, le=23)  # equal hours: no quiet night
    reminder_quiet_until: int = Field(default=8, ge=0, le=23)
    # everything the bot sends shares one pace (handlers/tg/outbound.py); BROADCAST_RATE is its
    # old name
    outbound_rate: float = Field(
        default=28.0, gt=0, le=30, validation_alias=AliasChoices("outbound_rate", "broadcast_rate")
    )
    outbound_private_burst: int = Field(default=2, ge=1, le=5)
    outbound_give_up_seconds: float = Field(default=600.0, gt=0)
    # a reply kept in the outbox (bot/services/outbox) this long is dropped, loudly
    outbox_max_age_hours: float = Field(default=24.0, gt=0)
    broadcast_min_rate: float = Field(default=1.0, ge=0, le=30)
    staff_post_wait_seconds: float = Field(default=3.0, ge=0, le=60)
    staff_relay_seconds: float = Field(default=2.0, gt=0, le=60)
    broadcast_concurrency: int = Field(default=8, ge=1, le=64)
    broadcast_max_jobs: int = Field(default=3, ge=1, le=20)
    broadcast_poll_seconds: float = Field(default=5.0, gt=0, le=60)
    broadcast_grace_minutes: int = Field(default=60, ge=0)
    broadcast_lease_seconds: int = Field(default=60, ge=10)
    broadcast_resume_minutes: int = Field(default=120, ge=0)
    broadcast_instance_id: str = ""

    # --- webhook mode and operations (bot/app/web.py, bot/app/ops.py)
    # ------------------------------
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)
    # --- the staff web panel (handlers/web): served on WEB_HOST:WEB_PORT
    web_panel: bool = True  # long polling starts the web server for it (and /healthz)
    web_public_url: str | None = None  # what the sign-in link starts with; default below
    web_secret: SecretStr | None = None  # signs sign-in links; derived from BOT_TOKEN if unset
    # who may show the panel in a frame (CSP frame-ancestors): Telegram Web's Mini Apps
    web_frame_ancestors: str = "https://web.telegram.org"
    dedupe_updates: bool = True

    # --- MAX (VK's messenger): beside Telegram in every role, or alone without BOT_TOKEN ----
    max_bot_token: SecretStr | None = None
    max_api_url: str = MAX_API_URL
    max_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    max_webhook_url: str | None = None
    max_webhook_secret: SecretStr | None = None
    max_rate: float = Field(default=20.0, gt=0, le=30, description="MAX requests per second")

    # --- the МОЦ and the region (used in FAQ answers as {placeholders}) --------------------
    # None (or empty in .env) means the region has not said: answers then leave the fact out
    # or send the parent to the МОЦ, never show an example value (bot/core/template.py).
    region_name: str | None = None
    moc_name: str = "Муниципальный опорный центр дополнительного образования детей"
    moc_address: str | None = None
    moc_phone: str | None = None
    moc_email: str | None = None
    moc_hours: str | None = None
    moc_site: str | None = None
    navigator_url: str | None = None
    rmc_name: str = "Региональный модельный центр дополнительного образования детей"
    iro_name: str = "региональный институт развития образования"
    certificate_model: CertificateModel = "pfdo"
    certificate_age_min: int = Field(default=5, ge=0, le=18)
    certificate_age_max: int = Field(default=18, ge=1, le=18)
    certificate_self_apply_age: int = Field(default=14, ge=0, le=18)
    nominal_amount: str | None = None
    nominal_unit: Literal["roubles", "hours"] | None = None
    nominal_period: Literal["school_year", "calendar_year"] | None = None
    nominal_prorated: bool | None = None  # smaller nominal when a child starts mid-period
    nominal_application_required: bool | None = None
    gosuslugi_certificate: bool | None = None  # apply for the certificate through Госуслуги
    gosuslugi_enrolment: bool | None = Field(  # GOSUSLUGI_ENABLED: its old name
        default=None, validation_alias=AliasChoices("gosuslugi_enrolment", "gosuslugi_enabled")
    )
    gosuslugi_login: bool | None = None  # «Войти через Госуслуги» on the Navigator
    application_review_days: str | None = None
    # the bot's profile (empty: a text with MOC_NAME from bot/texts/commands.py)
    bot_description: str = Field(default="", max_length=512)
    bot_short_description: str = Field(default="", max_length=120)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            if bad := [p for p in parts if p and not re.fullmatch(r"-?\d{1,20}", p)]:
                raise ValueError(
                    f"нужны числовые id через запятую (например 123456789,987654321), "
                    f"а «{bad[0]}» — не число"
                )
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case_level(cls, value: Any) -> Any:
        # `LOG_LEVEL=info` as logging's own docs and most .env samples spell it
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("reminder_leads_min", mode="before")
    @classmethod
    def _split_leads(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            leads = tuple(int(p) for p in parts if re.fullmatch(r"\d{1,6}", p))
            if not leads or len(leads) != len(parts) or any(not 1 <= n <= 10080 for n in leads):
                raise ValueError("минуты через запятую, каждая от 1 до 10080, например 1440,60")
            return leads
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"неизвестный часовой пояс {value!r}; пример: Europe/Moscow") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str) -> str:
        # the async drivers the code runs on; `postgresql://` would load psycopg and fail late
        if not value.startswith(DATABASE_SCHEMES):
            raise ValueError(
                "нужен адрес вида sqlite+aiosqlite:///data/bot.db или "
                "postgresql+asyncpg://пользователь:пароль@хост:5432/база"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("нужен адрес вида redis://127.0.0.1:6379/0 (или rediss://, unix://)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("http://", "https://")):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value.rstrip("/")

    @field_validator("staff_chat_id", "redis_url", "faq_dir", *REGION_FACTS, mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("faq_dir")
    @classmethod
    def _faq_folder(cls, value: Path | None) -> Path | None:
        # a typo here used to surface as a traceback from the first `faq` or `chat` command
        if value is not None and not value.is_dir():
            raise ValueError(
                f"папки «{value}» нет — укажите каталог с YAML-файлами базы знаний "
                "или оставьте FAQ_DIR пустым (встроенная база)"
            )
        return value

    @model_validator(mode="after")
    def _ages(self) -> Settings:
        if self.certificate_age_min >= self.certificate_age_max:
            raise ValueError("CERTIFICATE_AGE_MIN должен быть меньше CERTIFICATE_AGE_MAX")
        return self

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _webhook_empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's own rule for secret_token; it comes back in a header on every request
        if value is not None and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("от 1 до 256 символов: латинские буквы, цифры, _ и -")
        return value

    @model_validator(mode="after")
    def _webhook(self) -> Settings:
        if self.webhook_url is None:
            return self
        local_api = self.telegram_api_url is not None  # a local Bot API may call plain http
        if not self.webhook_url.startswith(("https://", "http://" if local_api else "https://")):
            raise ValueError(
                "WEBHOOK_URL должен начинаться с https:// (Telegram обращается только по https)"
            )
        if self.webhook_secret is None:
            raise ValueError(
                "с WEBHOOK_URL нужен WEBHOOK_SECRET; создать его можно так: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return self

    @field_validator("max_admin_ids", mode="before")
    @classmethod
    def _split_max_ids(cls, value: Any) -> Any:
        return cls._split_ids(value)

    @field_validator("max_bot_token", "max_webhook_url", "max_webhook_secret", mode="before")
    @classmethod
    def _max_empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("max_api_url")
    @classmethod
    def _max_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value.rstrip("/")

    @field_validator("max_webhook_secret")
    @classmethod
    def _max_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not MAX_WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("от 5 до 256 символов: латинские буквы, цифры, _ и -")
        return value

    @model_validator(mode="after")
    def _max_webhook(self) -> Settings:
        if self.max_webhook_url is None:
            return self
        if not self.max_webhook_url.startswith("https://"):
            raise ValueError("MAX_WEBHOOK_URL должен начинаться с https:// (MAX не шлёт на http)")
        if self.max_webhook_secret is None:
            raise ValueError(
                "с MAX_WEBHOOK_URL нужен MAX_WEBHOOK_SECRET; создать его можно так: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return self

    @property
    def max_enabled(self) -> bool:
        """MAX_BOT_TOKEN turns the MAX channel on."""
        token = self.max_bot_token
        return token is not None and bool(token.get_secret_value().strip())

    @property
    def webhook_path(self) -> str:
        """The path Telegram POSTs to, from WEBHOOK_URL (nginx passes it through unchanged)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError(
                "BOT_TOKEN не задан. Скопируйте .env.example в .env и впишите туда токен от "
                "@BotFather (или export BOT_TOKEN=...)."
            )
        token = self.bot_token.get_secret_value().strip()
        if not BOT_TOKEN_SHAPE.fullmatch(token):  # never echoed: it may be a real secret
            raise SettingsError(
                "BOT_TOKEN набран неверно: токен от @BotFather выглядит как 123456789:AAF…, "
                "без пробелов и кавычек. Скопируйте его из @BotFather (/token) целиком в .env."
            )
        return token

    @property
    def panel_url(self) -> str:
        """The panel's public base URL, without a trailing slash (sign-in links start here)."""
        return (self.web_public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    def panel_secret(self) -> bytes:
        """WEB_SECRET, or a key derived from BOT_TOKEN (never the token itself)."""
        if self.web_secret is not None and self.web_secret.get_secret_value().strip():
            return self.web_secret.get_secret_value().strip().encode()
        token = self.bot_token.get_secret_value() if self.bot_token else ""
        return hashlib.sha256(f"moc-web-panel:{token}".encode()).digest()

    def unset_region_settings(self) -> list[str]:
        """Names (as in .env) of the regional facts this deployment has not set."""
        return [name.upper() for name in REGION_FACTS if getattr(self, name) is None]

    def placeholders(self) -> dict[str, str | None]:
        """Values for `{name}` placeholders and `[[if]]` blocks in FAQ answers; None: unset."""
        return region_placeholders(self)


def env_file() -> str | None:
    """The settings file: `.env`, or MOC_ENV_FILE's (empty: none — `make test` sets that, so
    tests on a configured server never read, nor migrate, the production database)."""
    chosen = os.environ.get("MOC_ENV_FILE", ".env")
    return chosen or None


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning pydantic's error into one message that names the variable."""
    from bot.core.settings_errors import settings_problem

    chosen = env_file()
    if chosen is not None and "MOC_ENV_FILE" in os.environ and not Path(chosen).is_file():
        # .env may be absent (settings from the environment); a named file must not be
        raise SettingsError(f"MOC_ENV_FILE: файла настроек «{chosen}» нет — проверьте путь")
    try:
        return Settings(**{"_env_file": chosen, **overrides})
    except ValidationError as exc:
        raise SettingsError(settings_problem(exc.errors())) from exc
    except UnicodeDecodeError as exc:  # Notepad's «ANSI» (cp1251): the Russian values break
        raise SettingsError(
            f"файл настроек {chosen} не в кодировке UTF-8 (байт {exc.start + 1}): "
            "сохраните его как UTF-8 (в Блокноте: «Сохранить как» → Кодировка UTF-8)"
        ) from exc
