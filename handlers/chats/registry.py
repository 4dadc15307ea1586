"""/chats: the registry for admins, with chat and subscriber counts per audience, cut into
Telegram-sized messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.core.ids import channel_of
from bot.core.markup import MESSAGE_LIMIT, clip, fill, q
from bot.services.chats.registry import audience_list
from bot.texts import chats as t
from handlers.chats.shared import not_admin
from handlers.tg.filters import IsAdmin
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES, audiences_of, tags_of


def _registry_line(chat: Chat, shown_id: int) -> str:
    audiences = audiences_of(chat)
    shown = q(audience_list(audiences)) if audiences else t.CHATS_NO_AUDIENCE
    tags = clip(" ".join(f"#{tag}" for tag in tags_of(chat)), 300)
    return t.CHATS_LINE.format(
        title=q(chat.title or "—"),
        channel=t.CHANNEL_TITLES[channel_of(chat.id)],
        kind=q(t.KIND_TITLES.get(chat.kind, chat.kind)),
        chat_id=shown_id,
        audiences=shown,
        tags=f" · {q(tags)}" if tags else "",
    )


def render_registry(
    chats: Sequence[Chat],
    counts: Mapping[str, int],
    subscribers: Mapping[str, int],
    external: Mapping[int, int] | None = None,
) -> list[str]:
    """The /chats report as Telegram-sized messages, cut only between lines; a chat shows the
    id its own messenger uses (`external`: internal -> MAX id), which staff can look up."""
    ids = external or {}
    lines = [t.CHATS_TITLE]
    for audience in AUDIENCES:
        title = t.AUDIENCE_TITLES[audience]
        chats_n, subs_n = counts.get(audience, 0), subscribers.get(audience, 0)
        lines.append(fill(t.CHATS_COUNTS_LINE, audience=title, chats=chats_n, subscribers=subs_n))
    active = [c for c in chats if c.is_active]
    inactive = [c for c in chats if not c.is_active]
    lines.append("")
    if not chats:
        lines.append(t.CHATS_NONE)
    if active:
        lines.append(fill(t.CHATS_ACTIVE, count=len(active)))
        lines.extend(_registry_line(c, ids.get(c.id, c.id)) for c in active)
    if inactive:
        migrated = sum(1 for c in inactive if c.migrated_to is not None)
        removed = len(inactive) - migrated
        lines += [
            "",
            fill(t.CHATS_INACTIVE, total=len(inactive), removed=removed, migrated=migrated),
        ]
    return pack_lines(lines)


def pack_lines(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters; HTML tags never span lines."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return parts


async def chats_command(message: Message, repo: Repositories) -> None:
    chats = await repo.chats.all()
    counts = await repo.chats.counts()
    subscribers = await repo.chats.subscriber_counts()
    external = await repo.channel_ids.externals(c.id for c in chats)
    for part in render_registry(chats, counts, subscribers, external):
        await message.answer(part)


def create_router() -> Router:
    """Mounted in handlers.chats."""
    router = Router(name=__name__)
    private = F.chat.type == "private"
    router.message.register(not_admin, private, Command("chats"), ~IsAdmin())
    router.message.register(chats_command, private, Command("chats"))
    return router
