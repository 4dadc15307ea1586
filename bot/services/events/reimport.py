"""A plan imported again: new rows are added, rows naming an event already there update it.

A methodist exports the plan (bot.services.events.exporting), edits it in Excel and brings it
back. A row names its event by the export's `id`, or without it by title and first start. An
edited row changes the event exactly as the panel's edit form would (bot.services.events
.whole_form: the same checks, seats never below those taken), and a new time or place reaches
the registered and waiting in the same transaction (bot.services.events.changes; a higher .ics
SEQUENCE). Every row is tried first: one refused row leaves the whole plan unsaved, as a bad
row of a first import does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.config import Settings
from bot.core.dates import format_local
from bot.services.events import changes, whole_form
from bot.services.events.import_rows import EventDraft
from bot.services.events.registration import confirmation, fill_seats
from bot.services.import_errors import ImportErrors
from bot.texts import events as te
from bot.texts import events_io as t
from bot.texts.events_labels import FORMAT_LABELS, KIND_LABELS
from storage.models import Event, EventStatus
from storage.repositories import Repositories

EXTRA = ("organiser", "speaker", "audience")  # not on the form: a row sets them as they are


@dataclass
class Update:
    """An existing event a row changes: the fields (as the form names them) and who is told."""

    line: int
    event: Event
    draft: EventDraft
    values: dict[str, str]
    fields: list[str]
    told: int = 0


@dataclass
class Outcome:
    """What the import did (or, dry, would do): new event ids (rows' lines when dry)."""

    new: list[int] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    unchanged: list[tuple[int, int]] = field(default_factory=list)  # (line, event id)
    notices: list[int] = field(default_factory=list)


def form_values(draft: EventDraft, settings: Settings) -> dict[str, str]:
    """The row as the panel's edit form would hold it (`whole_form.texts_of`)."""
    tz, deadline = settings.tz, draft.registration_deadline
    return {
        "title": draft.title, "starts": ", ".join(format_local(s, tz) for s in draft.starts),
        "duration": str(draft.duration_min), "place": draft.place,
        "capacity": str(draft.capacity), "description": draft.description,
        "deadline": format_local(deadline, tz) if deadline else "",
    }  # fmt: skip


async def _target(repo: Repositories, draft: EventDraft) -> tuple[Event | None, str | None]:
    if draft.event_id is not None:
        found = await repo.events.get(draft.event_id)
        return found, None if found else t.NO_SUCH_ID.format(id=draft.event_id)
    same = await repo.events.same(draft.title, draft.starts[0])
    return (await repo.events.get(same.id) if same else None), None


def _fixed(event: Event, draft: EventDraft) -> list[str]:
    """Kind and format stay what they are, as on the panel's form (an online link and an
    address are not one place)."""
    return [
        t.FIXED_FIELD.format(what=what, id=event.id, now=labels.get(now, now))
        for what, now, new, labels in (
            ("вид", event.kind, draft.kind, KIND_LABELS),
            ("формат", event.format, draft.format, FORMAT_LABELS),
        )
        if now != new
    ]


async def _plan_row(
    repo: Repositories, settings: Settings, now: datetime, draft: EventDraft, event: Event,
    outcome: Outcome,
) -> list[str]:  # fmt: skip
    """Sort one row naming `event` into the outcome; the row's problems."""
    values = form_values(draft, settings)
    marked = await repo.events.marked_meetings(event.id)
    fields, notify, problems = whole_form.trial(event, values, settings.tz, now, marked)
    fields += [n for n in EXTRA if getattr(draft, n) != (getattr(event, n) or "")]
    if not fields and not _fixed(event, draft):
        outcome.unchanged.append((draft.line, event.id))
        return []
    if event.status == EventStatus.CANCELLED:
        return [t.CANCELLED.format(id=event.id)]
    found = _fixed(event, draft) + [f"{t.FIELD_NAMES[n]}: {m}" for n, m in problems.items()]
    if not found:
        told = await changes.audience_size(repo, event.id) if notify else 0
        told = told if changes.meetings_ahead(event, now) else 0
        outcome.updated.append(Update(draft.line, event, draft, values, fields, told))
    return found


async def plan(
    repo: Repositories, settings: Settings, now: datetime, drafts: list[EventDraft]
) -> tuple[Outcome, list[EventDraft]]:
    """Every row tried, nothing changed: the outcome so far and the new rows; ImportErrors
    with every refused row."""
    outcome, new, errors = Outcome(), list[EventDraft](), list[str]()
    seen: dict[int, int] = {}  # event id → the first row naming it
    for draft in drafts:
        event, problem = await _target(repo, draft)
        if event is not None and (first := seen.setdefault(event.id, draft.line)) != draft.line:
            problem = t.SAME_EVENT.format(id=event.id, line=first)
        if problem is None and event is None:
            new.append(draft)
            outcome.new.append(draft.line)
            continue
        found = [problem] if problem else []
        if not found and event is not None:
            found = await _plan_row(repo, settings, now, draft, event, outcome)
        errors += [f"строка {draft.line}: " + "; ".join(found)] if found else []
    if errors:
        raise ImportErrors(errors)
    return outcome, new


async def apply(
    repo: Repositories, settings: Settings, now: datetime, drafts: list[EventDraft],
    author_id: int | None, dry_run: bool = False,
) -> Outcome:  # fmt: skip
    """Check every row, then (unless `dry_run`) add the new events, update the changed ones
    with their notices, and commit; ImportErrors (nothing written) if a row is refused."""
    outcome, new = await plan(repo, settings, now, drafts)
    if dry_run:
        return outcome
    for update in outcome.updated:
        await _update(repo, settings, now, update, author_id, outcome)
    outcome.new = []
    for draft in new:
        event = draft.event(author_id)
        await repo.events.add(event, draft.starts)
        outcome.new.append(event.id)
    await repo.commit()
    for update in outcome.updated:
        if "capacity" in update.fields:  # more seats: the waiting list moves up at once
            await _promote(repo, settings, now, update.event, author_id, outcome)
    await repo.commit()
    return outcome


async def _update(
    repo: Repositories, settings: Settings, now: datetime, update: Update,
    author_id: int | None, outcome: Outcome,
) -> None:  # fmt: skip
    event = update.event
    before, shown = changes.meetings(event), changes.calendar_view(event)
    marked = await repo.events.marked_meetings(event.id)
    _, notify, problems = whole_form.edit_event(event, update.values, settings.tz, now, marked)
    if problems:  # tried on a copy a moment ago: only a clock ticking past a start gets here
        await repo.rollback()
        raise ImportErrors([f"строка {update.line}: " + "; ".join(problems.values())])
    for name in EXTRA:
        setattr(event, name, getattr(update.draft, name))
    event.updated_at = now
    changes.mark_revision(event, shown)
    outcome.notices += await changes.queue_change(
        repo, settings, author_id, now, event, notify, before
    )


async def _promote(
    repo: Repositories, settings: Settings, now: datetime, event: Event, author_id: int | None,
    outcome: Outcome,
) -> None:  # fmt: skip
    """Those moved up get «Освободилось место» with the .ics, as a notice: the import runs
    without a messenger (the CLI), the broadcast worker delivers it."""
    promoted = await fill_seats(repo, event, now)
    if promoted:
        await repo.events.get(event.id)  # seats and meetings as the database has them now
        text = confirmation(te.PROMOTED, event, settings, now)
        users = [r.user_id for r in promoted if r.user_id is not None]
        outcome.notices += await changes.queue_with_ics(
            repo, settings, author_id, now, event, users, text
        )


def report_lines(outcome: Outcome, dry_run: bool) -> list[str]:
    """One line per updated row (per new row too when dry), then the summary."""
    template = t.UPDATE if dry_run else t.UPDATED
    lines = [
        template.format(line=u.line, id=u.event.id,
                        fields=", ".join(t.FIELD_NAMES[n] for n in u.fields))
        + (t.TOLD.format(n=u.told) if u.told else "")
        for u in outcome.updated
    ]  # fmt: skip
    summary = t.DRY_SUMMARY if dry_run else t.SUMMARY
    counts = len(outcome.updated), len(outcome.unchanged), len(outcome.new)
    return [*lines, summary.format(updated=counts[0], unchanged=counts[1], new=counts[2])]
