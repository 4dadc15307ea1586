"""MAX settings: read like the Telegram ones, refused with a Russian reason when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.config import Settings


def test_defaults_keep_max_off_and_point_at_the_official_api() -> None:
    settings = Settings(_env_file=None)
    assert not settings.max_enabled
    assert settings.max_api_url == "https://platform-api2.max.ru"
    assert settings.max_admin_ids == frozenset()
    assert settings.max_webhook_url is None and settings.max_rate == 20


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BOT_TOKEN", "max-token")
    monkeypatch.setenv("MAX_API_URL", "http://127.0.0.1:8099/")
    monkeypatch.setenv("MAX_ADMIN_IDS", "101, 202;303")
    monkeypatch.setenv("MAX_WEBHOOK_URL", "")
    settings = Settings(_env_file=None)
    assert settings.max_enabled
    assert settings.max_api_url == "http://127.0.0.1:8099"
    assert settings.max_admin_ids == {101, 202, 303}
    assert settings.max_webhook_url is None  # empty: long polling


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"max_webhook_url": "http://bot.example.org/max", "max_webhook_secret": "secret-1"},
         "https://"),
        ({"max_webhook_url": "https://bot.example.org/max"}, "MAX_WEBHOOK_SECRET"),
        ({"max_webhook_url": "https://bot.example.org/max", "max_webhook_secret": "abc"},
         "от 5 до 256"),
        ({"max_api_url": "platform-api2.max.ru"}, "http://"),
        ({"max_rate": 31}, "less than or equal to 30"),
    ],
)  # fmt: skip
def test_wrong_values_are_refused(values: dict[str, object], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_env_example_documents_every_max_setting() -> None:
    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        if name.startswith("max_"):
            assert f"\n{name.upper()}=" in example, name
