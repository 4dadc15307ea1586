"""Routers, one per feature, joined in a fixed order: commands and dialogs first, the
free-text FAQ catch-all and the fallbacks last."""

from __future__ import annotations

from aiogram import Router

from handlers import admin, common, errors, escalation, faq, fallback, privacy, staff, start


def get_routers() -> list[Router]:
    return [
        errors.router,
        common.router,
        start.router,
        privacy.router,
        admin.router,
        staff.router,
        escalation.router,
        faq.router,
        fallback.router,
    ]
