"""Routers, one per feature, joined in a fixed order: commands and dialogs first, the
free-text FAQ catch-all and the fallbacks last. Each call builds fresh routers, because an
aiogram router can belong to one Dispatcher only (tests and benchmarks build several)."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    acks,
    admin,
    broadcasts_admin,
    chats,
    common,
    errors,
    escalation,
    events,
    events_admin,
    fallback,
    faq,
    privacy,
    profile,
    staff,
    start,
)


def get_routers() -> list[Router]:
    modules = (
        errors,
        common,
        start,
        privacy,
        admin,
        profile,
        events,
        events_admin,
        chats,
        broadcasts_admin,
        acks,
        staff,
        escalation,
        faq,
        fallback,
    )
    return [module.create_router() for module in modules]
