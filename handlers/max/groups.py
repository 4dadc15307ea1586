"""MAX group chats: the bot added or removed, a group renamed, /bind, /unbind, /tag, /untag
typed there (/start, /help or @bot there: handlers.max.group_pointer; staff commands:
handlers.max.group_staff).

The same registry service as the Telegram routers (`bot.services.chats.registry`), spoken in
internal ids: a MAX group is stored in `chats` under its internal id (negative, like a
Telegram group) with kind "chat". Since June 2026 MAX has no `GET /chats`, so `bot_added` is
the only moment the bot learns a group; it is registered at once and MAX_ADMIN_IDS are told
privately with the audience buttons (additions by others at most once an hour, as in
Telegram). Binding is an admin's decision: a MAX user id in MAX_ADMIN_IDS.
"""

from __future__ import annotations

import logging
from typing import Final

from bot import texts
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, Unreachable, pack, rows
from bot.services.chats import registry
from bot.services.chats.gone import admins_of
from bot.services.chats.notice_gate import STRANGER_NOTICE_EVERY, NoticeGate
from bot.texts import chats as t
from bot.texts import max as max_texts
from handlers.max import broadcast_buttons, updates
from handlers.max.client import MaxError
from handlers.max.context import Handler, JsonDict, MaxContext, Routes
from handlers.max.render import inline_keyboard, render_text
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES, audiences_of

log = logging.getLogger(__name__)
COMMANDS: Final = ("bind", "unbind", "tag", "untag")
# the same payloads as handlers.tg.callbacks.BindCb and handlers.tg.keyboards.chats.BindChatCb
BIND_HERE: Final = "bind"
BIND_CHAT: Final = "bc"


# --------------------------------------------------------------------------- reading updates


def sender_of(update: JsonDict) -> JsonDict:
    """The person behind a message or a press (`{}` when MAX sent none)."""
    callback = update.get("callback") or {}
    message = update.get("message") or {}
    return dict(callback.get("user") or message.get("sender") or update.get("user") or {})


def who(user: JsonDict) -> str:
    name = str(user.get("name") or user.get("first_name") or "").strip()
    username = f" @{user['username']}" if user.get("username") else ""
    return f"{name}{username} (id {user.get('user_id')})"


def group_message(update: JsonDict) -> tuple[int, str] | None:
    """(MAX chat_id, text) of a message typed in a group; None for dialogs and channels."""
    message = update.get("message") or {}
    recipient = message.get("recipient") or {}
    if recipient.get("chat_type") != "chat" or recipient.get("chat_id") is None:
        return None
    return int(recipient["chat_id"]), str((message.get("body") or {}).get("text") or "")


def said_in_group(update: JsonDict) -> tuple[int, str] | None:
    """`group_message` written by a person: a bot in the group (another one, or this bot's
    own announcement coming back) is never answered there, as the dialog never answers one."""
    if updates.sender(update).get("is_bot"):
        return None
    return group_message(update)


def own_name(ctx: MaxContext) -> str | None:
    """The bot's MAX username (read from GET /me at start into its invite link): the one
    place it is read, for the group handlers telling its commands and @name from others'."""
    link = ctx.roster.deep_links.get("max")
    return link.rsplit("/", 1)[-1] if link else None


def command_of(text: str, own: str | None = None) -> tuple[str, list[str]] | None:
    """`/bind@moc_bot parents school5` → ("bind", ["parents", "school5"]); a command to
    another bot (`/bind@other_bot`) is not ours (`own`: the bot's username)."""
    name = updates.command_word(text, own)
    return (name, text.split()[1:]) if name in COMMANDS else None


async def is_admin(ctx: MaxContext, repo: Repositories, user: JsonDict) -> bool:
    """Staff by the roster (owners from MAX_ADMIN_IDS, and invited staff)."""
    user_id = user.get("user_id")
    if not isinstance(user_id, int):
        return False
    return await ctx.roster.is_staff(await repo.channel_ids.internal("max", "user", user_id), repo)


