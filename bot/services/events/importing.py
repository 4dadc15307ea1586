"""Bulk import of events as new ones (the chat's examples, tests) and the JSON of
`events list --json`.

The file is read by bot.services.events.import_files and each row checked by
bot.services.events.import_rows; a plan imported again, rows naming events already there,
goes through bot.services.events.reimport instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.events.import_rows import EventDraft
from storage.models import Event
from storage.repositories.events import EventRepo


@dataclass(frozen=True)
class Imported:
    """What an import did: ids of the new events; (line, id) of rows already in the schedule."""

    ids: list[int]
    existing: list[tuple[int, int]]


async def import_events(
    repo: EventRepo, drafts: Sequence[EventDraft], created_by: int | None
) -> Imported:
    """Insert checked drafts with their sessions; the caller commits once. A row whose event
    (same title, same first start) is already there is skipped: the same plan imported twice
    (a retry, a colleague) must not show teachers every event twice."""
    ids: list[int] = []
    existing: list[tuple[int, int]] = []
    for d in drafts:
        if (same := await repo.same(d.title, d.starts[0])) is not None:
            existing.append((d.line, same.id))
            continue
        event = d.event(created_by)
        await repo.add(event, d.starts)
        ids.append(event.id)
    return Imported(ids, existing)


def events_to_json(
    events: Iterable[Event], counts: Mapping[int, Mapping[str, int]], tz: ZoneInfo
) -> list[dict[str, Any]]:
    """`counts` is EventRepo.counts per event id; seats taken = registered + attended."""
    return [
        {
            "id": e.id,
            "title": e.title,
            "kind": e.kind,
            "starts_at": e.starts_at.astimezone(tz).isoformat(),
            "capacity": e.capacity,
            "registered": counts.get(e.id, {}).get("registered", 0)
            + counts.get(e.id, {}).get("attended", 0),
            "waiting": counts.get(e.id, {}).get("waiting", 0),
        }
        for e in events
    ]
