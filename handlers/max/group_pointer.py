"""/start, /help, a command of MAX's «/» list or the bot's @name (typed, or picked from MAX's
mention list: a `user_mention` markup) in a MAX group: one pointer
to the private dialog, as in a Telegram group (questions are answered there, unseen by the
group), at most once per few minutes per group unless the bot was asked something by name
(`bot.services.chats.pointers`); /contacts gets the contacts there, as in a Telegram group;
a command put to the bot that it does not have («/foo@bot») is «Такой команды нет» once per
few minutes; other talk in the group is not the bot's and gets no answer.
Joined by the composition root after handlers.max.groups."""

from __future__ import annotations

from bot import texts
from bot.core.markup import fill_region
from bot.core.messages import Button, rows
from bot.services.chats import registry
from bot.services.chats.pointers import PointerGate, asks_more
from bot.texts import chats as t
from bot.texts import max as max_texts
from handlers.max import groups, updates
from handlers.max.context import Handler, JsonDict, MaxContext
from storage.repositories import Repositories


def news_command(text: str, own: str | None = None) -> bool:
    """/subscribe or /unsubscribe (`registry.NEWS_COMMANDS`): answered with what a group's
    news are, every time, as in a Telegram group."""
    return updates.command_word(text, own) in registry.NEWS_COMMANDS


def contacts_command(text: str, own: str | None = None) -> bool:
    """/contacts (Telegram's GROUP_COMMANDS): the МОЦ's contacts are no private matter."""
    return updates.command_word(text, own) == "contacts"


def unknown_command(text: str, own: str | None = None) -> bool:
    """A command put to the bot that it does not have (bind, tag and the staff commands were
    taken by earlier handlers); «/start», «/help» and MAX's «/» list get the pointer."""
    command = updates.command_word(text, own)
    known = (*registry.ADDRESSING_COMMANDS, *registry.NEWS_COMMANDS, "contacts")
    return command is not None and command not in known and command not in max_texts.COMMANDS


def contacts_text(ctx: MaxContext) -> str:
    return fill_region(texts.CONTACTS, **ctx.settings.placeholders())


async def _chat(ctx: MaxContext, max_chat: int) -> int:
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        chat_id = await repo.channel_ids.internal("max", "chat", max_chat)
        await repo.commit()
    return chat_id


def addresses_bot(text: str, name: str | None) -> bool:
    """`/start`, `/help`, `/cancel` (`registry.ADDRESSING_COMMANDS`), a command MAX offers
    in its «/» list (shown in groups too: `max_texts.COMMANDS`) or the bot's @name
    (`groups.own_name`) anywhere in the text."""
    name = (name or "").lower()
    command = updates.command_word(text, name or None) or ""
    if command in registry.ADDRESSING_COMMANDS or command in max_texts.COMMANDS:
        return True
    if command and name and text.split()[0].lower().endswith(f"@{name}"):
        return True  # «/foo@bot»: an unknown command, but put to the bot
    words = text.lower().split()
    return bool(name) and f"@{name}" in (w.strip(",.!?:;") for w in words)


def without_mention(update: JsonDict, name: str) -> str | None:
    """The text with the bot's mention cut out, when the person picked the bot from MAX's
    mention list: the text then shows the bot's display name, and the `user_mention` markup
    (its `from`, `length`) carries its `@username` as `user_link`. None: no such mention."""
    body = updates.message(update).get("body") or {}
    text, own = str(body.get("text") or ""), f"@{name}".lower()
    for mark in body.get("markup") or []:
        if not isinstance(mark, dict) or mark.get("type") != "user_mention":
            continue
        start, length = mark.get("from"), mark.get("length")
        if str(mark.get("user_link") or "").lower() == own and isinstance(start, int):
            return text[:start] + text[start + (length if isinstance(length, int) else 0) :]
    return None


def make_addressed(pointers: PointerGate) -> Handler:
    async def addressed(ctx: MaxContext, update: JsonDict) -> bool:
        """/start, /help or @bot in a MAX group: the pointer to the private dialog, as in a
        Telegram group (questions are answered there, unseen by the group), once per few
        minutes unless the bot was asked something by name; other talk in the group is not
        the bot's and gets no answer."""
        found = groups.said_in_group(update)
        link, name = ctx.roster.deep_links.get("max"), groups.own_name(ctx) or ""
        rest = without_mention(update, name) if found is not None and name else None
        if found is None or (rest is None and not addresses_bot(found[1], name)):
            return False
        text = (found[1] if rest is None else rest).lstrip()
        if contacts_command(text, name):  # for every member, as Telegram's group /contacts
            if await pointers.once(f"max:{found[0]}", ctx.clock.now(), "contacts"):
                await groups.say(ctx, await _chat(ctx, found[0]), contacts_text(ctx))
            return True
        if unknown_command(text, name):  # «/foo@bot»: said once per few minutes in a group
            if await pointers.once(f"max:{found[0]}", ctx.clock.now(), "unknown-command"):
                await groups.say(ctx, await _chat(ctx, found[0]), texts.UNKNOWN_COMMAND)
            return True
        news = news_command(text, name)
        question = news or (not text.startswith("/") and asks_more(text, name))
        if not await pointers.admit(f"max:{found[0]}", ctx.clock.now(), question=question):
            return True  # the group was pointed there a moment ago, right above
        chat_id = await _chat(ctx, found[0])
        button = rows(Button(t.BTN_OPEN_PRIVATE, url=link)) if link else None
        await groups.say(ctx, chat_id, t.IN_GROUP_NEWS if news else t.IN_GROUP, button)
        return True

    return addressed