# --------------------------------------------------------------------------- keyboards


def _label(audience: str, bound: list[str]) -> str:
    title = t.AUDIENCE_TITLES[audience]
    return t.BTN_BOUND.format(title=title) if audience in bound else title


def bind_here(bound: list[str]) -> Keyboard:
    """Under a bare /bind in the group itself."""
    buttons = [Button(_label(a, bound), action=pack(BIND_HERE, a)) for a in t.AUDIENCE_TITLES]
    return rows(*buttons, per_row=(2,))


def bind_chat(chat_id: int, bound: list[str]) -> Keyboard:
    """In an admin's private dialog: the chat's internal id travels in the payload."""
    buttons = [
        Button(_label(a, bound), action=pack(BIND_CHAT, chat_id, a)) for a in t.AUDIENCE_TITLES
    ]
    return rows(*buttons, per_row=(2,))


def new_body(text: str, keyboard: Keyboard) -> JsonDict:
    """A message body for `POST /answers`: the pressed message rewritten with new buttons."""
    attachment = inline_keyboard(keyboard)
    return {"text": render_text(text)[0], "format": "html",
            "attachments": [attachment] if attachment else []}  # fmt: skip


# --------------------------------------------------------------------------- the bot added


async def tell_admins(
    ctx: MaxContext, repo: Repositories, text: str, keyboard: Keyboard | None
) -> None:
    admins = await admins_of(repo, ctx.settings, "max")  # as a broadcast finding a group gone
    await repo.commit()
    for person in admins:
        try:
            await ctx.messenger.send(person, text, keyboard)
        except Unreachable as exc:  # an admin who never opened the bot's dialog
            log.warning("MAX admin %s not told about a chat: %s", person, exc.reason)


async def _title(ctx: MaxContext, max_chat_id: int) -> str:
    """`bot_added` carries no title; ask MAX, and live without one if it will not say."""
    try:
        return str((await ctx.client.get_chat(max_chat_id)).get("title") or "")
    except MaxError as exc:
        log.info("title of MAX chat %s unknown: %s", max_chat_id, exc)
        return ""


def make_bot_added(strangers: NoticeGate) -> Handler:
    async def bot_added(ctx: MaxContext, update: JsonDict) -> bool:
        max_chat_id, user = int(update["chat_id"]), dict(update.get("user") or {})
        kind = "channel" if update.get("is_channel") else "chat"
        title = await _title(ctx, max_chat_id)
        async with ctx.sessionmaker() as session:
            repo = Repositories(session)
            chat_id = await repo.channel_ids.internal("max", "chat", max_chat_id)
            adder = None
            if isinstance(user.get("user_id"), int):
                adder = await repo.channel_ids.internal("max", "user", user["user_id"])
            await repo.commit()  # the ids first: a retry inside `joined` rolls back to here
            bound = await registry.joined(repo, chat_id, kind, title, added_by=adder)
            log.info("bot added to MAX chat %s (%s) by %s", max_chat_id, chat_id, adder)
            held = 0
            if not await ctx.roster.is_staff(adder, repo):
                admitted = await strangers.admit(ctx.clock.now())
                if admitted is None:
                    return True  # counted; the next notice (or /chats) shows it
                held = admitted
            kind_into = t.KIND_INTO.get(kind, kind)
            text = fill(t.ADDED_MAX, kind=kind_into, title=title, chat_id=max_chat_id,
                        who=who(user))  # fmt: skip
            inside = t.BIND_BY_BUTTON if kind == "channel" else t.BIND_FROM_INSIDE
            text += registry.added_state(bound, inside)
            if held:
                text += fill(t.ADDED_HELD, count=held)
            await tell_admins(ctx, repo, text, bind_chat(chat_id, bound))
        return True

    return bot_added


