"""Staff teach the FAQ: «➕ В базу» on a ticket post or under /faq_stats attaches the question
to an entry as one more wording (one or two taps), or starts a new entry from it.

Who may: staff as for tickets (`is_staff`: admins anywhere, anyone in STAFF_CHAT_ID), checked
here on every button, so a forged payload does nothing; the question itself is always read
from the database, never from the payload. Prompts use ForceReply: in a group with privacy
mode on, the bot only sees replies to itself.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message

from bot import texts
from bot.core.config import Settings
from bot.core.markup import clip, fill
from bot.services.faq import FaqService, new_entry
from bot.services.faq.learning import Refused, attach_question, undo_sample
from bot.services.faq.new_entry import Taken
from bot.services.faq.teaching import (
    asker_of,
    candidates,
    is_letter,
    learnable,
    pick_text,
    question_of,
    saved_text,
    search_entries,
    undo_refusal,
)
from bot.services.staff.roster import Roster
from bot.services.tickets.posting import is_staff
from bot.texts import faq_learn as t
from handlers.tg.callbacks import KbCb
from handlers.tg.edits import drop_keyboard, edit_or_send, send_to_chat
from handlers.tg.filters import NOT_COMMAND
from handlers.tg.keyboards import faq_learn as kb
from storage.repositories import Repositories


class LearnState(StatesGroup):
    find = State()
    title = State()
    wordings = State()
    answer = State()
    category = State()
    saving = State()  # the category was tapped: a second tap must not save the entry twice


def _prompt() -> ForceReply:
    return ForceReply(selective=True, input_field_placeholder="Ответ…")


def _staff_name(query_or_message: CallbackQuery | Message) -> str:
    user = query_or_message.from_user
    return user.full_name if user else "сотрудник"


async def _allowed(query: CallbackQuery, roster: Roster, repo: Repositories) -> bool:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if await is_staff(roster, repo, query.from_user.id, chat_id):
        return True
    await query.answer(texts.ADMIN_ONLY, show_alert=True)
    return False


async def _source(
    query: CallbackQuery, data: KbCb, repo: Repositories, roster: Roster
) -> str | None:
    """The question a staff button is about; None (the presser told why) for a non-staff
    presser, a question that is gone, or a picture without words."""
    if not await _allowed(query, roster, repo):
        return None
    question, why_not = await learnable(repo, data.src, data.id)
    if question is None:
        await query.answer(why_not, show_alert=True)
    return question


async def pick(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    faq: FaqService,
) -> None:  # fmt: skip
    """The matcher's best entries for the question, «Другая статья…» and «Новая статья»."""
    question = await _source(query, callback_data, repo, roster)
    if question is None:
        return
    await query.answer()
    offered = await candidates(faq, repo, settings.faq_sync_seconds, question)
    markup = kb.pick(callback_data.src, callback_data.id, offered, other=not is_letter(question))
    await send_to_chat(query, pick_text(question), markup)


async def attach(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    faq: FaqService, state: FSMContext,
) -> None:  # fmt: skip
    question = await _source(query, callback_data, repo, roster)
    if question is None:
        return
    await query.answer()
    asker = await asker_of(repo, callback_data.src, callback_data.id)
    try:
        saved = await attach_question(
            faq, repo, settings.placeholders(), callback_data.e, question, query.from_user.id,
            asker,
        )  # fmt: skip
    except Refused as exc:
        await send_to_chat(query, fill(t.REFUSED, reason=clip(str(exc), 3500)))
        return
    await state.clear()
    text = saved_text(saved, t.ATTACHED, question, _staff_name(query))
    await edit_or_send(query, text, kb.undo(saved.sample_id, saved.entry_id))


async def undo(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    faq: FaqService,
) -> None:  # fmt: skip
    """«Отменить» under «добавлен к статье»: a mis-tap must not teach the bot a wrong answer."""
    if not await _allowed(query, roster, repo):
        return
    question = await undo_sample(faq, repo, callback_data.id)
    if question is None:
        await query.answer(await undo_refusal(repo, callback_data.e), show_alert=True)
        return
    await query.answer()
    await edit_or_send(
        query, fill(t.UNDONE, question=clip(question, 300), staff=_staff_name(query))
    )


