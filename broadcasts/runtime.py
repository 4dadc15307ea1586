"""What every part of a running worker shares: the database, the channel, the limiter, time.

Two clocks on purpose: `clock` (wall time, a FrozenClock in tests) decides when a broadcast is
due and stamps the database; `monotonic` paces sends and backoffs, which must never jump.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.clock import Clock
from broadcasts.channel import Channel
from broadcasts.content import Content
from broadcasts.limiter import RateLimiter
from storage.db import SessionMaker
from storage.models import Broadcast
from storage.repositories import Repositories


@dataclass(frozen=True)
class Options:
    concurrency: int = 8  # sends in flight at once (all jobs): the most a crash can duplicate
    max_attempts: int = 5  # sends of one message (transient errors) before «failed»
    # sends of one message a spell of 429s may take: MAX's 429 carries no hint (the chat's
    # pause grows 1, 2, 4 … 60 s: about six minutes in all), Telegram's says how long
    flood_attempts: int = 12
    retry_base_seconds: float = 2.0  # transient error n waits base * 2**(n-1), capped below
    retry_max_seconds: float = 60.0
    progress_every: float = 3.0  # seconds between edits of the admin's progress message
    check_every: float = 0.5  # how soon a cancel or a lost claim is noticed
    heartbeat_every: float = 5.0  # must be well under lease_seconds
    batch: int = 64  # ledger rows fetched per query


# (group id, broadcast id): this delivery found the group gone and deactivated it — the first
# to learn it, so whoever staff hear such news from is told now (bot.services.chats.gone)
GroupGone = Callable[[int, int], Awaitable[None]]


# As an occurrence starts going out (each week of a weekly one): its content as it may go now
# and what its author is told, or None to send it as stored. A «📝 Записаться» to an event
# whose registration has shut since is dropped (bot.services.staff.composing.vet_signup).
Vet = Callable[[Repositories, Broadcast, datetime], Awaitable[tuple[Content, str] | None]]


@dataclass
class Runtime:
    sessionmaker: SessionMaker
    channel: Channel
    limiter: RateLimiter
    clock: Clock
    instance_id: str
    options: Options = field(default_factory=Options)
    monotonic: Callable[[], float] = time.monotonic
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    on_gone: GroupGone | None = None
    vet: Vet | None = None
    # sends in flight across all jobs of this worker: the crash bound stays `concurrency`
    slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.options.concurrency)

    @asynccontextmanager
    async def repos(self) -> AsyncIterator[Repositories]:
        """One short session for one step; a step that writes commits it itself."""
        async with self.sessionmaker() as session:
            yield Repositories(session)
