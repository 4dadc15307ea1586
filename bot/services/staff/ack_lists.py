"""«Кто ознакомился»: the list staff get in Telegram or MAX and see in the panel, and its
rewriting after /forget_me.

The list names people (who pressed «Ознакомлен», who got the broadcast privately and has not
yet), so every list message the bot sends is remembered (`ack_list_posts`); when one of them
deletes their data the messages are edited into the list as it now stands — without them, the
counts matching the panel — with a line saying why it changed, as a redacted ticket post does.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from bot.core.ids import channel_of
from bot.core.markup import fill, q, split_message
from bot.core.messages import Deferred, MessageRef, Messenger, Unreachable
from bot.texts import broadcasts as t
from bot.texts import chats as tc
from broadcasts import service
from broadcasts.content import Content
from storage.repositories import Repositories
from storage.repositories.users import named

log = logging.getLogger(__name__)
PART_LIMIT = 3500  # one message in Telegram (4096) and in MAX (4000): each part stays editable
SHOWN = 40  # names per chat in a message; the panel shows more
PRIVATE = 0  # the one section of every private chat (a chat id is never 0)


@dataclass(frozen=True)
class AckList:
    by_chat: dict[str, list[str]]  # a chat's label (its title, told apart) → names, as pressed
    pending: list[str]  # private recipients who have not pressed, sorted


@dataclass(frozen=True)
class Rewrite:
    """One list message after /forget_me: its new text, or None when the shorter list no
    longer needs it (then it is deleted)."""

    broadcast_id: int
    where: MessageRef
    text: str | None


async def gather(repo: Repositories, bid: int) -> AckList:
    """Who acknowledged broadcast `bid`, chat by chat, and who has not in private. Grouped by
    chat id, not title: «Родители 1А» of two schools, or of Telegram and MAX, are two chats."""
    report = await service.ack_report(repo.session, bid)
    chats = await repo.chats.titles(report.by_chat)
    grouped: dict[int, list[str]] = {}
    for chat_id, names in report.by_chat.items():
        key = chat_id if chat_id in chats or chat_id < 0 else PRIVATE
        grouped.setdefault(key, []).extend(names)
    labels = _labels(list(grouped), chats)
    pending = await repo.users.many(report.pending_private)
    by_chat = {labels[chat_id]: names for chat_id, names in grouped.items()}
    # a name is kept only while someone needs it (UserRepo.drop_unneeded_name): a recipient
    # without one has left the news since, and their id means nothing to staff
    shown = (u.full_name if named(u) else t.ACKS_UNSUBSCRIBED for u in pending)
    return AckList(by_chat, sorted(shown))


def _labels(ids: list[int], chats: dict[int, tuple[str, str]]) -> dict[int, str]:
    """Each section's heading: the chat's title; a title two chats share gets the messenger
    and the kind of chat, and a number if that is still not enough."""
    titles = {
        i: t.PRIVATE_CHATS if i == PRIVATE else chats.get(i, ("", ""))[0] or str(i) for i in ids
    }
    shared = Counter(titles.values())
    labels: dict[int, str] = {}
    for i, title in titles.items():
        if shared[title] > 1 and i != PRIVATE:
            kind = chats.get(i, ("", "group"))[1]
            where = f"{tc.CHANNEL_TITLES[channel_of(i)]}, {tc.KIND_TITLES.get(kind, kind)}"
            title = t.ACKS_SAME_TITLE.format(title=title, where=where)  # plain: escaped later
        labels[i] = title
    still = Counter(labels.values())
    seen: Counter[str] = Counter()
    for i, label in labels.items():
        if still[label] > 1:
            seen[label] += 1
            labels[i] = f"{label} {seen[label]}"
    return labels


def _names(names: list[str]) -> str:
    shown = [f"• {q(name)}" for name in names[:SHOWN]]
    if len(names) > SHOWN:
        shown.append(fill(t.ACKS_MORE, count=len(names) - SHOWN))
    return "\n".join(shown)


def render(bid: int, acks: AckList, *, refreshed: bool = False) -> list[str]:
    """The list as messages; every line closes its own tags, and the split is at line ends."""
    lines = [fill(t.ACKS_TITLE, id=bid)]
    for title, names in acks.by_chat.items():
        lines.append(t.ACKS_CHAT.format(title=q(title), count=len(names), names=_names(names)))
    if not acks.by_chat:
        lines.append(t.ACKS_NONE)
    if acks.pending:
        pending = acks.pending
        lines.append(t.ACKS_PENDING.format(count=len(pending), names=_names(pending)))
    if refreshed:
        lines.append(t.ACKS_REFRESHED)
    return split_message("\n".join(lines), PART_LIMIT)


async def refusal(repo: Repositories, bid: int) -> str | None:
    """Why there is no list to show (no such broadcast, or it had no «Ознакомлен»)."""
    broadcast = await repo.broadcasts.get(bid)
    if broadcast is None:
        return fill(t.NOT_FOUND, id=bid)
    if not Content.from_json(broadcast.content).ack:
        return fill(t.NO_ACK_BUTTON, id=bid)
    return None


async def send(messenger: Messenger, repo: Repositories, chat_id: int, bid: int) -> None:
    """Send the list to `chat_id` and remember each message (the caller commits)."""
    head: int | None = None
    for part, text in enumerate(render(bid, await gather(repo, bid))):
        try:
            sent = await messenger.send(chat_id, text)
        except (Unreachable, Deferred) as exc:
            log.warning("broadcast %s: ack list not sent to %s: %s", bid, chat_id, exc)
            return
        head = sent.message_id if head is None else head
        await repo.ack_lists.add(bid, sent.chat_id, head, part, sent.message_id, sent.ref)


def fit(parts: list[str], count: int) -> list[str | None]:
    """`parts` laid over `count` existing messages: a shorter list leaves None for the ones
    it no longer needs; a longer one (people acknowledged since) ends in the last message
    with a pointer to the whole list, as no new message is sent."""
    if len(parts) <= count:
        return [*parts, *([None] * (count - len(parts)))]
    return [*parts[: count - 1], parts[count - 1] + t.ACKS_CUT]


async def rewrites(repo: Repositories, broadcast_ids: list[int]) -> list[Rewrite]:
    """After /forget_me (the person's rows gone): every remembered list of these broadcasts
    as it reads now."""
    out: list[Rewrite] = []
    posts = await repo.ack_lists.posts(broadcast_ids)
    for (bid, _, _), group in groupby(posts, lambda p: (p.broadcast_id, p.chat_id, p.head_id)):
        messages = list(group)
        parts = render(bid, await gather(repo, bid), refreshed=True)
        for post, text in zip(messages, fit(parts, len(messages)), strict=True):
            where = MessageRef(post.chat_id, post.message_id, post.ref)
            out.append(Rewrite(bid, where, text))
    return out


async def rewrite(messenger: Messenger, changes: list[Rewrite]) -> None:
    """Edit the list messages; a part no longer needed is deleted (or, past Telegram's 48
    hours, says the list fits above). A message staff deleted is skipped."""
    for change in changes:
        where = change.where
        try:
            if change.text is not None:
                await messenger.edit(where, change.text)
                continue
            try:
                await messenger.delete(where)
            except Unreachable:
                await messenger.edit(where, fill(t.ACKS_PART_GONE, id=change.broadcast_id))
        except (Unreachable, Deferred) as exc:
            log.info(
                "broadcast %s: ack list %s/%s not rewritten: %s",
                change.broadcast_id, where.chat_id, where.message_id, exc,
            )  # fmt: skip