async def find(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    state: FSMContext,
) -> None:  # fmt: skip
    if await _source(query, callback_data, repo, roster) is None:
        return
    await query.answer()
    await state.set_state(LearnState.find)
    await state.set_data({"src": callback_data.src, "id": callback_data.id})
    await send_to_chat(query, t.FIND_PROMPT, _prompt())


async def _not_a_ticket_reply(message: Message, repo: Repositories) -> None:
    """A reply to a ticket post is an answer to the parent, even mid-dialog: let it pass."""
    reply = message.reply_to_message
    if reply is not None and await repo.tickets.by_post(message.chat.id, reply.message_id):
        raise SkipHandler


async def find_received(
    message: Message, state: FSMContext, repo: Repositories, settings: Settings,
    faq: FaqService,
) -> None:  # fmt: skip
    await _not_a_ticket_reply(message, repo)
    assert message.text is not None and message.from_user is not None
    data = await state.get_data()
    src, source_id = str(data.get("src")), int(data.get("id", 0))
    question = await question_of(repo, src, source_id)
    if question is None:
        await state.clear()
        await message.answer(t.SOURCE_GONE)
        return
    typed = message.text.strip()
    if typed in faq.kb.entries:
        try:
            saved = await attach_question(
                faq, repo, settings.placeholders(), typed, question, message.from_user.id,
                await asker_of(repo, src, source_id),
            )  # fmt: skip
        except Refused as exc:
            await message.answer(fill(t.REFUSED, reason=clip(str(exc), 3500)))
            return
        await state.clear()
        text = saved_text(saved, t.ATTACHED, question, _staff_name(message))
        await message.answer(text, reply_markup=kb.undo(saved.sample_id, saved.entry_id))
        return
    found = search_entries(faq, typed)
    if not found:
        await message.answer(t.FIND_NOTHING, reply_markup=_prompt())
        return
    await state.clear()
    markup = kb.entries(str(data["src"]), int(data["id"]), found)
    await message.answer(fill(t.FIND_RESULTS, question=clip(question, 300)), reply_markup=markup)


async def new(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    state: FSMContext,
) -> None:  # fmt: skip
    question = await _source(query, callback_data, repo, roster)
    if question is None:
        return
    await query.answer()
    await drop_keyboard(query)
    await state.set_state(LearnState.title)
    await state.set_data(await new_entry.start(repo, callback_data.src, callback_data.id))
    await send_to_chat(query, new_entry.first_prompt(t.TELEGRAM_NEW, question), _prompt())


STATES = {"title": LearnState.title, "wordings": LearnState.wordings, "answer": LearnState.answer}
STEPS = {state.state: step for step, state in STATES.items()}


async def _ask(
    target: Message | CallbackQuery, state: FSMContext, faq: FaqService, taken: Taken
) -> None:
    """Keep the draft, move to the step asked now and ask it (the section: buttons)."""
    await state.set_data(taken.draft)
    if taken.step == new_entry.CATEGORY:
        await state.set_state(LearnState.category)
        categories = faq.kb.categories
        markup: Any = kb.fix(categories, taken.fixes) if taken.fixes else kb.categories(categories)
    else:
        await state.set_state(STATES[taken.step])
        markup = _prompt()
    if isinstance(target, Message):
        await target.answer(taken.text, reply_markup=markup)
    else:
        await send_to_chat(target, taken.text, markup)


async def typed(
    message: Message, state: FSMContext, repo: Repositories, faq: FaqService, settings: Settings
) -> None:
    """A title, the wordings or the answer (its formatting kept as the answers' HTML)."""
    await _not_a_ticket_reply(message, repo)
    assert message.text is not None
    step = STEPS[str(await state.get_state())]
    text = message.html_text if step == "answer" else message.text
    taken = new_entry.take(
        t.TELEGRAM_NEW, step, await state.get_data(), text, settings.placeholders(),
        message.date.timestamp(),
    )  # fmt: skip
    await _ask(message, state, faq, taken)


