"""The asker's side of a ticket in MAX, and 152-ФЗ: «Спросить специалиста», follow-ups,
screenshots, «Вопрос решён», /my_data and /forget_me — over the same services as
handlers/escalation.py, handlers/faq.py (screenshots), handlers/tg/follow_ups.py and
handlers/privacy.py.

The ticket goes wherever staff are (the Telegram staff chat through the Switchboard); the
staff answer comes back by the ticket's chat id, which is the asker's internal id.
"""

from __future__ import annotations

import logging

from bot import texts
from bot.core.markup import fill
from bot.core.messages import Button, Deferred, Keyboard, Unreachable, rows
from bot.core.words import says_something
from bot.services.chats import registry
from bot.services.events.registration import notify_promoted
from bot.services.faq import consult
from bot.services.faq.attachments import untitled
from bot.services.profile import privacy
from bot.services.tickets import desk
from bot.services.tickets.escalation import answered_question, escalate, logged_question
from bot.services.tickets.posting import POST_BODY_LIMIT, add_follow_up, post, staff_targets
from bot.services.tickets.replied import awaiting_clarification, reopened_by_reply
from bot.services.tickets.thanks import thanked_after_answer
from bot.texts import max as max_texts
from handlers.max import main_menu, pictures, profile, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, visit
from handlers.max.roles import role_buttons
from storage.models import Ticket, TicketStatus

log = logging.getLogger(__name__)
AWAITING_QUESTION = "ask"


def ticket_open(ticket_id: int) -> Keyboard:
    return rows(Button(texts.BTN_WITHDRAW, f"tk:withdraw:{ticket_id}"))


def cancel_ask() -> Keyboard:
    """Under «Напишите ваш вопрос»: the way out a MAX parent can tap (see `ask_cancelled`)."""
    return rows(Button(texts.BTN_CANCEL, "ask:cancel"))


async def prompt(v: Visit, text: str = max_texts.ASK_PROMPT) -> None:
    """Ask for the question (or for it again), «Отмена» under it."""
    await v.say(text, cancel_ask())


def forget_confirm() -> Keyboard:
    return rows(
        Button(texts.BTN_FORGET_YES, "forget:yes"),
        Button(texts.BTN_FORGET_NO, "forget:no"),
        per_row=(2,),
    )


async def command(v: Visit, name: str) -> bool:
    """/ask, /my_data (/privacy), /forget_me, /subscribe, /unsubscribe; False for another."""
    if name == "ask":
        await v.set_state(AWAITING_QUESTION)
        await prompt(v)
    elif name in ("my_data", "privacy"):  # /privacy: the word Telegram bots answer to
        ctx = v.ctx
        draft = await profile.answers(v)  # a name typed in the form, not yet saved
        described, buttons = await privacy.describe(
            v.repo, v.user, ctx.clock, ctx.querylog, ctx.settings,
            messenger="MAX", own_id=v.max_id, draft=draft, files=await pictures.waiting(v),
        )  # fmt: skip
        await v.say(described, buttons)
    elif name == "forget_me":
        await v.say(privacy.forget_confirmation(v.ctx.settings, v.uid), forget_confirm())
    elif name == "subscribe" and v.user.role is None:  # «— /start» is Telegram's way
        await v.say(max_texts.SUBSCRIBE_NEED_ROLE, role_buttons(v.is_admin))
    elif name == "subscribe":  # news by the person's role, as Telegram's /subscribe
        await v.say(await registry.subscribe_by_role(v.repo, v.uid, v.user.role))
    elif name == "unsubscribe":
        await v.say(await registry.unsubscribe_all(v.repo, v.uid))
    else:
        return False
    return True


async def question_received(v: Visit, text: str) -> None:
    if len(text) > POST_BODY_LIMIT:
        await prompt(v, fill(max_texts.ASK_TOO_LONG, length=len(text), limit=POST_BODY_LIMIT))
        return
    if not says_something(text):  # an invisible or emoji-only message: ask again
        await prompt(v, max_texts.ASK_REPROMPT)
        return
    await v.clear_state()
    await told(v, text)


async def told(v: Visit, question: str) -> None:
    """The question to staff (a new ticket or the open one); the asker hears where it went,
    with «Отозвать обращение» under it."""
    ctx = v.ctx
    said = await escalate(
        ctx.messenger, v.repo, ctx.settings, v.user, v.uid, question, ctx.room_notes
    )
    await v.say(said.text, said.buttons)


