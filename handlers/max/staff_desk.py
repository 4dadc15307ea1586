"""МОЦ staff's desk commands in a private MAX dialog: /tickets, /faq_stats, /faq_drafts (paged by
`fqd:<page>`), /reload_faq, /report, /staff, /chats and /broadcasts (with «Отменить» and
«Перенести» under a scheduled one, «Кто ознакомился» under one with «Ознакомлен», «✏️ Новая
рассылка» for handlers.max.broadcast_compose) — what Telegram's handlers/admin.py,
handlers/events_admin/report.py, handlers/staff_invites.py, handlers/chats/registry.py and
handlers/broadcasts_admin/manage.py answer, from the same services. Anyone else gets
Telegram's refusal (ADMIN_ONLY).

/tickets sends each open ticket as the card MAX admins get for a new one, with its buttons
(served by handlers.max.staff); «➕ N» under /faq_stats attaches a question to an entry
(handlers.max.faq_learn). A broadcast with a file is the panel's, and the list says so. A
«Кто ознакомился» list is remembered by its `mid`, so /forget_me of someone it names rewrites
it (bot.services.staff.ack_lists).
"""

from __future__ import annotations

from bot import texts
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.chats.listing import registry_report
from bot.services.faq import drafts
from bot.services.faq.stats import faq_stats
from bot.services.reports.period import period_report
from bot.services.staff import ack_lists
from bot.services.staff import broadcasts as staff_broadcasts
from bot.services.tickets import buttons
from bot.services.tickets.posting import ticket_card
from bot.texts import broadcasts as bt
from bot.texts import faq_learn as faq_learn_texts
from bot.texts import max as max_texts
from broadcasts import service
from handlers.max import broadcast_compose, faq_learn, staff_tools, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff
from storage.models import BroadcastState, TicketStatus

COMMANDS = frozenset(
    {
        "tickets",
        "faq_stats",
        "faq_drafts",
        "reload_faq",
        "report",
        "staff",
        "chats",
        "broadcasts",
    }
)
OPEN_LIMIT = 20  # as Telegram's list
MENU_PREFIX = "sdk"  # «📨 Обращения», «📣 Рассылка» under a staff member's menu
CARDS = 10  # a card is a message each: the oldest ten, the rest in the panel
MOVE_STATE = "bcmove"  # «На когда перенести рассылку №N?» asked; held: N


async def command(v: Visit, name: str, arg: str) -> bool:
    """The desk commands; False for any other command."""
    if name not in COMMANDS:
        return False
    if not v.is_admin:
        await v.say(texts.ADMIN_ONLY)
    elif name == "tickets":
        await open_tickets(v)
    elif name == "faq_stats":
        stats = await faq_stats(v.repo, v.ctx.faq, v.ctx.querylog)
        hint = faq_learn_texts.STATS_HINT if stats.missed else ""
        await v.say(stats.text + hint, faq_learn.stats_buttons(stats.missed))
    elif name == "faq_drafts":
        await v.say(*await drafts.drafts_page(v.repo, 0))
    elif name == "reload_faq":
        await v.say(await drafts.reload(v.ctx.faq, v.repo))
    elif name == "report":
        await report(v, arg)
    elif name == "staff":
        await staff_tools.staff_list(v)
    elif name == "chats":
        for part in await registry_report(v.repo):
            await v.say(part)
    else:
        await broadcasts_list(v)
    return True


def menu_buttons(is_admin: bool) -> Keyboard:
    """Telegram's staff keyboard buttons «📨 Обращения» and «📣 Рассылка» as inline ones under
    MAX's menu: without them a MAX-only staff member's menu is a parent's."""
    if not is_admin:
        return ()
    return (
        (
            Button(texts.BTN_TICKETS, pack(MENU_PREFIX, "tickets")),
            Button(texts.BTN_BROADCAST, pack(MENU_PREFIX, "compose")),
        ),
    )


async def menu_pressed(ctx: MaxContext, update: JsonDict) -> bool:
    """A press on `menu_buttons`: /tickets, and «📣 Рассылка» opens a new broadcast as
    Telegram's button does (the list stays under /broadcasts); staff checked again. A menu
    sent before carries `broadcasts` under the same label: it opens the draft too."""
    prefix, _, action = updates.payload(update).partition(":")
    if prefix != MENU_PREFIX:
        return False

    async def act(v: Visit) -> None:
        if action == "tickets":
            await open_tickets(v)
        elif action in ("compose", "broadcasts"):
            await updates.answer(ctx, update)
            await broadcast_compose.begin(v)
        else:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)

    return await as_staff(ctx, update, act)


async def open_tickets(v: Visit) -> None:
    tickets = await v.repo.tickets.list_open(limit=OPEN_LIMIT)
    if not tickets:
        await v.say(texts.STAFF_NO_OPEN)
        return
    waiting = (await v.repo.tickets.count_by_status()).get(TicketStatus.OPEN, len(tickets))
    await v.say(fill(texts.STAFF_OPEN_LIST, count=waiting))  # all of them, not the first 20
    for ticket in tickets[:CARDS]:
        own = await v.repo.channel_ids.external(ticket.user_id)  # the asker's id in MAX / TG
        card = ticket_card(ticket, ticket.user, own, staff_in_max=True)
        sent = await v.say(card, buttons.staff_ticket(ticket.id))
        # remembered as the ticket's card: a close rewrites it, /forget_me redacts it
        await v.repo.tickets.add_post(
            ticket.id, sent.chat_id, sent.message_id, sent.ref, card=True
        )
    await v.repo.commit()
    if len(tickets) > CARDS:
        await v.say(fill(max_texts.TICKETS_MORE, shown=CARDS))


