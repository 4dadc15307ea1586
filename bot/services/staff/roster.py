"""Who is МОЦ staff: the one check every adapter reads (Telegram, MAX and the web panel).

Owners are ADMIN_IDS (Telegram ids) and MAX_ADMIN_IDS (MAX's own ids, mapped to internal ones
once); everyone an owner invited is a `staff_members` row. The answer is cached for
CACHE_SECONDS, so another instance sees a change within that time; a change made here calls
`changed()` and is seen at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import StaffRole
from storage.repositories import Repositories
from storage.repositories.staff import owner_ids

log = logging.getLogger(__name__)
CACHE_SECONDS = 5.0
# told when this instance adds (True) or removes (False) someone: an adapter updates what the
# person sees (Telegram: the staff command menu and the panel's menu button)
Listener = Callable[[int, bool], Awaitable[None]]


class Roster:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: SessionMaker,
        *,
        ttl: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings, self.sessionmaker = settings, sessionmaker
        self.ttl, self.monotonic = ttl, monotonic
        self._roles: dict[int, StaffRole] = {}
        self._loaded_at: float | None = None
        self._owners: frozenset[int] | None = None
        self._generation = 0  # bumped by `changed`: a load that began before it is stale
        self._lock = asyncio.Lock()
        # where each messenger's start links begin ("tg": https://t.me/<bot>), learnt when
        # that messenger starts; invite links are built from them
        self.deep_links: dict[str, str] = {}
        self.listeners: list[Listener] = []

    async def role(
        self, person_id: int | None, repo: Repositories | None = None
    ) -> StaffRole | None:
        if person_id is None:
            return None
        return (await self.members(repo)).get(person_id)

    async def is_staff(self, person_id: int | None, repo: Repositories | None = None) -> bool:
        return await self.role(person_id, repo) is not None

    async def is_owner(self, person_id: int | None, repo: Repositories | None = None) -> bool:
        return await self.role(person_id, repo) == StaffRole.OWNER

    def known_staff(self, person_id: int) -> bool:
        """The last loaded answer without waiting (the flood limiter's exemption)."""
        return person_id in self._roles or person_id in self.settings.admin_ids

    def changed(self) -> None:
        """This instance changed the staff: the next check reads the database, and a load
        already under way (begun before the change, so blind to it) does not count as fresh."""
        self._loaded_at = None
        self._generation += 1

    async def announce(self, person_id: int, is_staff: bool) -> None:
        """After a committed change: re-read at the next check, tell the listeners."""
        self.changed()
        for listener in self.listeners:
            try:
                await listener(person_id, is_staff)
            except Exception:  # a menu that failed to update must not undo the change
                log.exception("staff listener failed for %s", person_id)

    async def members(self, repo: Repositories | None = None) -> dict[int, StaffRole]:
        """Every staff member's role, owners included (a copy).

        `repo`: the caller's unit of work, when it has one. A reload then reads through the
        caller's own connection: asking the pool for a second one while holding the first
        froze the bot under load once (issue 9)."""
        if not self._fresh():
            async with self._lock:
                if not self._fresh():  # another caller may have loaded while this one waited
                    if repo is not None:
                        await self._load(repo)
                    else:
                        async with self.sessionmaker() as session:
                            await self._load(Repositories(session))
        return dict(self._roles)

    def _fresh(self) -> bool:
        return self._loaded_at is not None and self.monotonic() - self._loaded_at < self.ttl

    async def _load(self, repo: Repositories) -> None:
        generation = self._generation
        stamp = self.monotonic()
        owners = self._owners if self._owners is not None else await self._owner_ids(repo)
        rows = await repo.staff.members()
        roles = {row.person_id: StaffRole(row.role) for row in rows}
        roles.update(dict.fromkeys(owners, StaffRole.OWNER))
        self._roles = roles
        self._loaded_at = stamp if generation == self._generation else None

    async def _owner_ids(self, repo: Repositories) -> frozenset[int]:
        """As `owner_ids`; one who has not written yet is looked up again at the next reload (a
        mapping never changes, so a complete set is kept)."""
        s = self.settings
        ids, complete = await owner_ids(repo.session, s.admin_ids, s.max_admin_ids)
        if complete:
            self._owners = ids
        return ids
