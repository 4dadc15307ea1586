"""Last resort: non-text messages in private chats, a command in a group's dialog that no
router took, and buttons nobody handles any more."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.markup import fill
from bot.core.messages import Switchboard
from bot.services.chats.pointers import PointerGate
from bot.texts import unread
from handlers.tg import shots
from handlers.tg.filters import COMMAND
from handlers.tg.follow_ups import append_to_ticket, replied_to_ticket
from storage.models import User
from storage.repositories import Repositories


async def text_in_unknown_state(message: Message, state: FSMContext) -> None:
    """Text nobody took: a dialog state from an older version of the bot. Start afresh."""
    await state.clear()
    await message.answer(texts.DIALOG_RESET)


async def recording_in_dialog(message: Message) -> None:
    """A voice message inside a dialog (a form): no ticket's, the general hint, as before
    voice messages were passed on (`non_text` takes them with no dialog step only)."""
    await message.answer(unread.NON_TEXT)


async def non_text(
    message: Message,
    repo: Repositories,
    settings: Settings,
    user: User | None = None,
    messenger: Switchboard | None = None,
) -> None:
    """A sticker, a location: nothing to read or pass on. During an open ticket the parent
    hears it did not join it (a specialist would never get it). A voice message joins the
    open ticket, or the one whose answer it replies to (staff get the recording in both
    messengers); without one, the parent hears how to send it to a specialist (/ask)."""
    if shots.recording(message) and user is not None:
        said = (message.caption or "").strip() or unread.VOICE_QUESTION
        joined = await replied_to_ticket(message, repo, settings, user, said, "file", messenger)
        if not joined:
            joined = await append_to_ticket(message, repo, settings, user, said, "file", messenger)
        if not joined:
            await message.answer(unread.VOICE_NO_TICKET)
        return
    ticket = None
    if user is not None and user.has_open_ticket is not False:
        ticket = await repo.tickets.open_for_user(user.id)
    if ticket is not None:
        await message.answer(fill(unread.NON_TEXT_TICKET, id=ticket.id))
        return
    await message.answer(unread.NON_TEXT)


async def edited(message: Message) -> None:
    """An edit of a sent message that no question answers (`handlers.faq.edited_question`
    takes a question with no dialog or ticket open): what it changed reached nobody (the
    form's step, the staff post were made from the text as first sent), so the person is
    asked to send it anew."""
    if message.from_user is not None and not message.from_user.is_bot:
        await message.answer(unread.EDITED_UNSEEN)


async def command_in_group_dialog(
    message: Message, state: FSMContext, bot: Bot, clock: Clock, pointers: PointerGate
) -> None:
    """«/hepl» in a group from someone in a dialog there (a staffer's answer): a typo, said
    every time, and the dialog keeps waiting. Addressed to the bot without a dialog — a reply
    to its message or «/foo@bot» — it is said once per few minutes in a group (`pointers`):
    a parents' chat where many tap commands is not flooded. Other group talk with «/» (a
    command to another bot, «/» in conversation) stays the members' own."""
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    )
    _, _, addressee = (message.text or "").split(maxsplit=1)[0].partition("@")
    if addressee and addressee.lower() != ((await bot.me()).username or "").lower():
        return
    in_dialog = await state.get_state() is not None
    if not (in_dialog or to_bot or addressee):
        return
    chat = f"tg:{bot.id}:{message.chat.id}"
    if not in_dialog and not await pointers.once(chat, clock.now(), "unknown-command"):
        return
    await message.reply(texts.UNKNOWN_COMMAND)


async def stale_button(query: CallbackQuery) -> None:
    """Old or forged payloads land here: always answered, so the client stops spinning."""
    await query.answer(texts.STALE_BUTTON, show_alert=True)


def create_router() -> Router:
    """A fresh router each call, so every Dispatcher (runner, tests) gets its own."""
    router = Router(name=__name__)
    router.message.register(text_in_unknown_state, F.chat.type == "private", F.text)
    router.message.register(
        recording_in_dialog, F.chat.type == "private", F.voice | F.audio, ~StateFilter(None)
    )
    router.message.register(non_text, F.chat.type == "private")
    group = F.chat.type.in_({"group", "supergroup"})
    router.message.register(command_in_group_dialog, group, F.text.regexp(COMMAND))
    router.edited_message.register(edited, F.chat.type == "private")
    router.callback_query.register(stale_button)
    return router
