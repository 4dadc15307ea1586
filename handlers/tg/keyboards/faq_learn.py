"""Keyboards of staff teaching the FAQ and of screenshots; pure functions of their inputs."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.core.markup import clip
from bot.services.faq import Category, FaqEntry
from bot.texts import faq_learn as t
from handlers.tg.callbacks import KbCb

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data


def _fits(data: KbCb) -> bool:
    try:
        return len(data.pack().encode()) <= CALLBACK_LIMIT
    except ValueError:  # aiogram refuses to pack over 64 bytes
        return False


def entries(src: str, source_id: int, items: Sequence[FaqEntry]) -> InlineKeyboardMarkup:
    """One button per entry (attach the question there); ids too long for a button are left
    to «Другая статья…», where staff type them."""
    builder = InlineKeyboardBuilder()
    for entry in items:
        data = KbCb(action="a", src=src, id=source_id, e=entry.id)
        if _fits(data):
            label = t.BTN_CANDIDATE.format(title=clip(entry.title, 60))  # buttons are not HTML
            builder.button(text=label, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


def pick(
    src: str, source_id: int, candidates: Sequence[FaqEntry], *, other: bool = True
) -> InlineKeyboardMarkup:
    """`other`: «Другая статья…» too (not for a letter, which no entry takes)."""
    builder = InlineKeyboardBuilder.from_markup(entries(src, source_id, candidates))
    builder.row()
    if other:
        builder.button(
            text=t.BTN_OTHER_ENTRY, callback_data=KbCb(action="find", src=src, id=source_id)
        )
    builder.button(text=t.BTN_NEW_ENTRY, callback_data=KbCb(action="new", src=src, id=source_id))
    return builder.as_markup()


def undo(sample_id: int, entry_id: str) -> InlineKeyboardMarkup:
    """`entry_id` tells a question the panel has since taken over from one already undone."""
    data = KbCb(action="undo", id=sample_id, e=entry_id)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BTN_UNDO, callback_data=data if _fits(data) else KbCb(action="undo", id=sample_id)
    )
    return builder.as_markup()


def categories(items: Sequence[Category]) -> InlineKeyboardMarkup:
    """The sections of a new entry, then «Отмена» (the draft goes), as in MAX."""
    builder = InlineKeyboardBuilder()
    for category in items:
        label = f"{category.emoji} {category.title}" if category.emoji else category.title
        builder.button(text=label, callback_data=KbCb(action="cat", e=category.id))
    builder.button(text=texts.BTN_CANCEL, callback_data=KbCb(action="drop"))
    builder.adjust(1)
    return builder.as_markup()


def fix(
    items: Sequence[Category], steps: Sequence[str] = tuple(t.BTN_FIX)
) -> InlineKeyboardMarkup:
    """Under a refused new entry (or an answer taken from a draft): correct one of `steps`,
    or pick the section (again)."""
    builder = InlineKeyboardBuilder()
    for step in steps:
        builder.button(text=t.BTN_FIX[step], callback_data=KbCb(action="fix", e=step))
    builder.attach(InlineKeyboardBuilder.from_markup(categories(items)))
    return builder.as_markup()


def stats(query_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """«➕ 1», «➕ 2»… under /faq_stats: the numbered unanswered questions."""
    if not query_ids:
        return None
    builder = InlineKeyboardBuilder()
    for n, query_id in enumerate(query_ids, start=1):
        builder.button(
            text=t.BTN_TO_KB_N.format(n=n), callback_data=KbCb(action="pick", src="q", id=query_id)
        )
    builder.adjust(5)
    return builder.as_markup()