async def bot_removed(ctx: MaxContext, update: JsonDict) -> bool:
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        max_chat_id = int(update["chat_id"])
        chat_id = await repo.channel_ids.internal("max", "chat", max_chat_id)
        chat = await registry.left(repo, chat_id)
        if chat is None:
            await repo.commit()  # the mapping made for a chat never registered
            return True
        log.info("bot removed from MAX chat %s (%s)", max_chat_id, chat_id)
        notice = registry.removed_notice(chat, max_chat_id, " MAX")
        if notice is not None:  # it received broadcasts: staff hear they stopped
            await tell_admins(ctx, repo, notice, None)
    return True


async def title_changed(ctx: MaxContext, update: JsonDict) -> bool:
    """A MAX group renamed (`chat_title_changed`): /chats, the panel and the admins' notices
    show its new name, as a renamed Telegram group does. An unknown group stays unknown."""
    title, max_chat_id = update.get("title"), update.get("chat_id")
    if not isinstance(title, str) or not isinstance(max_chat_id, int):
        return True
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        chat_id = await repo.channel_ids.find("max", "chat", max_chat_id)
        if chat_id is not None:
            await registry.renamed(repo, chat_id, title.strip())
    return True


# --------------------------------------------------------------------------- commands


async def group_command(ctx: MaxContext, update: JsonDict) -> bool:
    """/bind, /unbind, /tag, /untag typed in a MAX group (the private dialog's staff commands
    are handlers.max.group_staff's); anything else is not ours."""
    found = said_in_group(update)
    command = command_of(found[1], own_name(ctx)) if found is not None else None
    if found is None or command is None:
        return False
    max_chat_id, (name, words) = found[0], command
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        chat_id = await repo.channel_ids.internal("max", "chat", max_chat_id)
        await repo.commit()
        if not await is_admin(ctx, repo, sender_of(update)):
            if await ctx.refusals.once(f"max:{max_chat_id}", ctx.clock.now()):
                await say(ctx, chat_id, t.BIND_STAFF_ONLY)
            return True
        if name == "bind":
            await _bind(ctx, repo, chat_id, max_chat_id, words)
        elif name == "unbind":
            await _unbind(ctx, repo, chat_id, words)
        else:
            await _tag(ctx, repo, chat_id, max_chat_id, name, words)
    return True


async def say(ctx: MaxContext, chat_id: int, text: str, keyboard: Keyboard | None = None) -> None:
    try:
        await ctx.messenger.send(chat_id, text, keyboard)
    except Unreachable as exc:
        log.warning("no answer in MAX chat %s: %s", chat_id, exc.reason)


async def _known_title(ctx: MaxContext, repo: Repositories, chat_id: int, max_id: int) -> str:
    existing = await repo.chats.get(chat_id)
    return existing.title if existing is not None and existing.title else await _title(ctx, max_id)


async def _bind(
    ctx: MaxContext, repo: Repositories, chat_id: int, max_chat_id: int, words: list[str]
) -> None:
    existing = await repo.chats.get(chat_id)
    bound = audiences_of(existing) if existing else []
    if not words:
        await say(ctx, chat_id, t.BIND_PICK, bind_here(bound))
        return
    audience = words[0].lower()
    if audience not in AUDIENCES:
        await say(ctx, chat_id, fill(t.BIND_USAGE, given=words[0]), bind_here(bound))
        return
    tags, bad = registry.parse_tags(words[1:])
    if bad:
        await say(ctx, chat_id, fill(t.BAD_TAGS, tags=", ".join(bad)))
        return
    title = await _known_title(ctx, repo, chat_id, max_chat_id)
    chat = await registry.bind(repo, chat_id, "chat", title, audience, tags)
    await say(ctx, chat_id, registry.state_text(chat))


async def _unbind(ctx: MaxContext, repo: Repositories, chat_id: int, words: list[str]) -> None:
    audience = words[0].lower() if words else None
    if audience is not None and audience not in AUDIENCES:
        await say(ctx, chat_id, fill(t.BIND_USAGE, given=words[0]))
        return
    chat = await registry.unbind(repo, chat_id, audience)
    await say(ctx, chat_id, registry.state_text(chat) if chat is not None else t.NOT_REGISTERED)


