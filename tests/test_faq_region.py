"""The shipped answers say only what is true for the region: nothing invented when a setting
is unset, every setting used where it matters, and the social certificate described as such."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from bot.app.cli import main as cli
from bot.app.runner import build_services
from bot.core.config import Settings
from bot.services.faq import KnowledgeBase, load_knowledge_base, render_answer, render_links
from storage.db import create_engine

# Values the old defaults showed to parents, and regional facts they asserted.
EXAMPLES = (
    "example.org",
    "example.com",
    "уточняйте на сайте МОЦ",
    "адрес уточняйте",
    "Адрес указан выше",
    "В нашем регионе Навигатор связан с Госуслугами",
    "Срок рассмотрения у нас",
    "3–5 рабочих дней",
    "пн–пт",
    "None",
)
LEFTOVERS = re.compile(r"[{}]|\[\[|\]\]")
# Wording of the ПФДО model that must not reach parents of a social-certificate region.
PFDO_ONLY = (
    "ПФДО",
    "(ПФ)",
    "сертификат ПФ",
    "персонифицированного финансирования",
    "НОК",
    "независимую оценку качества",
    "начисление номинала",
    "Управление сертификатами",
    "сертификатом учёта",
    "сертификат учёта",
    "сертификата учёта",
    "реестр сертифицированных",
)
EXPLAINS_PFDO_TERMS = {"certificate.types"}  # a parent asks what «учёта»/«ПФ» mean
# Entries whose text depends on the certificate model; the rest read the same in both.
MODEL_SPECIFIC = {
    "certificate.what",
    "certificate.who",
    "certificate.get",
    "certificate.types",
    "certificate.number_balance",
    "certificate.pay_program",
    "certificate.not_active",
    "certificate.age_14_self",
    "certificate.budget_places",
    "certificate.private_providers",
    "navigator.password",
    "org.program_card",
    "teacher.program_help",
}
FULL = {
    "moc_phone": "+7 (4712) 51-00-00",
    "moc_email": "moc@kursk-do.ru",
    "moc_address": "ул. Ленина, 1",
    "moc_hours": "пн–чт 9:00–17:00",
    "moc_site": "https://moc.kursk-do.ru",
    "navigator_url": "https://р46.навигатор.дети",
    "application_review_days": "5 рабочих дней",
    "nominal_amount": "6000 рублей",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def rendered(kb: KnowledgeBase, **settings: Any) -> dict[str, str]:
    """Every answer with its button titles and addresses, as users see them."""
    placeholders = Settings(_env_file=None, **settings).placeholders()
    result = {}
    for entry in kb.entries.values():
        links = render_links(entry, placeholders)
        buttons = " ".join(f"{link.title} {link.url}" for link in links)
        result[entry.id] = render_answer(entry, placeholders) + "\n" + buttons
    return result


@pytest.mark.parametrize("model", ["pfdo", "social"])
def test_unset_settings_never_show_an_example_or_a_placeholder(
    kb: KnowledgeBase, model: str
) -> None:
    for entry_id, text in rendered(kb, certificate_model=model).items():
        assert not [e for e in EXAMPLES if e in text], (entry_id, text)
        assert not LEFTOVERS.search(text), (entry_id, text)
        assert "<a href" not in text, entry_id  # no address is known, so no link


def test_set_settings_are_used(kb: KnowledgeBase) -> None:
    answers = rendered(kb, **FULL)
    contacts = answers["moc.contacts"]
    shown = ("moc_phone", "moc_email", "moc_address", "moc_hours", "moc_site", "navigator_url")
    assert all(FULL[name] in contacts for name in shown)
    assert "Телефон и почту МОЦ в бот пока не внесли" not in contacts
    assert f'<a href="{FULL["navigator_url"]}">Навигаторе</a>' in answers["certificate.get"]
    assert "Срок рассмотрения у нас: 5 рабочих дней" in answers["navigator.apply"]
    assert "Номинал у нас: 6000 рублей" in answers["certificate.number_balance"]
    assert "(+7 (4712) 51-00-00, moc@kursk-do.ru)" in answers["certificate.activate"]


def test_the_social_certificate_is_described_as_such(kb: KnowledgeBase) -> None:
    pfdo, social = rendered(kb, certificate_model="pfdo"), rendered(kb, certificate_model="social")
    assert {i for i in pfdo if pfdo[i] != social[i]} == MODEL_SPECIFIC
    for entry_id, text in social.items():
        if entry_id not in EXPLAINS_PFDO_TERMS:
            assert not [t for t in PFDO_ONLY if t in text], (entry_id, text)
    assert social["certificate.what"].startswith("<b>Социальный сертификат")
    assert "до 18 лет" in social["certificate.what"]  # issued once, valid until 18 (S7, S9)
    assert "в рублях или в часах" in social["certificate.types"]


def test_a_lost_certificate_number_is_restored_by_the_organisation(kb: KnowledgeBase) -> None:
    for model in ("pfdo", "social"):
        text = rendered(kb, certificate_model=model)["certificate.number_balance"]
        assert "восстанавливает только <b>пароль</b>" in text
        assert "в организации, которая выдала или подтвердила сертификат" in text
        assert "поддержке Навигатора" in text
        assert "Введите логин" not in text


def test_ages_nominal_period_and_gosuslugi_follow_the_settings(kb: KnowledgeBase) -> None:
    answers = rendered(
        kb,
        certificate_age_max=17,
        nominal_period="calendar_year",
        nominal_prorated=True,
        gosuslugi_certificate=False,
        gosuslugi_enrolment=True,
        gosuslugi_login=True,
    )
    assert "действует до 17 лет" in answers["certificate.nominal_ended"]
    assert "от 5 до 17 лет" in answers["navigator.what"]
    assert not re.search(r"до 18 лет", answers["certificate.nominal_ended"])
    assert "начисляют на календарный год" in answers["certificate.new_nominal"]
    assert "уменьшается помесячно" in answers["certificate.new_nominal"]
    assert "через Госуслуги заявление на сертификат не подаётся" in answers["certificate.get"]
    assert "Да: в нашем регионе Навигатор связан с Госуслугами" in answers["navigator.gosuslugi"]
    assert "можно войти через учётную запись Госуслуг" in answers["navigator.gosuslugi"]
    unset = rendered(kb)
    assert "Работает ли это у нас, уточните в МОЦ" in unset["navigator.gosuslugi"]
    assert "Какой период у нас, уточните в МОЦ" in unset["certificate.new_nominal"]


def test_old_gosuslugi_enabled_still_means_enrolment() -> None:
    assert Settings(_env_file=None, gosuslugi_enabled=False).gosuslugi_enrolment is False


def test_export_prints_answers_as_users_see_them_and_raw_templates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTIFICATE_MODEL", "social")
    monkeypatch.setenv("NAVIGATOR_URL", "https://nav.test")
    assert cli.main(["faq", "export", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    what = rows["certificate.what"]
    assert what["answer"].startswith("<b>Социальный сертификат") and "{" not in what["answer"]
    assert what["links"] == [{"title": "Навигатор", "url": "https://nav.test"}]
    assert cli.main(["faq", "export", "--json", "--raw"]) == 0
    raw = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert raw["certificate.what"]["answer"].startswith("<b>{certificate_name}</b>")
    assert raw["certificate.what"]["links"] == [{"title": "Навигатор", "url": "{navigator_url}"}]


def test_check_lists_unset_settings_and_run_warns_once(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("MOC_PHONE", "+7 900")
    monkeypatch.setenv("MOC_EMAIL", "")  # empty in .env: unset, not an empty address
    assert cli.main(["faq", "check"]) == 0
    err = capsys.readouterr().err
    assert "Не заданы настройки региона" in err and "MOC_EMAIL" in err
    assert "MOC_PHONE" not in err

    settings = Settings(_env_file=None, moc_phone="+7 900")
    with caplog.at_level(logging.WARNING, logger="bot.app.runner"):
        build_services(settings, create_engine("sqlite+aiosqlite:///:memory:"))
    warnings = [r.getMessage() for r in caplog.records if "region settings" in r.getMessage()]
    assert len(warnings) == 1 and "MOC_EMAIL" in warnings[0] and "MOC_PHONE" not in warnings[0]
