"""The knowledge base: browsing by category, the free-text catch-all and screenshots in
private chats."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core import metrics
from bot.core.config import Settings
from bot.core.markup import clip, fill
from bot.services.faq import FaqEntry, FaqService, Intent, SearchResult, render_answer, render_text
from bot.services.faq.learning import refresh
from bot.services.faq.querylog import QueryLog
from bot.texts import faq_learn as shot_texts
from handlers.tg import keyboards
from handlers.tg.callbacks import FaqCb
from handlers.tg.edits import edit_or_send
from handlers.tg.follow_ups import append_to_ticket
from handlers.tg.keyboards import faq_learn as shot_keyboards
from storage.models import User
from storage.repositories import Repositories

log = logging.getLogger(__name__)

MAX_QUESTION = 1000
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not a stray key or digit
AUDIENCE_OF_ROLE = {"parent": "parents", "teacher": "teachers", "director": "organisations"}


def _related(faq: FaqService, entry: FaqEntry) -> list[FaqEntry]:
    return [faq.kb.entries[r] for r in entry.related if r in faq.kb.entries]


def entry_view(faq: FaqService, settings: Settings, entry_id: str) -> tuple[str, Any]:
    """The answer and its keyboard, rendered once per knowledge base."""
    view = faq.views.get(entry_id)
    if view is None:
        entry = faq.kb.entries[entry_id]
        placeholders = settings.placeholders()
        view = (
            render_answer(entry, placeholders),
            keyboards.answer(entry, _related(faq, entry), placeholders),
        )
        faq.views[entry_id] = view
    return view


async def send_entry(message: Message, faq: FaqService, settings: Settings, entry_id: str) -> None:
    text, markup = entry_view(faq, settings, entry_id)
    await message.answer(text, reply_markup=markup)


async def show_categories(message: Message, faq: FaqService) -> None:
    await message.answer(
        texts.FAQ_CATEGORIES, reply_markup=keyboards.categories(faq.kb.categories)
    )


async def categories_cb(query: CallbackQuery, faq: FaqService) -> None:
    await query.answer()
    await edit_or_send(query, texts.FAQ_CATEGORIES, keyboards.categories(faq.kb.categories))


async def category_cb(query: CallbackQuery, callback_data: FaqCb, faq: FaqService) -> None:
    category = faq.kb.category(callback_data.id)
    if category is None:
        await query.answer(texts.FAQ_STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await edit_or_send(
        query,
        fill(texts.FAQ_TOPICS, title=category.title),
        keyboards.topics(faq.kb.entries_in(category.id)),
    )


async def entry_cb(
    query: CallbackQuery, callback_data: FaqCb, faq: FaqService, settings: Settings
) -> None:
    entry = faq.kb.entries.get(callback_data.id)
    if entry is None:
        await query.answer(texts.FAQ_STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await edit_or_send(query, *entry_view(faq, settings, entry.id))


def _offers_human(intent: Intent) -> bool:
    """Off-topic questions and «позовите человека» get «Спросить специалиста»; greetings don't."""
    return intent.kind == "offtopic" or intent.id == "human_request"


async def free_text(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
) -> None:
    """Any typed text: a question for the matcher, or a follow-up to an open ticket."""
    assert message.text is not None
    await _respond(message, faq, settings, repo, querylog, user, message.text.strip())


async def screenshot(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
) -> None:
    """A photo or a file, maybe with a caption: the caption is read like a typed question;
    unanswered, the picture can go to a specialist with it (`AskCb` → `ask_cb`)."""
    caption = (message.caption or "").strip()
    await _respond(message, faq, settings, repo, querylog, user, caption, shot=True)