async def append_to_ticket(
    v: Visit, text: str, picture: list[JsonDict] | None = None, ticket: Ticket | None = None
) -> bool:
    """While a ticket waits for staff, what the asker writes joins it (True if it did);
    a `picture` (the message's MAX attachments) goes to staff too. `ticket`: the one the
    message replied to (`replied_to_ticket`), else the open one."""
    if ticket is None and v.user.has_open_ticket is False:
        return False
    ticket = ticket or await v.repo.tickets.open_for_user(v.uid)
    if ticket is None:
        return False
    if picture is None and await thanked_after_answer(v.repo, ticket, text):
        await v.say(texts.TICKET_THANKS)  # «спасибо» after the answer: no staff ping
        return True
    text = text or untitled(pictures.kind(picture[0]) if picture else "picture")
    await add_follow_up(v.ctx.messenger, v.repo, v.ctx.settings, ticket, v.user, text)
    await v.say(fill(texts.TICKET_APPENDED, id=ticket.id), ticket_open(ticket.id))
    if picture:  # after the asker hears: the upload may take a while
        await pictures.to_staff(v, ticket.id, picture, text)
    return True


async def replied_to_ticket(v: Visit, text: str, picture: list[JsonDict] | None = None) -> bool:
    """A reply to the bot's message about the asker's ticket (the specialist's answer above
    all) joins that ticket, reopened, whatever the FAQ would say to it (True if it did); so
    does the message after «Задать уточняющий вопрос» (`awaiting_clarification`)."""
    quoted = updates.replied_bot_text(v.update)
    ticket = await reopened_by_reply(v.repo, v.uid, quoted, text) if quoted else None
    ticket = ticket or await awaiting_clarification(v.repo, v.user)
    return ticket is not None and await append_to_ticket(v, text, picture, ticket)


async def picture_received(ctx: MaxContext, update: JsonDict) -> bool:
    """A photo or a file, maybe with a caption, as Telegram's handlers/faq.py reads one: the
    caption is matched like a typed question; unanswered, «Отправить специалисту» offers the
    picture with it (`ask_pressed`); after /ask or during an open ticket it goes to staff."""
    found = pictures.attachments(update)
    if not found or not updates.is_dialog(update):
        return False
    async with visit(ctx, update) as v:
        if v is None or v.state not in ("", AWAITING_QUESTION):
            return False  # the profile dialog or a staff answer reads it as before
        caption = updates.text(update)
        if v.state == AWAITING_QUESTION:
            await question_with_picture(v, found, caption)
            return True
        if await replied_to_ticket(v, caption, found):  # a picture for the specialist
            return True
        seq = updates.seq(update)
        await pictures.remember(v, seq, found)

        async def follow_up() -> bool:
            return await append_to_ticket(v, caption, found)

        reply = await consult.ask(
            ctx.faq, v.repo, ctx.querylog, ctx.settings, v.uid, caption,
            role=v.user.role, follow_up=follow_up, picture=seq, attachment=pictures.kind(found[0]),
        )  # fmt: skip
        if reply is not None:
            await consult.deliver(ctx.querylog, reply, v.send)
            if reply.answered:  # answered from the FAQ during a ticket: staff see it anyway
                await append_to_ticket(v, caption, found)
    return True


async def question_with_picture(v: Visit, found: list[JsonDict], caption: str) -> None:
    """After /ask, a picture (with the question as caption, or without) is the question."""
    if len(caption) > POST_BODY_LIMIT:
        await prompt(v, max_texts.ASK_REPROMPT)
        return
    await v.clear_state()
    question = caption or untitled(pictures.kind(found[0]))
    await told(v, question)
    await _picture_to_ticket(v, found, caption)


async def _picture_to_ticket(v: Visit, found: list[JsonDict], caption: str) -> None:
    ticket = await v.repo.tickets.open_for_user(v.uid)
    if found and ticket is not None:
        await pictures.to_staff(v, ticket.id, found, caption)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    if prefix not in ("ask", "tk", "forget"):
        return False
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if prefix == "ask" and rest == "cancel":
            await ask_cancelled(v)
        elif prefix == "ask":
            await ask_pressed(v, updates.number(rest) or 0)
        elif prefix == "tk":
            action, _, raw = rest.partition(":")
            await ticket_action(v, action, updates.number(raw) or 0)
        else:
            await forget_pressed(v, rest)
    return True


