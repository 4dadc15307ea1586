"""Internal ids for a messenger's own ids (`bot.core.ids`): looked up on every update from
that messenger, so one indexed SELECT; created once per person or group."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import Channel, Kind, channel_of, internal, seq_of
from storage.models import ChannelId

GONE = "gone"  # a forgotten person's row: its seq stays taken, the messenger's id is wiped


class ChannelIdRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def internal(self, channel: Channel, kind: Kind, external_id: int) -> int:
        """The internal id of `external_id`, created on first sight (flushed, not committed;
        a concurrent first sight is caught in a savepoint and the winner's row read back)."""
        if channel == "tg":
            return external_id
        found = await self._find(channel, kind, external_id)
        if found is not None:
            return found
        row = ChannelId(channel=channel, kind=kind, external_id=external_id)
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            again = await self._find(channel, kind, external_id)
            assert again is not None
            return again
        return internal(row.seq, kind)

    async def find(self, channel: Channel, kind: Kind, external_id: int) -> int | None:
        """The internal id if one was made (never creates it)."""
        if channel == "tg":
            return external_id
        return await self._find(channel, kind, external_id)

    async def external(self, internal_id: int) -> int | None:
        """The messenger's own id behind an internal id; None if unknown."""
        if channel_of(internal_id) == "tg":
            return internal_id
        row = await self.session.get(ChannelId, seq_of(internal_id))
        return row.external_id if row is not None and row.channel != GONE else None

    async def externals(self, internal_ids: Iterable[int]) -> dict[int, int]:
        """`external` for a whole list (a page of chats) in a query per 500 ids; an unknown
        id is left out."""
        ids = list(internal_ids)
        found = {i: i for i in ids if channel_of(i) == "tg"}
        seqs = {seq_of(i): i for i in ids if channel_of(i) != "tg"}
        ordered = sorted(seqs)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = await self.session.execute(
                select(ChannelId.seq, ChannelId.external_id).where(
                    ChannelId.seq.in_(chunk), ChannelId.channel != GONE
                )
            )
            found.update({seqs[seq]: external for seq, external in rows})
        return found

    async def drop(self, internal_id: int) -> None:
        """Forget which messenger id stood behind `internal_id` (a person who asked /forget_me
        and left no proof of consent that would need it); Telegram ids have no row.

        The row stays with the id wiped rather than being deleted: SQLite hands a freed row id
        out again, and the next newcomer would get the forgotten person's internal id, which
        a running bot still resolves to the old messenger id (their messages went there)."""
        if channel_of(internal_id) != "tg":
            seq = seq_of(internal_id)
            await self.session.execute(
                update(ChannelId).where(ChannelId.seq == seq).values(channel=GONE, external_id=seq)
            )

    async def _find(self, channel: str, kind: Kind, external_id: int) -> int | None:
        seq = await self.session.scalar(
            select(ChannelId.seq).where(
                ChannelId.channel == channel,
                ChannelId.kind == kind,
                ChannelId.external_id == external_id,
            )
        )
        return internal(seq, kind) if seq is not None else None