async def _respond(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user: User | None,
    text: str,
    *,
    shot: bool = False,
) -> None:
    """A question the FAQ answers confidently is answered even while a ticket is open;
    anything else joins the open ticket, or gets suggestions, or the offer of a human."""
    assert message.from_user is not None
    await refresh(faq, repo, settings.faq_sync_seconds)  # staff may have taught it something
    result: SearchResult | None = None
    if WORD.search(text) and len(text) <= MAX_QUESTION:
        audience = AUDIENCE_OF_ROLE.get(user.role or "") if user else None
        result = faq.matcher.search(text, audience=audience)
        metrics.faq_outcome(result.kind)
        if result.kind == "answer" and result.match is not None:
            # nothing in the reply points at the log row, so it is written in the background
            querylog.add(message.from_user.id, text, "answer", result.match.id, result.match.score)
            await send_entry(message, faq, settings, result.match.id)
            if shot and user is not None:  # a picture during a ticket is for staff to see too
                await append_to_ticket(message, repo, settings, user, text, shot)
            return
    if user is not None and await append_to_ticket(message, repo, settings, user, text, shot):
        return
    if shot:
        await _offer_screenshot(message, faq, repo, text, result)
    elif result is None:
        await _not_a_question(message, repo, text)
    else:
        await _not_answered(message, faq, settings, repo, querylog, text, result)


async def _not_a_question(message: Message, repo: Repositories, text: str) -> None:
    assert message.from_user is not None
    if not WORD.search(text):  # «1», «?», «а»: nothing to look up, nothing worth logging
        await message.answer(texts.FAQ_NO_WORDS)
        return
    row = await repo.faq_log.add(message.from_user.id, text[:4000], "too_long", None, 0.0)
    await repo.commit()
    await message.answer(
        fill(texts.TOO_LONG, length=len(text), limit=MAX_QUESTION),
        reply_markup=keyboards.unknown(row.id),
    )


async def _not_answered(
    message: Message,
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    text: str,
    result: SearchResult,
) -> None:
    assert message.from_user is not None
    best = result.candidates[0] if result.candidates else None
    score = best.score if best else 0.0
    if result.intent is not None and not _offers_human(result.intent):  # «спасибо», «привет»
        querylog.add(message.from_user.id, text, result.kind, None, score)
        await message.answer(render_text(result.intent.reply, settings.placeholders()))
        return
    # the buttons carry the row id: «Спросить специалиста» forwards that very question
    row = await repo.faq_log.add(message.from_user.id, text, result.kind, None, score)
    await repo.commit()
    if result.kind == "suggest":
        entries = [faq.kb.entries[c.id] for c in result.candidates if c.id in faq.kb.entries]
        await message.answer(
            texts.FAQ_SUGGEST, reply_markup=keyboards.suggestions(entries, row.id)
        )
    elif result.intent is not None:
        reply = render_text(result.intent.reply, settings.placeholders())
        await message.answer(reply, reply_markup=keyboards.unknown(row.id))
    else:
        await message.answer(texts.FAQ_UNKNOWN, reply_markup=keyboards.unknown(row.id))


async def _offer_screenshot(
    message: Message, faq: FaqService, repo: Repositories, text: str, result: SearchResult | None
) -> None:
    """The picture is remembered by its message id; the offer's buttons carry the log row."""
    assert message.from_user is not None
    kind = result.kind if result is not None else "media"
    score = result.candidates[0].score if result and result.candidates else 0.0
    question = clip(text, 4000) or shot_texts.SHOT_QUESTION
    row = await repo.faq_log.add(
        message.from_user.id, question, kind, None, score, message_id=message.message_id
    )
    await repo.commit()
    if result is not None and result.kind == "suggest":
        entries = [faq.kb.entries[c.id] for c in result.candidates if c.id in faq.kb.entries]
        await message.answer(
            texts.FAQ_SUGGEST, reply_markup=keyboards.suggestions(entries, row.id)
        )
        return
    offer = shot_texts.SHOT_UNKNOWN if text else shot_texts.SHOT_NO_CAPTION
    await message.answer(offer, reply_markup=shot_keyboards.screenshot(row.id))


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_categories, Command("faq"))
    router.message.register(show_categories, F.text == texts.BTN_FAQ)
    router.callback_query.register(categories_cb, FaqCb.filter(F.action == "cats"))
    router.callback_query.register(category_cb, FaqCb.filter(F.action == "cat"))
    router.callback_query.register(entry_cb, FaqCb.filter(F.action == "e"))
    router.message.register(free_text, F.text, StateFilter(None))
    router.message.register(screenshot, F.photo | F.document, StateFilter(None))
    return router