async def ask_pressed(v: Visit, query_id: int) -> None:
    ctx, update = v.ctx, v.update
    logged = await logged_question(v.repo, query_id, v.uid, ctx.querylog)
    if logged is None and query_id == 0:  # under a direct answer, maybe
        answer, sent_at = updates.seq(update), updates.sent_at(update)
        logged = await answered_question(v.repo, v.uid, answer, sent_at, ctx.querylog)
    if logged is None:
        await updates.answer(v.ctx, v.update)
        await v.set_state(AWAITING_QUESTION)
        await prompt(v)
        return
    await v.drop_buttons()
    await told(v, logged.text)
    if logged.picture is not None:  # the question came with a screenshot: staff see it
        await _picture_to_ticket(v, await pictures.recall(v, logged.picture), logged.caption)


async def ask_cancelled(v: Visit) -> None:
    """«Отмена» under «Напишите ваш вопрос»: the wait ends, as /cancel ends it; under an old
    prompt (the question sent, the wait cancelled) nothing changes and the press says so."""
    if v.state != AWAITING_QUESTION:
        gone: JsonDict = {"attachments": []}  # the old prompt keeps its words, loses the button
        await updates.answer(v.ctx, v.update, max_texts.ASK_NOT_WAITING, new_body=gone)
        return
    await v.drop_buttons()
    await v.clear_state()
    await v.say(max_texts.CANCELLED, main_menu.menu(v))


async def ticket_action(v: Visit, action: str, ticket_id: int) -> None:
    ticket = await v.repo.tickets.get(ticket_id)
    if ticket is None or ticket.user_id != v.uid or action not in ("withdraw", "solved", "more"):
        await updates.answer(v.ctx, v.update, texts.TICKET_NOT_YOURS)
        return
    if action == "more":
        reopened = await v.repo.tickets.reopen(ticket.id)
        await v.repo.commit()
        prompt = fill(texts.TICKET_FOLLOW_UP, id=ticket.id)
        if not reopened:  # a double tap: a hint on the press, not a second message
            await updates.answer(v.ctx, v.update, prompt, new_body={"attachments": []})
            return
        await v.drop_buttons()
        await v.say(prompt)
        return
    changed = await v.repo.tickets.set_status(ticket.id, TicketStatus.CLOSED)
    await v.repo.commit()
    if not changed:  # a double tap, or staff closed it: said once, not again
        closed = fill(texts.TICKET_ALREADY_CLOSED_USER, id=ticket.id)
        notice = closed if action == "withdraw" else texts.TICKET_THANKS
        await updates.answer(v.ctx, v.update, notice, new_body={"attachments": []})
        return
    await v.drop_buttons()
    await desk.retire_cards(v.ctx.messenger, v.repo, ticket.id, texts.CLOSED_BY_ASKER)
    if action == "solved":
        await v.say(texts.TICKET_THANKS)
        return
    await v.say(fill(texts.TICKET_WITHDRAWN, id=ticket.id))
    note = fill(texts.STAFF_WITHDRAWN, id=ticket.id)
    targets = await staff_targets(v.ctx.settings, v.repo, v.ctx.room_notes)
    await post(v.ctx.messenger, v.repo, targets, ticket.id, note, None)
    await v.repo.commit()


async def forget_pressed(v: Visit, action: str) -> None:
    if action == "ask":
        await updates.answer(v.ctx, v.update)
        await v.say(privacy.forget_confirmation(v.ctx.settings, v.uid), forget_confirm())
        return
    await v.drop_buttons()
    if action != "yes":
        await v.say(texts.FORGET_KEPT)
        return
    ctx = v.ctx
    done = await privacy.forget(v.repo, v.uid, ctx.clock, ctx.querylog, ctx.faq)
    await v.clear_state()
    await pictures.forget(v)
    said = max_texts.FORGOTTEN_ALREADY if done.already else max_texts.FORGOTTEN
    await v.say(said + privacy.forgotten_note(ctx.settings, v.uid))
    if not v.is_admin:  # staff rows and the audit log name staff by this id
        await privacy.drop_channel_id(v.repo, v.uid)
    await privacy.redact(ctx.messenger, done)
    for registration, event in done.promoted:
        try:
            now = ctx.clock.now()
            await notify_promoted(ctx.messenger, registration, event, ctx.settings, now)
        except (Unreachable, Deferred) as exc:
            log.info("promotion notice not delivered: %s", exc)


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
