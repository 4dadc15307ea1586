"""A parent in a region that has set little or nothing: the bot says what it knows, never an
example value, and speaks of the social certificate where the region uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from bot.services.faq import FaqService
from storage.db import SessionMaker
from tests.conftest import PARENT, BotHarness, make_settings, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer
from tests.test_e2e_tickets import ask_specialist

EXAMPLES = ("example.org", "уточняйте на сайте", "Адрес указан выше", "None", "{", "[[")


@pytest.fixture
async def bare(
    server: FakeTelegramServer, sessionmaker: SessionMaker, db_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with no regional facts at all (the settings' defaults)."""
    async for h in _harness(server, sessionmaker, db_path, moc_phone=None, navigator_url=None):
        yield h


@pytest.fixture
async def social(
    server: FakeTelegramServer, sessionmaker: SessionMaker, db_path: Path
) -> AsyncIterator[BotHarness]:
    async for h in _harness(server, sessionmaker, db_path, certificate_model="social"):
        yield h


async def _harness(
    server: FakeTelegramServer, sessionmaker: SessionMaker, db_path: Path, **overrides: Any
) -> AsyncIterator[BotHarness]:
    settings = make_settings(db_path, **overrides)
    faq = FaqService(None, settings.placeholders())  # its rendered answers follow these settings
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq)
    yield BotHarness(server, settings, sessionmaker, dp, bot, task)
    await stop_bot(dp, task)


async def test_contacts_without_regional_settings_show_no_invented_values(
    bare: BotHarness,
) -> None:
    answer = await bare.say(PARENT, "контакты моц")
    assert answer.text and "Телефон и почту МОЦ в бот пока не внесли" in answer.text
    assert not [e for e in EXAMPLES if e in answer.text], answer.text
    assert all(b.startswith(("→", "«", "Не нашли")) for b in answer.inline_texts)  # no site

    button = await bare.say(PARENT, texts.BTN_CONTACTS)
    assert button.text and "Телефон и почту МОЦ в бот пока не внесли" in button.text
    assert not [e for e in EXAMPLES if e in button.text], button.text

    await ask_specialist(bare)
    created = bare.server.sent_to(PARENT.id)[-1]
    # the МОЦ's hours are unknown: no «(None)», and no «рабочее время» with no hours to it
    assert created.text and "Ответ придёт сюда же, как только специалист ответит." in created.text
    assert "рабочее время" not in created.text


async def test_a_parent_who_lost_the_certificate_number_is_sent_to_the_organisation(
    bare: BotHarness,
) -> None:
    answer = await bare.say(PARENT, "потеряли номер сертификата как восстановить")
    assert answer.text and "восстанавливает только пароль" in answer.text
    assert "в организации, которая выдала или подтвердила сертификат" in answer.text


async def test_a_social_certificate_region_hears_about_the_social_certificate(
    social: BotHarness,
) -> None:
    answer = await social.say(PARENT, "что такое сертификат дополнительного образования")
    assert answer.text and answer.text.startswith("Социальный сертификат")
    assert "ПФДО" not in answer.text and "до 18 лет" in answer.text
    org = await social.say(PARENT, "как сделать программу сертифицированной")
    assert "НОК" not in (org.text or "")
