"""МОЦ staff in MAX: each MAX_ADMIN_IDS admin and each staff member invited in MAX gets the
ticket privately, beside a Telegram staff chat too (`posting.staff_targets`); «Ответить»
and the next message answer it through `deliver_answer` («Отмена» under the prompt ends the
wait, as /cancel), «Закрыть» closes it, «В черновики FAQ» saves a draft — as handlers/staff.py
does in Telegram, where the posts carry the same `tk:…` payloads. A closed ticket's cards lose
their buttons (`desk.retire_cards`); a button kept on an old screen is told it is closed.
«➕ В базу» is handlers.max.faq_learn's."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from bot import texts
from bot.core.markup import clip, fill, q
from bot.core.messages import Deferred, MessageRef, Unreachable
from bot.core.words import means_cancel
from bot.services.tickets import buttons, desk
from bot.services.tickets.posting import deliver_answer, staff_targets
from bot.texts import max as max_texts
from handlers.max import main_menu, pictures, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff, visit
from storage.models import Ticket, TicketStatus

ANSWERING = "answer:"


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, _, rest = updates.payload(update).partition(":")
    action, _, raw = rest.partition(":")
    if prefix != "tk" or action not in ("reply", "close", "draft", "unreply"):
        return False

    async def act(v: Visit) -> None:
        ticket_id = updates.number(raw)
        ticket = await v.repo.tickets.get(ticket_id) if ticket_id else None
        if action == "unreply" and ticket_id:  # the ticket may be gone: the wait still ends
            await stop_waiting(v, ticket_id)
        elif ticket is None:
            await updates.answer(ctx, update, texts.STAFF_TICKET_GONE)
        elif ticket.status == TicketStatus.CLOSED and action in ("reply", "close"):
            await stale(v, ticket, action)
        elif action == "reply":
            now = ctx.clock.now()
            again = desk.reply_pressed_again(_waiting_for(v.state, now), ticket.id)
            await updates.answer(ctx, update, again)
            if again is not None:  # one person's updates come in turn: it saw the first tap
                return
            await v.set_state(f"{ANSWERING}{ticket.id}:{int(now.timestamp())}")  # desk.wait_over
            prompt = fill(max_texts.STAFF_ANSWER_PROMPT, id=ticket.id)
            await v.say(prompt, buttons.answer_prompt(ticket.id))
        elif action == "close":
            await close(v, ticket.id, ticket.chat_id)
        else:
            await draft(v, ticket.id)

    return await as_staff(ctx, update, act)


def _waiting_for(state: str, now: datetime) -> int | None:
    """The ticket this admin's next message answers, while «Ответить» is open (and not yet
    past ANSWER_WINDOW)."""
    raw = state.removeprefix(ANSWERING)
    ticket, _, asked_at = raw.partition(":")
    if raw == state or not ticket.isdigit():
        return None
    if asked_at.isdigit() and desk.wait_over(int(asked_at), now):
        return None
    return int(ticket)


async def stop_waiting(v: Visit, ticket_id: int) -> None:
    """«Отмена» under the prompt: the wait for this ticket's answer ends, as with /cancel
    (Telegram's words and the staffer's menu); pressed after it ended, or under an older
    prompt while another ticket's answer is awaited, it says so and cancels nothing."""
    waiting = _waiting_for(v.state, v.ctx.clock.now()) == ticket_id
    notice = None if waiting else fill(max_texts.STAFF_ANSWER_NOT_WAITING, id=ticket_id)
    await updates.answer(v.ctx, v.update, notice, new_body={"attachments": []})
    if waiting:
        await v.clear_state()
        await v.say(texts.CANCELLED, main_menu.menu(v))  # «Чем ещё помочь?» with its menu


async def stale(v: Visit, ticket: Ticket, action: str) -> None:
    """«Ответить» or «Закрыть» on a card of a ticket closed since (the card was not rewritten:
    older than this, or MAX refused the edit): nothing is done, and the card is retired as
    Telegram's is (desk.retire_stale) — «Ответить» and «Закрыть» go, it says closed, and
    «В черновики FAQ» and «➕ В базу» stay: a closed ticket is what FAQ entries are made from.
    A message that is no card or note of it just loses its buttons, as in Telegram."""
    notice = desk.stale_notice(ticket.id, action)
    await updates.answer(v.ctx, v.update, notice, new_body={"attachments": []})
    where = MessageRef(v.uid, updates.seq(v.update), updates.mid(v.update))
    await desk.retire_stale(v.ctx.messenger, v.repo, ticket, where)


async def draft(v: Visit, ticket_id: int) -> None:
    """«В черновики FAQ», as under a post in Telegram's staff chat."""
    saved = await desk.save_draft(v.repo, ticket_id, v.uid)
    if saved is None:
        await updates.answer(v.ctx, v.update, texts.STAFF_DRAFT_NO_ANSWER)
        return
    await updates.answer(v.ctx, v.update)
    await v.say(fill(texts.STAFF_DRAFT_SAVED, draft=saved, id=ticket_id))


