"""Who a broadcast reaches: groups bound to its audiences (and tags) plus private subscribers.

Resolved from the registry each time it is asked, never cached: a group bound after the
broadcast was composed still gets it, a group that removed the bot does not — nor one removed
or unbound while the broadcast goes out (`group_left`, asked before each group's send), nor a
subscriber who unsubscribed meanwhile (`person_left`, before each private send). A
group that became a supergroup is followed along `migrated_to` to its new id, so it is counted
and sent to once. Group ids are negative and user ids positive, so the two kinds never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast
from storage.repositories.audiences import AudienceRepo

ALL_AUDIENCES = ("parents", "directors", "teachers")  # "all" expands to these
KNOWN_AUDIENCES = (*ALL_AUDIENCES, "staff")
MAX_HOPS = 5  # a chain of migrations longer than this is a registry bug, not a real chat


@dataclass(frozen=True)
class Target:
    audiences: tuple[str, ...]
    tags: tuple[str, ...] = ()
    include_private: bool = True


def expand(audiences: tuple[str, ...]) -> tuple[str, ...]:
    """ "all" → the three public audiences; order kept, repeats dropped."""
    out: list[str] = []
    for name in audiences:
        for audience in ALL_AUDIENCES if name == "all" else (name,):
            if audience not in out:
                out.append(audience)
    return tuple(out)


def encode(target: Target) -> dict[str, object]:
    """The Broadcast column values for this target."""
    return {
        "audiences": ",".join(expand(target.audiences)),
        "tags": ",".join(target.tags),
        "include_private": target.include_private,
    }


def target_of(broadcast: Broadcast) -> Target:
    return Target(
        audiences=tuple(a for a in broadcast.audiences.split(",") if a),
        tags=tuple(t for t in broadcast.tags.split(",") if t),
        include_private=broadcast.include_private,
    )


async def recipients(session: AsyncSession, target: Target) -> list[tuple[int, bool]]:
    """(chat_id, is_private) for every chat the target reaches, each once, groups first."""
    repo = AudienceRepo(session)
    audiences = expand(target.audiences)
    found: dict[int, bool] = dict.fromkeys(await _groups(repo, audiences, target.tags), False)
    if target.include_private:
        for user_id in await repo.subscribers(audiences):
            found.setdefault(user_id, True)
    return list(found.items())


async def group_left(session: AsyncSession, target: Target, chat_id: int) -> str | None:
    """Why a group in the ledger no longer gets the broadcast, asked right before its send:
    "removed" (the bot left it) or "unbound" (unbound or untagged since the ledger was
    written); None while it still does, for a group that moved to a supergroup (the send
    follows it) and for one the registry has no row of."""
    audiences = expand(target.audiences)
    if not audiences:  # an event's notice: its own list of people, no groups
        return None
    state = await AudienceRepo(session).group_state(chat_id, audiences, target.tags)
    if state is None or state[1] is not None:
        return None
    active, _, bound = state
    return "removed" if not active else None if bound else "unbound"


async def person_left(session: AsyncSession, target: Target, user_id: int) -> bool:
    """Whether a private subscriber in the ledger stopped following every audience of the
    broadcast since it was written («Отписаться» under another broadcast, /unsubscribe):
    asked right before the send, so one who left does not get it a minute later. An event's
    notice (no audiences: its own list of people) is never left this way."""
    audiences = expand(target.audiences)
    if not audiences or not target.include_private:
        return False
    return not await AudienceRepo(session).subscribed(user_id, audiences)


async def count_recipients(session: AsyncSession, target: Target) -> int:
    return len(await recipients(session, target))


async def subscriber_audiences(session: AsyncSession, target: Target) -> dict[int, str]:
    """user id → the audience whose «Отписаться» a private recipient gets (first in order)."""
    audiences = expand(target.audiences)
    rows = await AudienceRepo(session).subscriptions(audiences)
    chosen: dict[int, str] = {}
    for user_id, audience in sorted(rows, key=lambda r: audiences.index(r[1])):
        chosen.setdefault(user_id, audience)
    return chosen


async def _groups(
    repo: AudienceRepo, audiences: tuple[str, ...], tags: tuple[str, ...]
) -> list[int]:
    rows = await repo.groups(audiences, tags)
    known = await _migration_targets(repo, {m for _, m in rows if m is not None})
    resolved = (_follow(known, chat_id, migrated_to) for chat_id, migrated_to in rows)
    return list(dict.fromkeys(r for r in resolved if r is not None))


async def _migration_targets(
    repo: AudienceRepo, frontier: set[int]
) -> dict[int, tuple[bool, int | None]]:
    """is_active and migrated_to of every registry row a migration chain passes through."""
    known: dict[int, tuple[bool, int | None]] = {}
    for _ in range(MAX_HOPS):
        frontier -= known.keys()
        if not frontier:
            break
        rows = await repo.chain(frontier)
        known.update((chat_id, (active, nxt)) for chat_id, active, nxt in rows)
        frontier = {nxt for _, _, nxt in rows if nxt is not None}
    return known


def _follow(
    known: dict[int, tuple[bool, int | None]], chat_id: int, migrated_to: int | None
) -> int | None:
    """The id to send to; None when the chat it migrated to is inactive."""
    current, nxt = chat_id, migrated_to
    for _ in range(MAX_HOPS):
        if nxt is None:
            return current
        current = nxt
        active, nxt = known.get(current, (True, None))  # no row yet: trust the migration
        if not active and nxt is None:
            return None
    return current