async def report(v: Visit, arg: str) -> None:
    made = await period_report(v.repo, v.ctx.settings, arg, v.ctx.clock.now())
    if isinstance(made, str):  # how to name a period, or why this one gets no report
        await v.say(made)
        return
    await v.send_file(made.file, made.caption)


async def broadcasts_list(v: Visit) -> None:
    listing = await staff_broadcasts.recent_listing(v.repo, v.ctx.settings)
    new = (Button(max_texts.BTN_NEW_BROADCAST, pack("bcc", "new", "")),)  # broadcast_compose
    if not listing.text:
        await v.say(max_texts.BROADCASTS_EMPTY, (new,))
        return
    scheduled = [
        (
            Button(bt.BTN_CANCEL_ONE.format(id=b), pack("bca", "cancel", b)),
            Button(bt.BTN_MOVE_ONE.format(id=b), pack("bca", "move", b)),
        )
        for b in listing.scheduled
    ]  # a row each, as Telegram's: cancel and move side by side
    acks = [Button(bt.BTN_ACKS_ONE.format(id=b), pack("bca", "acks", b)) for b in listing.with_ack]
    buttons = (*scheduled, *rows(*acks), new)
    await v.say(listing.text + max_texts.BROADCASTS_IN_PANEL, buttons)


async def drafts_pages(ctx: MaxContext, update: JsonDict) -> bool:
    """«« Назад» / «Дальше »» under /faq_drafts: the pressed message becomes that page."""
    prefix, _, raw = updates.payload(update).partition(":")
    if prefix != "fqd":
        return False

    async def act(v: Visit) -> None:
        page = updates.number(raw)
        if page is None:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)
            return
        await v.replace(*await drafts.drafts_page(v.repo, page))

    return await as_staff(ctx, update, act)


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    """«❌ №N Отменить», «🕒 №N Перенести» and «👀 №N Кто ознакомился» under /broadcasts
    (`bca:cancel:N`, `bca:move:N`, `bca:acks:N`: Telegram's payloads); «Досылать» / «Не
    досылать» under the question about a broadcast paused too long (`bca:resume:N`,
    `bca:drop:N`, broadcasts.report)."""
    prefix, _, rest = updates.payload(update).partition(":")
    action, _, raw = rest.partition(":")
    if prefix != "bca" or action not in ("cancel", "move", "acks", "resume", "drop"):
        return False

    async def act(v: Visit) -> None:
        bid = updates.number(raw)
        if bid is None:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)
        elif action == "acks":
            await show_acks(v, bid)
        elif action == "move":
            await ask_move(v, bid)
        elif action == "cancel":
            await cancel(v, bid)
        else:
            await decide(v, bid, action == "resume")

    return await as_staff(ctx, update, act)


async def cancel(v: Visit, bid: int) -> None:
    outcome = await staff_broadcasts.cancel(v.repo, v.ctx.messenger, bid, v.user.full_name)
    await updates.answer(v.ctx, v.update, None if outcome.done else outcome.text)
    if outcome.done:
        await v.say(outcome.text)


async def decide(v: Visit, bid: int, resume: bool) -> None:
    """«Досылать» / «Не досылать» under the question about a broadcast paused too long."""
    ctx = v.ctx
    who, now = v.user.full_name, ctx.clock.now()
    outcome = await staff_broadcasts.decide(v.repo, bid, resume, who, now, ctx.settings.tz)
    if not outcome.done:
        await updates.answer(v.ctx, v.update, outcome.text)
        return
    await v.replace(outcome.text)
    if v.ctx.wake is not None:
        v.ctx.wake()  # the rest go now, or the cancel's report does


async def ask_move(v: Visit, bid: int) -> None:
    """«🕒 №N Перенести»: the time is asked for in the dialog, as Telegram asks it."""
    item = await service.status(v.repo.session, bid)
    if item is None or item.state != BroadcastState.SCHEDULED:
        await updates.answer(v.ctx, v.update, staff_broadcasts.refusal(bt.CANNOT_MOVE, item, bid))
        return
    await updates.answer(v.ctx, v.update)
    await v.hold(MOVE_STATE, str(bid))
    await v.say(fill(bt.ASK_MOVE, id=bid))


async def got_move(v: Visit, text: str) -> None:
    """The typed time for the broadcast being moved (staff checked again: a colleague may
    have been removed since the question); an unreadable one asks again."""
    bid = updates.number(await v.held()) or 0
    if not v.is_admin:
        await v.clear_state()
        await v.say(texts.ADMIN_ONLY)
        return
    now, tz = v.ctx.clock.now(), v.ctx.settings.tz
    moving = await staff_broadcasts.move_typed(v.repo, v.ctx.messenger, bid, text, now, tz)
    if moving.finished:
        await v.clear_state()
    await v.say(moving.text)


async def show_acks(v: Visit, bid: int) -> None:
    refused = await ack_lists.refusal(v.repo, bid)
    await updates.answer(v.ctx, v.update, refused)
    if refused is None:
        await ack_lists.send(v.ctx.messenger, v.repo, v.uid, bid)  # remembered: /forget_me
        await v.repo.commit()


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
    routes.add("message_callback", drafts_pages)
    routes.add("message_callback", menu_pressed)