async def close(v: Visit, ticket_id: int, asker_chat: int) -> None:
    changed = await v.repo.tickets.set_status(ticket_id, TicketStatus.CLOSED)
    await v.repo.commit()
    if not changed:
        await updates.answer(v.ctx, v.update, fill(texts.STAFF_ALREADY_CLOSED, id=ticket_id))
        return
    await updates.answer(v.ctx, v.update, new_body={"attachments": []})  # as drop_keyboard
    closed = fill(texts.STAFF_TICKET_CLOSED, id=ticket_id, staff=v.user.full_name)
    await v.say(closed)
    await desk.retire_cards(v.ctx.messenger, v.repo, ticket_id, v.user.full_name)
    await desk.tell_colleagues(
        v.ctx.messenger, await staff_targets(v.ctx.settings, v.repo), v.uid, closed
    )
    with suppress(Unreachable, Deferred):  # the asker left; the ticket is closed either way
        await v.ctx.messenger.send(asker_chat, fill(texts.TICKET_CLOSED_USER, id=ticket_id))


async def answer_typed(ctx: MaxContext, update: JsonDict) -> bool:
    """The admin's next message after «Ответить» is the answer, within desk.ANSWER_WINDOW as
    in Telegram (the state outlives restarts: without it a question typed the next day went
    to the parent); «отмена» is not (it ends the wait in handlers.max.private, as /cancel)."""
    text = updates.text(update)
    if not updates.is_dialog(update) or text.startswith("/") or means_cancel(text):
        return False
    async with visit(ctx, update) as v:
        state = v.state if v is not None else ""
        if v is None or not state.startswith(ANSWERING):
            return False
        ticket_id, _, asked_at = state.removeprefix(ANSWERING).partition(":")
        if asked_at.isdigit() and desk.wait_over(int(asked_at), ctx.clock.now()):
            await v.clear_state()  # «Ответить» long forgotten: this message is a question
            return False
        if not v.is_admin:  # removed from staff since «Ответить»: the answer goes nowhere
            await v.clear_state()
            await v.say(texts.STAFF_ANSWER_NOT_STAFF)
            return True
        found = pictures.attachments(update)
        if pictures.unsendable(update) or not (text or found):  # a voice, a sticker: the
            await v.say(texts.STAFF_ANSWER_NEEDS_TEXT)  # wait goes on, as in Telegram
            return True
        await v.clear_state()
        ticket = await v.repo.tickets.get(int(ticket_id))
        if ticket is None:
            await v.say(texts.STAFF_TICKET_GONE)
            return True
        if ticket.status == TicketStatus.CLOSED:  # a colleague or the asker closed it meanwhile
            await v.say(fill(texts.STAFF_CLOSED_NO_REPLY, id=ticket.id))
            return True
        staff = (v.uid, v.user.full_name)
        html_text = q(text) if text else _only_attached(found)
        text = text or html_text
        delivered = await deliver_answer(ctx.messenger, v.repo, ticket, staff, html_text, text)
        template = texts.STAFF_DELIVERED if delivered else texts.STAFF_NOT_DELIVERED
        await v.say(fill(template, id=ticket.id, staff=staff[1]))
        for one in found if delivered else []:  # every picture and file, after the text
            await _picture_to_asker(v, one, ticket.id, ticket.chat_id)
        note = fill(texts.STAFF_ANSWERED_NOTE, id=ticket.id, staff=staff[1],
                    text=clip(text, desk.NOTE_LIMIT))  # fmt: skip
        await desk.tell_colleagues(
            ctx.messenger,
            await staff_targets(ctx.settings, v.repo),
            v.uid,
            note,
            about=(v.repo, ticket.id),
        )
    return True


def _only_attached(found: list[JsonDict]) -> str:
    """The answer's text when the admin sent only pictures or files: they follow it."""
    if pictures.kind(found[0]) == "picture":
        return texts.STAFF_ANSWER_ONLY_PICTURE
    return texts.STAFF_ANSWER_ONLY_FILE


async def _picture_to_asker(v: Visit, found: JsonDict, ticket_id: int, asker_chat: int) -> None:
    """The screenshot an admin answered with follows the answer's text (to a MAX or Telegram
    asker alike, as a file); when it cannot go, the admin hears so."""
    file = await pictures.fetch(v, found)
    caption = fill(texts.TICKET_ANSWER_PICTURE, id=ticket_id)
    try:
        if file is None:
            raise Unreachable("the picture could not be fetched from MAX")
        await v.ctx.messenger.send_file(asker_chat, file, caption)
    except (Unreachable, Deferred):
        await v.say(fill(texts.STAFF_PICTURE_NOT_SENT, id=ticket_id))


def register(routes: Routes) -> None:
    routes.add("message_created", answer_typed)
    routes.add("message_callback", callbacks)
