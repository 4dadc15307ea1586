"""Posts to staff what they have not seen yet, as fast as the staff chat allows.

The database is the queue: an asker's ticket message with `delivered = false` has not reached
staff (a new ticket whose post could not go out at once, or a follow-up). Every pass takes
them oldest first, new tickets before follow-ups, one post per ticket (its follow-ups batched
into one note), claims them with a conditional UPDATE (two instances never post the same
message twice) and posts; a post that fails is unclaimed and tried again on a later pass. So a
ticket reaches staff late rather than never, and a flood of follow-ups costs the staff group
one post per ticket every FOLLOW_UP_EVERY seconds, not one per message.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.core.config import Settings
from bot.core.messages import Messenger
from bot.core.tasks import Background
from bot.services.tickets import buttons
from bot.services.tickets.posting import (
    StaffNotes,
    card,
    follow_up_notes,
    post,
    post_continuation,
    staff_targets,
)
from broadcasts.limiter import Priority, current_priority
from storage.db import SessionMaker
from storage.models import TicketMessage, TicketStatus
from storage.repositories import Repositories

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
# one ticket's follow-ups at most this often: the group takes 20 posts a minute for everyone
FOLLOW_UP_EVERY = 20.0


class StaffRelay:
    def __init__(
        self,
        messenger: Messenger,
        settings: Settings,
        sessionmaker: SessionMaker,
        every: float = 2.0,
        notes: StaffNotes | None = None,
    ) -> None:
        """`notes`: see `posting.staff_targets` (the process's Services.room_notes)."""
        self._messenger, self._settings, self._notes = messenger, settings, notes
        self._sessionmaker = sessionmaker
        self._every = every
        self._loop = Background()
        self._noted: dict[int, float] = {}  # ticket → when its last follow-up note went out

    def start(self) -> None:
        self._loop.start(self._run())

    async def stop(self) -> None:
        await self._loop.stop()

    async def _run(self) -> None:
        current_priority.set(Priority.STAFF)
        wait = self._every
        while True:
            await asyncio.sleep(wait)
            try:
                ok = await self.pass_once()
            except Exception:
                log.exception("staff relay pass failed")
                ok = False
            wait = self._every if ok else min(wait * 2, MAX_BACKOFF)

    async def pass_once(self) -> bool:
        """One post per ticket with unseen messages; False if a post did not go out."""
        async with self._sessionmaker() as session:
            repo = Repositories(session)
            unseen = await repo.tickets.unseen()
            firsts = await repo.tickets.first_message_ids({m.ticket_id for m in unseen})
        batches: dict[int, list[TicketMessage]] = {}
        for message in unseen:
            batches.setdefault(message.ticket_id, []).append(message)
        now = time.monotonic()
        self._noted = {t: at for t, at in self._noted.items() if now - at < FOLLOW_UP_EVERY}
        # new tickets (their question unseen) before anyone's follow-ups
        ordered = sorted(
            batches.values(), key=lambda b: (firsts.get(b[0].ticket_id) != b[0].id, b[0].id)
        )
        for batch in ordered:
            ticket_id, new = batch[0].ticket_id, firsts.get(batch[0].ticket_id) == batch[0].id
            if not new and ticket_id in self._noted:
                continue  # noted a moment ago: these wait and go together next time
            if not await self._post(batch):
                return False
            if not new:
                self._noted[ticket_id] = time.monotonic()
        return True

    async def _post(self, batch: list[TicketMessage]) -> bool:
        async with self._sessionmaker() as session:
            repo = Repositories(session)
            ticket = await repo.tickets.get(batch[0].ticket_id)
            if ticket is None:
                return True
            is_new = ticket.messages[0].id == batch[0].id
            batch = batch[:1] if is_new else batch  # the card first, its follow-ups next pass
            ids = [m.id for m in batch]
            if not await repo.tickets.claim_seen(ids):
                await repo.rollback()
                return True  # another instance has them
            await repo.commit()
            if ticket.status == TicketStatus.CLOSED:
                return True  # withdrawn or closed meanwhile: nothing to tell staff
            text: str | dict[str, str]
            if is_new:
                text, more = await card(repo, ticket, ticket.user), []
            else:
                name = ticket.user.full_name if ticket.user else str(ticket.user_id)
                text, *more = follow_up_notes(ticket, name, [m.text for m in batch])
            keyboard = buttons.staff_ticket(ticket.id)
            # a card goes only where it is not yet (another admin may have got it at once)
            done = await repo.tickets.posted_chats(ticket.id) if is_new else set()
            busy: list[int] = []
            targets = await staff_targets(self._settings, repo, self._notes)
            reached = await post(
                self._messenger, repo, targets, ticket.id, text, keyboard,
                skip=done, busy=busy, card=is_new, note=not is_new,
            )  # fmt: skip
            if is_new and reached:  # a long question's rest, where the card just went
                skip = {*done, *busy}
                await post_continuation(self._messenger, repo, targets, ticket, skip)
            for rest in more if reached else []:  # a long note's rest, where its start went
                await post(self._messenger, repo, targets, ticket.id, rest, None, skip=busy)
            # a note is not re-posted to some (the others would get it twice); a card is
            if (not reached and not done) or (is_new and busy):
                await repo.tickets.claim_seen(ids, seen=False)
            await repo.commit()
            return reached > 0 or bool(done)
