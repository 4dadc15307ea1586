"""Settings of one deployment, read from the environment and `.env`.

Everything that differs between МОЦ (contacts, the regional Navigator, which certificate model
the region uses) lives here, so the FAQ texts stay the same for every region.
"""

from __future__ import annotations

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

CertificateModel = Literal["pfdo", "social"]
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
    throttle_rate: float = Field(default=3.0, gt=0, description="messages per second per user")
    throttle_burst: int = Field(default=8, ge=1)
    reminder_leads_min: Annotated[tuple[int, ...], NoDecode] = (1440, 60)
    reminder_every_seconds: int = Field(default=30, ge=1, le=3600)
    # everything the bot sends shares one pace (bot/outbound.py); BROADCAST_RATE is its old name
    outbound_rate: float = Field(
        default=28.0, gt=0, le=30, validation_alias=AliasChoices("outbound_rate", "broadcast_rate")
    )
    outbound_private_burst: int = Field(default=2, ge=1, le=5)
    outbound_give_up_seconds: float = Field(default=600.0, gt=0)
    broadcast_min_rate: float = Field(default=1.0, ge=0, le=30)
    staff_post_wait_seconds: float = Field(default=3.0, ge=0, le=60)
    staff_relay_seconds: float = Field(default=2.0, gt=0, le=60)
    broadcast_concurrency: int = Field(default=8, ge=1, le=64)
    broadcast_max_jobs: int = Field(default=3, ge=1, le=20)
    broadcast_poll_seconds: float = Field(default=5.0, gt=0, le=60)
    broadcast_grace_minutes: int = Field(default=60, ge=0)
    broadcast_lease_seconds: int = Field(default=60, ge=10)
    broadcast_instance_id: str = ""

    # --- webhook mode and operations (bot/web.py, bot/ops.py) ------------------------------
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)
    dedupe_updates: bool = True

    # --- the МОЦ and the region (used in FAQ answers as {placeholders}) --------------------
    region_name: str = "Ваш регион"
    moc_name: str = "Муниципальный опорный центр дополнительного образования детей"
    moc_address: str = "адрес уточняйте на сайте МОЦ"
    moc_phone: str = "телефон уточняйте на сайте МОЦ"
    moc_email: str = "moc@example.org"
    moc_hours: str = "пн–пт 9:00–18:00"
    moc_site: str = "https://example.org"
    navigator_url: str = "https://navigator.example.org"
    rmc_name: str = "Региональный модельный центр дополнительного образования детей"
    iro_name: str = "региональный институт развития образования"
    certificate_model: CertificateModel = "pfdo"
    certificate_age_min: int = Field(default=5, ge=0, le=18)
    certificate_age_max: int = Field(default=18, ge=1, le=18)
    certificate_self_apply_age: int = Field(default=14, ge=0, le=18)
    nominal_amount: str = "устанавливается муниципалитетом на каждый год"
    nominal_application_required: bool = False
    gosuslugi_enabled: bool = True
    application_review_days: str = "3–5 рабочих дней"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_leads_min", mode="before")
    @classmethod
    def _split_leads(cls, value: Any) -> Any:
        if isinstance(value, str):
            leads = tuple(int(p) for p in value.replace(";", ",").split(",") if p.strip())
            if not leads or any(not 1 <= lead <= 10080 for lead in leads):
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

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("http://", "https://")):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value.rstrip("/")

    @field_validator("staff_chat_id", "redis_url", "faq_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

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
        return self.bot_token.get_secret_value().strip()

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def placeholders(self) -> dict[str, str]:
        """Values for `{name}` placeholders in FAQ answers."""
        social = self.certificate_model == "social"
        return {
            "region_name": self.region_name,
            "moc_name": self.moc_name,
            "moc_address": self.moc_address,
            "moc_phone": self.moc_phone,
            "moc_email": self.moc_email,
            "moc_hours": self.moc_hours,
            "moc_site": self.moc_site,
            "navigator_url": self.navigator_url,
            "rmc_name": self.rmc_name,
            "iro_name": self.iro_name,
            "certificate_name": (
                "социальный сертификат на получение услуг дополнительного образования"
                if social
                else "сертификат дополнительного образования"
            ),
            "certificate_short": "социальный сертификат" if social else "сертификат ПФДО",
            "certificate_basis": (
                "Федеральный закон № 189-ФЗ о государственном (муниципальном) социальном заказе"
                if social
                else "региональные правила персонифицированного финансирования (ПФДО)"
            ),
            "age_min": str(self.certificate_age_min),
            "age_max": str(self.certificate_age_max),
            "self_apply_age": str(self.certificate_self_apply_age),
            "nominal_amount": self.nominal_amount,
            "nominal_application_note": (
                "В нашем регионе номинал на новый период нужно запросить: в личном кабинете "
                "Навигатора откройте «Ваши дети» → «Управление сертификатами» и подайте "
                "заявление на начисление номинала. Заявления рассматривают по очереди, "
                "пока есть средства."
                if self.nominal_application_required
                else "В нашем регионе номинал на новый период начисляется без отдельного "
                "заявления; если он не появился в кабинете, напишите нам."
            ),
            "gosuslugi_note": (
                "В нашем регионе Навигатор связан с Госуслугами: заявление на запись можно "
                "подать и через портал Госуслуг."
                if self.gosuslugi_enabled
                else "В нашем регионе запись на кружки идёт через Навигатор; через Госуслуги "
                "заявление пока не подаётся."
            ),
            "review_days": self.application_review_days,
        }


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning pydantic's error into one message that names the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            message = str(err["msg"]).removeprefix("Value error, ")  # pydantic's wrapper
            lines.append(f"{name}: {message}")
        raise SettingsError("Неверные настройки:\n  " + "\n  ".join(lines)) from exc