async def _tag(
    ctx: MaxContext, repo: Repositories, chat_id: int, max_chat_id: int, name: str,
    words: list[str],
) -> None:  # fmt: skip
    tags, bad = registry.parse_tags(words)
    if bad or not tags:
        reply = fill(t.BAD_TAGS, tags=", ".join(bad)) if bad else fill(t.TAG_USAGE, command=name)
        await say(ctx, chat_id, reply)
        return
    chat: Chat | None
    if name == "tag":
        title = await _known_title(ctx, repo, chat_id, max_chat_id)
        chat = await registry.tag(repo, chat_id, "chat", title, tags)
    else:
        chat = await registry.untag(repo, chat_id, tags)
    await say(ctx, chat_id, registry.state_text(chat) if chat is not None else t.NOT_REGISTERED)


# --------------------------------------------------------------------------- bind buttons


async def bind_pressed(ctx: MaxContext, update: JsonDict) -> bool:
    """`bind:<audience>` pressed in the group, or `bc:<chat>:<audience>` in an admin's dialog."""
    callback = update.get("callback") or {}
    parts = str(callback.get("payload") or "").split(":")
    if parts[0] not in (BIND_HERE, BIND_CHAT):
        return False
    callback_id = str(callback.get("callback_id") or "")
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        if not await is_admin(ctx, repo, sender_of(update)):
            await _answer(ctx, callback_id, texts.ADMIN_ONLY)
            return True
        chat = await _toggle(ctx, repo, update, parts)
    if isinstance(chat, str):
        await _answer(ctx, callback_id, chat)
        return True
    bound = audiences_of(chat)
    keyboard = bind_here(bound) if parts[0] == BIND_HERE else bind_chat(chat.id, bound)
    toast = registry.bound_toast(chat)
    await _answer(ctx, callback_id, toast, new_body(registry.state_text(chat), keyboard))
    return True


async def _toggle(
    ctx: MaxContext, repo: Repositories, update: JsonDict, parts: list[str]
) -> Chat | str:
    """The chat after the change, or why nothing changed."""
    audience = parts[-1]
    if audience not in AUDIENCES or len(parts) != (2 if parts[0] == BIND_HERE else 3):
        return max_texts.STALE_BUTTON_GROUP
    if parts[0] == BIND_HERE:
        found = group_message(update)
        if found is None:
            return max_texts.STALE_BUTTON_GROUP
        chat_id = await repo.channel_ids.internal("max", "chat", found[0])
        await repo.commit()
        title = await _known_title(ctx, repo, chat_id, found[0])
        return await registry.bind(repo, chat_id, "chat", title, audience, [])
    try:
        chat_id = int(parts[1])
    except ValueError:
        return max_texts.STALE_BUTTON_GROUP
    toggled = await registry.toggle(repo, chat_id, audience)
    if toggled is None or not toggled.is_active:
        return t.CHAT_GONE if toggled is None else t.CHAT_INACTIVE
    return toggled


async def _answer(
    ctx: MaxContext, callback_id: str, notification: str, message: JsonDict | None = None
) -> None:
    try:
        await updates.answer_callback(ctx, callback_id, notification=notification, message=message)
    except MaxError as exc:
        log.info("callback %s not answered: %s", callback_id, exc)


def register(routes: Routes, strangers: NoticeGate | None = None) -> None:
    """Group events, group commands, the bind buttons and the buttons under broadcasts;
    joined by the composition root (`strangers`: the process's gate, shared through Redis)."""
    routes.add("bot_added", make_bot_added(strangers or NoticeGate(STRANGER_NOTICE_EVERY)))
    routes.add("bot_removed", bot_removed)
    routes.add("chat_title_changed", title_changed)
    routes.add("message_created", group_command)
    routes.add("message_callback", bind_pressed)
    broadcast_buttons.register(routes)
