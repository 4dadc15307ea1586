"""What every MAX update handler gets, and how handlers are joined (the MAX adapter's seams).

The MAX adapter has no framework: a small dispatcher reads updates (long polling or webhook),
and hands each to the handlers added for its `update_type`, in order, until one returns True.
Feature modules (private dialogs, groups) each expose `register(routes)` and are joined by the
composition root, like aiogram routers in `handlers/__init__.py`.

Ids: a handler turns MAX's own ids into internal ones at once
(`repo.channel_ids.internal("max", "user" | "chat", …)`, see `bot.core.ids`) and speaks to
services only in those; `messenger` (a `bot.core.messages.Switchboard`) sends to a person or a
group of either messenger by internal id, so a ticket from MAX reaches a Telegram staff chat
and the answer comes back to MAX.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Messenger
from bot.services.chats.pointers import PointerGate
from bot.services.chats.room_notes import RoomNotes
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.staff.roster import Roster
from handlers.max.client import MaxClient
from storage.db import SessionMaker

JsonDict = dict[str, Any]


@dataclass
class MaxContext:
    client: MaxClient
    messenger: Messenger
    settings: Settings
    sessionmaker: SessionMaker
    clock: Clock
    faq: FaqService
    querylog: QueryLog
    # the broadcast worker of this process, woken when a staff change queues its notices
    # (a worker elsewhere finds them on its next poll)
    wake: Callable[[], None] | None = None
    # a person's step in a dialog lives in the database: handlers.max.people.Visit.state
    # who is staff: the process's shared roster (MaxRuntime sets Services.roster here)
    roster: Roster = field(init=False)
    # «только для сотрудников» in a group once per few minutes (MaxRuntime sets its own gate,
    # shared through Redis with the other instances)
    refusals: PointerGate = field(init=False)
    # why a ticket came privately (the Telegram staff chat refuses), once an hour per staffer:
    # the process's (Services.room_notes) or MaxRuntime's own
    room_notes: RoomNotes | None = None

    def __post_init__(self) -> None:
        self.roster = Roster(self.settings, self.sessionmaker)
        self.refusals = PointerGate()


Handler = Callable[[MaxContext, JsonDict], Awaitable[bool]]


class Routes(Protocol):
    def add(self, update_type: str, handler: Handler) -> None:
        """Handlers of one update type are tried in the order added; True stops the search."""
        ...
