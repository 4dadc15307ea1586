"""Parents (and everyone else) in a private MAX dialog: start, role, FAQ answers and browsing.

The same services as Telegram's routers (handlers/start.py, handlers/faq.py) decide what to
say; this module turns MAX updates into their calls and their `Reply` into MAX messages.
Button payloads are the Telegram adapter's CallbackData strings (`role:…`, `faq:…`), so one
knowledge base's buttons work on both. Tickets and 152-ФЗ are in `handlers.max.asker`.
"""

from __future__ import annotations

from bot import texts
from bot.core.markup import fill, fill_region
from bot.core.messages import Button, rows
from bot.core.words import means_cancel, means_menu, means_unsubscribe, typed_command
from bot.services.chats import registry
from bot.services.faq import consult, replies
from bot.services.faq.replies import Reply
from bot.services.tickets.missed import deliver_missed
from bot.texts import faq_learn as faq_learn_texts
from bot.texts import max as max_texts
from bot.texts import unread
from handlers.max import (
    asker,
    broadcast_compose,
    consent,
    event_edit,
    event_form,
    event_list,
    events,
    faq_learn,
    faq_new,
    profile,
    staff,
    staff_desk,
    staff_tools,
    transfer,
    updates,
    voice,
)  # fmt: skip
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.main_menu import menu
from handlers.max.messenger import max_buttons
from handlers.max.people import Visit, visit
from handlers.max.render import render_text
from handlers.max.roles import role_buttons
from storage.models import Role
from storage.repositories import Repositories


def command(update: JsonDict) -> tuple[str, str]:
    """`/start payload` → ("start", "payload"); «Все темы» typed → ("faq", ""); not a
    command → ("", "")."""
    text = updates.text(update)
    if means_menu(text):  # «меню» typed: there is no reply keyboard in MAX
        return "menu", ""
    if not text.startswith("/"):
        return typed_command(text), ""
    name, _, arg = text[1:].partition(" ")
    return name.split("@")[0].lower(), arg.strip()


async def greet(v: Visit) -> None:
    if v.user.role is None:
        welcome = fill(texts.WELCOME, name=v.user.first_name, moc_name=v.ctx.settings.moc_name)
        await v.say(welcome, role_buttons(v.is_admin))
        return
    await v.say(texts.MENU, menu(v))


async def bot_started(ctx: MaxContext, update: JsonDict) -> bool:
    async with visit(ctx, update) as v:
        if v is None:
            return False
        await v.clear_state()
        payload = str(update.get("payload") or "")
        if await staff_tools.invite_opened(v, payload):
            return True
        if not (payload and await events.event_link(v, payload)) or v.user.role is None:
            await greet(v)
        await deliver_missed(ctx.messenger, v.repo, v.uid)  # back after blocking the bot
    return True


async def bot_stopped(ctx: MaxContext, update: JsonDict) -> bool:
    """The person stopped the bot in their dialog, as a Telegram user blocks it: inactive, so a
    freed seat, a reminder and the news pass them by (bot_started makes them active again)."""
    max_id = updates.user_id(update)
    if max_id is None:
        return False
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.find("max", "user", max_id)
        if uid is not None:  # never seen: nothing to mark, no row made for them
            await repo.users.set_active(uid, False)
            await repo.commit()
    return True


async def commands(ctx: MaxContext, update: JsonDict) -> bool:
    name, arg = command(update)
    if not name or not updates.is_dialog(update):
        return False
    async with visit(ctx, update) as v:
        if v is None or (v.state and typed_command(updates.text(update))):
            return False  # a button's words mid-dialog are that dialog's answer
        if name in ("start", "menu"):
            await v.clear_state()
            if name == "start" and await staff_tools.invite_opened(v, arg):
                return True
            if not (arg and await events.event_link(v, arg)) or v.user.role is None:
                await greet(v)
            if name == "start":
                await deliver_missed(ctx.messenger, v.repo, v.uid)
        elif name == "help":
            await v.say(max_texts.HELP_MAX + (max_texts.STAFF_HELP_MAX if v.is_admin else ""))
        elif name == "role":
            await v.say(max_texts.ROLE_PROMPT, role_buttons(v.is_admin))
        elif name == "faq":
            await v.send(consult.categories(ctx.faq))
        elif name == "contacts":  # as Telegram's /contacts and «📇 Контакты МОЦ»
            # «Спросить специалиста» is Telegram's keyboard button; MAX gets it under the text
            ask = rows(Button(texts.BTN_ASK_SHORT, replies.ask()))
            await v.say(fill_region(texts.CONTACTS, **ctx.settings.placeholders()), ask)
        elif name == "cancel":
            await cancel(v)
        elif name == "new_event":
            await event_form.begin(v)
        elif name == "broadcast":
            await broadcast_compose.begin(v)
        elif name in event_list.BY_NAME:  # with words after it: «/events» alone came earlier
            await event_list.open_view(v, event_list.BY_NAME[name])
        elif not (
            await staff_tools.command(v, name)
            or await staff_desk.command(v, name, arg)
            or await asker.command(v, name)
            or await consent.command(v, name)
            or await transfer.command(v, name, arg)
        ):
            await v.say(texts.UNKNOWN_COMMAND)  # «/foo», «/старт»: not a question for the FAQ
    return True


