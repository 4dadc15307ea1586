"""/chats in either messenger: the registry for admins — counts per audience, the active chats,
and by name the chats the bot is no longer in, so staff know which groups to add it to again.
Cut into messages only between lines (an HTML tag never spans two)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bot.core.ids import channel_of
from bot.core.markup import clip, fill, pack_lines, q
from bot.services.chats.registry import audience_list
from bot.texts import chats as t
from storage.models import Chat
from storage.repositories import Repositories
from storage.repositories.chats import AUDIENCES, audiences_of, tags_of

REMOVED_SHOWN: Final = 20  # named in /chats; the rest are counted (the panel lists them all)


async def registry_report(repo: Repositories) -> list[str]:
    """The /chats answer, read from the registry, as messages to send in order."""
    chats = await repo.chats.all()
    counts = await repo.chats.counts()
    subscribers = await repo.chats.subscriber_counts()
    external = await repo.channel_ids.externals(c.id for c in chats)
    return render_registry(chats, counts, subscribers, external)


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


def _removed_line(chat: Chat, shown_id: int) -> str:
    audiences = audiences_of(chat)
    return t.CHATS_REMOVED_LINE.format(
        title=q(chat.title or "—"),
        channel=t.CHANNEL_TITLES[channel_of(chat.id)],
        kind=q(t.KIND_TITLES.get(chat.kind, chat.kind)),
        chat_id=shown_id,
        was=fill(t.CHATS_REMOVED_WAS, audiences=audience_list(audiences)) if audiences else "",
    )


def removed_lines(removed: Sequence[Chat], ids: Mapping[int, int]) -> list[str]:
    """The chats the bot was removed from, the latest loss first, at most REMOVED_SHOWN."""
    if not removed:
        return []
    latest = sorted(removed, key=lambda c: (c.updated_at, c.id), reverse=True)
    lines = ["", t.CHATS_REMOVED]
    lines += [_removed_line(c, ids.get(c.id, c.id)) for c in latest[:REMOVED_SHOWN]]
    if len(latest) > REMOVED_SHOWN:
        lines.append(fill(t.CHATS_REMOVED_MORE, count=len(latest) - REMOVED_SHOWN))
    return lines


def render_registry(
    chats: Sequence[Chat],
    counts: Mapping[str, int],
    subscribers: Mapping[str, int],
    external: Mapping[int, int] | None = None,
) -> list[str]:
    """The /chats report as messenger-sized messages; a chat shows the id its own messenger
    uses (`external`: internal -> MAX id), which staff can look up. A group that became a
    supergroup lives on under its new id: it is counted, not listed."""
    ids = external or {}
    lines = [t.CHATS_TITLE]
    for audience in AUDIENCES:
        title = t.AUDIENCE_TITLES[audience]
        chats_n, subs_n = counts.get(audience, 0), subscribers.get(audience, 0)
        lines.append(fill(t.CHATS_COUNTS_LINE, audience=title, chats=chats_n, subscribers=subs_n))
    active = [c for c in chats if c.is_active]
    inactive = [c for c in chats if not c.is_active]
    removed = [c for c in inactive if c.migrated_to is None]
    lines.append("")
    if not chats:
        lines.append(t.CHATS_NONE)
    if active:
        lines.append(fill(t.CHATS_ACTIVE, count=len(active)))
        lines.extend(_registry_line(c, ids.get(c.id, c.id)) for c in active)
    if inactive:
        migrated = len(inactive) - len(removed)
        lines += [
            "",
            fill(t.CHATS_INACTIVE, total=len(inactive), removed=len(removed), migrated=migrated),
        ]
    lines += removed_lines(removed, ids)
    return pack_lines(lines)
