"""What the FAQ answers may say about this region: placeholder values from the settings.

A value of None means the region has not set the fact; the answer templates then leave it out
or send the parent to the МОЦ (bot/core/template.py). Yes/no facts are «да», «нет» or None, so a
template can tell «no» from «not known»: `[[if gosuslugi_login=да]]…[[end]]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.config import Settings

__all__ = ["region_placeholders"]

NOMINAL_UNITS = {"roubles": "рубли", "hours": "часы"}
NOMINAL_PERIODS = {"school_year": "учебный год", "calendar_year": "календарный год"}
CERTIFICATE_NAMES = {
    "pfdo": "сертификат дополнительного образования",
    "social": "социальный сертификат на получение услуг дополнительного образования",
}
CERTIFICATE_SHORT = {"pfdo": "сертификат ПФДО", "social": "социальный сертификат"}
CERTIFICATE_BASIS = {
    "pfdo": "региональные правила персонифицированного финансирования (ПФДО)",
    "social": "Федеральный закон № 189-ФЗ о государственном (муниципальном) социальном заказе",
}


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("да" if value else "нет")


def _nominal_note(settings: Settings) -> str:
    """The yearly-application sentence, for knowledge bases that use {nominal_application_note}."""
    if settings.nominal_application_required is None:
        return "Нужно ли подавать заявление на номинал на новый период, уточните в МОЦ."
    if not settings.nominal_application_required:
        return (
            "В нашем регионе номинал на новый период начисляется без отдельного заявления; "
            "если он не появился в кабинете, напишите нам."
        )
    where = (
        "откройте «Ваши дети» → «Управление сертификатами» и подайте заявление на начисление "
        "номинала"
        if settings.certificate_model == "pfdo"
        else "подайте заявление на номинал"
    )
    return (
        f"В нашем регионе номинал на новый период нужно запросить: в личном кабинете "
        f"Навигатора {where}. Заявления рассматривают по очереди, пока есть средства."
    )


def _gosuslugi_note(enrolment: bool | None) -> str:
    if enrolment is None:
        return "Можно ли у нас подать заявление на запись через Госуслуги, уточните в МОЦ."
    if enrolment:
        return (
            "В нашем регионе Навигатор связан с Госуслугами: заявление на запись можно "
            "подать и через портал Госуслуг."
        )
    return (
        "В нашем регионе запись на кружки идёт через Навигатор; через Госуслуги "
        "заявление пока не подаётся."
    )


def region_placeholders(settings: Settings) -> dict[str, str | None]:
    model = settings.certificate_model
    contacts = [v for v in (settings.moc_phone, settings.moc_email) if v]
    return {
        "region_name": settings.region_name,
        "moc_name": settings.moc_name,
        "moc_address": settings.moc_address,
        "moc_phone": settings.moc_phone,
        "moc_email": settings.moc_email,
        "moc_contacts": ", ".join(contacts) or None,
        "moc_hours": settings.moc_hours,
        "moc_site": settings.moc_site,
        "navigator_url": settings.navigator_url,
        "rmc_name": settings.rmc_name,
        "iro_name": settings.iro_name,
        "certificate_model": model,
        "certificate_name": CERTIFICATE_NAMES[model],
        "certificate_short": CERTIFICATE_SHORT[model],
        "certificate_basis": CERTIFICATE_BASIS[model],
        "age_min": str(settings.certificate_age_min),
        "age_max": str(settings.certificate_age_max),
        "self_apply_age": str(settings.certificate_self_apply_age),
        "nominal_amount": settings.nominal_amount,
        "nominal_unit": NOMINAL_UNITS.get(settings.nominal_unit or ""),
        "nominal_period": NOMINAL_PERIODS.get(settings.nominal_period or ""),
        "nominal_prorated": _yes_no(settings.nominal_prorated),
        "nominal_application": _yes_no(settings.nominal_application_required),
        "nominal_application_note": _nominal_note(settings),
        "gosuslugi_certificate": _yes_no(settings.gosuslugi_certificate),
        "gosuslugi_enrolment": _yes_no(settings.gosuslugi_enrolment),
        "gosuslugi_login": _yes_no(settings.gosuslugi_login),
        "gosuslugi_note": _gosuslugi_note(settings.gosuslugi_enrolment),
        "review_days": settings.application_review_days,
    }