async def cancel(v: Visit) -> None:
    """/cancel: «Отменять нечего» when no dialog is open, as Telegram says, in MAX's words."""
    if not v.state:
        await v.say(max_texts.NOTHING_TO_CANCEL, replies.all_topics())
        return
    await drop_dialog(v)


async def drop_dialog(v: Visit) -> None:
    """The open dialog ends. A staffer's «Ответить» wait hears Telegram's words for /cancel
    (the parent's «напишите вопрос» is no answer to staff), as under the prompt's «Отмена»."""
    answering = v.state.startswith(staff.ANSWERING)
    composing = v.state == broadcast_compose.STATE
    writing = v.state == faq_new.STATE  # staff: a new FAQ entry, nothing of it saved
    await v.clear_state()
    if composing:  # Telegram's words: nothing was sent
        await v.say(broadcast_compose.CANCELLED)
    elif writing:
        await v.say(faq_learn_texts.NEW_DROPPED)
    else:
        await v.say(texts.CANCELLED if answering else max_texts.CANCELLED, menu(v))


async def free_text(ctx: MaxContext, update: JsonDict) -> bool:
    """Any other text in the dialog: a question for the specialist (after /ask), a follow-up
    to the open ticket, or a question for the FAQ."""
    text = updates.text(update)
    if not updates.is_dialog(update) or not text:
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if await transfer.typed_code(v, text):  # «K7MP-2QXA» from the account moved from
            return True
        if v.state in (event_form.STATE, event_edit.STATE):  # staff: an event's fields
            dialog = event_form if v.state == event_form.STATE else event_edit
            await dialog.got_text(v, text)  # «Отмена» there says what was dropped
            return True
        if v.state == broadcast_compose.STATE:  # staff: a broadcast's text, tags, time
            await broadcast_compose.got_text(v, text)
            return True
        if v.state and means_cancel(text):  # «отмена» mid-dialog: /cancel, as in Telegram
            await drop_dialog(v)
            return True
        if v.state == staff_desk.MOVE_STATE:  # staff: the new time of a broadcast
            await staff_desk.got_move(v, text)
            return True
        if v.state == faq_learn.FIND_STATE:  # staff: words of the entry to attach to
            await faq_learn.got_text(v, text)
            return True
        if v.state == faq_new.STATE:  # staff: a step of «✏️ Новая статья»
            await faq_new.got_text(v, text)
            return True
        if v.state == asker.AWAITING_QUESTION:
            await asker.question_received(v, text)
            return True
        if v.state.startswith(profile.PREFIX):  # the teacher's profile dialog
            await profile.got_text(v, text)
            return True
        if not v.state and means_unsubscribe(text):  # not the Navigator's article: the news
            await v.say(*await registry.unsubscribe_offer(v.repo, v.uid))
            return True
        if not v.state and await event_list.asked_events(v, text):  # «15.12», «в декабре»
            return True

        if not v.state and await asker.replied_to_ticket(v, text):  # for the specialist
            return True

        async def follow_up() -> bool:
            return await asker.append_to_ticket(v, text)

        reply = await consult.ask(
            ctx.faq, v.repo, ctx.querylog, ctx.settings, v.uid, text,
            role=v.user.role, follow_up=follow_up,
        )  # fmt: skip
        if reply is not None:
            await consult.deliver(ctx.querylog, reply, v.send)
    return True