async def _at_category_step(
    query: CallbackQuery, roster: Roster, repo: Repositories, state: FSMContext
) -> dict[str, Any] | None:
    """A press under the section choice (or a refusal), answered: the dialog's data, or None
    when the press is not staff's or the dialog has moved on (a stale or doubled press)."""
    if not await _allowed(query, roster, repo):
        return None
    data = await state.get_data()
    if await state.get_state() != LearnState.category.state or not new_entry.complete(data):
        await query.answer(t.NEW_STALE, show_alert=True)
        return None
    await query.answer()
    await drop_keyboard(query)
    return data


async def category_chosen(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, settings: Settings,
    roster: Roster,
    faq: FaqService, state: FSMContext,
) -> None:  # fmt: skip
    data = await _at_category_step(query, roster, repo, state)
    if data is None:
        return
    await state.set_state(LearnState.saving)
    staff = (query.from_user.id, _staff_name(query))
    outcome = await new_entry.save(
        faq, repo, settings.placeholders(), callback_data.e, data, staff
    )
    if outcome.kept:
        await state.set_state(LearnState.category)
        await send_to_chat(query, outcome.text, kb.fix(faq.kb.categories))
        return
    await state.clear()
    await send_to_chat(query, outcome.text)


async def fix_chosen(
    query: CallbackQuery, callback_data: KbCb, repo: Repositories, roster: Roster,
    faq: FaqService, state: FSMContext,
) -> None:  # fmt: skip
    """«✏️ Исправить …» under a refusal: ask that one step again, the rest kept."""
    data = await _at_category_step(query, roster, repo, state)
    if data is not None:
        await _ask(query, state, faq, new_entry.fix(t.TELEGRAM_NEW, callback_data.e, data))


NEW_STATES = {*STEPS, LearnState.category.state}  # «Отмена» ends the dialog at any of them


async def drop(
    query: CallbackQuery, repo: Repositories, roster: Roster, state: FSMContext
) -> None:
    """«Отмена» under the sections (as in MAX): the draft goes; a press after the dialog
    ended (saved, cancelled) is told so."""
    if not await _allowed(query, roster, repo):
        return
    if await state.get_state() not in NEW_STATES:
        await query.answer(t.NEW_STALE, show_alert=True)
        return
    await query.answer()
    await drop_keyboard(query)
    await state.clear()
    await send_to_chat(query, t.NEW_DROPPED)


async def not_text(message: Message) -> None:
    await message.answer(t.NEW_REPROMPT, reply_markup=_prompt())


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.callback_query.register(pick, KbCb.filter(F.action == "pick"))
    router.callback_query.register(attach, KbCb.filter(F.action == "a"))
    router.callback_query.register(undo, KbCb.filter(F.action == "undo"))
    router.callback_query.register(find, KbCb.filter(F.action == "find"))
    router.callback_query.register(new, KbCb.filter(F.action == "new"))
    router.callback_query.register(category_chosen, KbCb.filter(F.action == "cat"))
    router.callback_query.register(fix_chosen, KbCb.filter(F.action == "fix"))
    router.callback_query.register(drop, KbCb.filter(F.action == "drop"))
    steps = (
        (LearnState.find, find_received),
        (LearnState.title, typed),
        (LearnState.wordings, typed),
        (LearnState.answer, typed),
    )
    for step, handler in steps:
        # at the wordings and the answer a command is a command (handlers.fallback answers a
        # typo); the title step asks again itself (bot.services.faq.new_entry)
        words = (NOT_COMMAND,) if step in (LearnState.wordings, LearnState.answer) else ()
        router.message.register(handler, step, F.text, *words)
        router.message.register(not_text, step, *words)
    return router