async def show(v: Visit, reply: Reply, notice: str | None = None) -> None:
    """A browse press: the pressed message becomes the new page (POST /answers with a body);
    a page too long for one message comes as new messages. `notice`: a short word with it."""
    parts = render_text(reply.text)
    if len(parts) != 1:
        await updates.answer(v.ctx, v.update, notice)
        await v.send(reply)
        return
    body = {"text": parts[0], "format": "html", "attachments": max_buttons(reply.buttons)}
    if not await updates.answer(v.ctx, v.update, notice, new_body=body):
        await v.send(reply)  # the press expired: the page comes as a new message


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix not in ("role", "faq"):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if prefix == "role":
            await choose_role(v, rest)
            return True
        action, _, item = rest.partition(":")
        reply: Reply | None = None
        if action == "cats":
            reply = consult.categories(ctx.faq)
        elif action == "cat":
            reply = consult.category(ctx.faq, item)
        elif action == "e" and item in ctx.faq.kb.entries:
            reply = consult.entry_view(ctx.faq, ctx.settings, item)
        elif action == "s":  # an entry offered for the parent's question, which it keeps
            reply = consult.offered_entry(ctx.faq, ctx.settings, item)
        elif action == "o":  # «« Назад» under it: the offers again (else the topics, below)
            reply = await consult.offers(ctx.faq, v.repo, v.uid, item, role=v.user.role)
        if reply is None:  # a topic gone since: the pressed message becomes the topics
            await show(v, consult.categories(ctx.faq), texts.FAQ_STALE_BUTTON)
        else:
            await show(v, reply)
    return True


async def choose_role(v: Visit, role: str) -> None:
    if role not in {r.value for r in Role}:
        await updates.answer(v.ctx, v.update, max_texts.STALE_BUTTON)
        return
    if role == Role.STAFF and not v.is_admin:
        await updates.answer(v.ctx, v.update, texts.ROLE_STAFF_ONLY)
        return
    was = v.user.role
    await v.repo.users.set_role(v.uid, role)
    await v.repo.commit()
    news = await registry.follow_role(v.repo, v.uid, was, role)
    await v.drop_buttons()  # as Telegram: the old «Кто вы?» cannot change the role later
    saved = fill(max_texts.ROLE_SAVED, role=texts.ROLE_TITLES[role]) + news
    await v.say(saved, menu(v, role))


async def not_text(ctx: MaxContext, update: JsonDict) -> bool:
    """A sticker, a photo without words: say what the bot understands."""
    if not updates.is_dialog(update):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        # after /ask the bot waits for the question: ask for it in words, as Telegram does
        if v.state == faq_new.STATE:
            await v.say(faq_learn_texts.MAX_NEW.reprompt)
        elif v.state == asker.AWAITING_QUESTION:
            await asker.prompt(v, max_texts.ASK_REPROMPT)
        else:  # during an open ticket: it did not join it (staff would never get it)
            ticket = None
            if v.user.has_open_ticket is not False:
                ticket = await v.repo.tickets.open_for_user(v.uid)
            told = fill(unread.NON_TEXT_TICKET, id=ticket.id) if ticket else unread.NON_TEXT
            await v.say(told)
    return True


async def edited(ctx: MaxContext, update: JsonDict) -> bool:
    """An edit of a sent message in the dialog (not the bot's own). A question with no dialog
    and no ticket open is answered as it reads now; otherwise what it changed reached nobody
    (a form's step, the specialist), so the person is asked to send it anew, as in Telegram."""
    if not updates.is_dialog(update) or updates.sender(update).get("is_bot"):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        text = updates.text(update)
        ticket = None
        if v.user.has_open_ticket is not False:
            ticket = await v.repo.tickets.open_for_user(v.uid)
        if v.state or ticket is not None or not text or text.startswith("/"):
            await v.say(unread.EDITED_UNSEEN)
            return True
    # a question corrected after it was sent: answered as it reads now, as in Telegram
    return await free_text(ctx, update)


def register(routes: Routes) -> None:
    """Commands first, then the ticket dialog's presses, the free-text catch-all last."""
    routes.add("bot_started", bot_started)
    routes.add("bot_stopped", bot_stopped)
    routes.add("message_created", commands)
    staff.register(routes)  # an admin's answer after «Ответить» comes before the catch-all
    routes.add("message_created", broadcast_compose.not_text)  # a file for the draft
    routes.add("message_created", asker.picture_received)  # its caption is no plain text
    routes.add("message_created", voice.received)  # a voice message for a specialist
    routes.add("message_created", free_text)
    routes.add("message_created", not_text)
    routes.add("message_callback", callbacks)
    routes.add("message_edited", edited)
    asker.register(routes)
    consent.register(routes)
    transfer.register(routes)
    staff_desk.register(routes)
    staff_tools.register(routes)
    faq_learn.register(routes)
    event_edit.register(routes)  # after handlers.max.events: its staff_events comes first
    broadcast_compose.register(routes)  # `eva:announce` before event_form takes every `eva:`
    event_form.register(routes)
