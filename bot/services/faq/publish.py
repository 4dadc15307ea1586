"""Saving a whole entry from the web panel as a new knowledge-base version.

A save is checked like `faq check` (`editing.check_draft`) and built in full before anything
is written; then one row goes into `faq_entry_versions` (who, when, what changed) and the
version counter goes up in the same transaction (`learning._save`): this instance serves the
new matcher at once, every other one within `FAQ_SYNC_SECONDS`. A refused change raises
`Invalid` with the errors by form field and never touches what the bot serves. Revert saves an
old version again (checked the same way), so history only grows.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.services.faq.editing import Checked, Draft, Errors, check_draft, with_edit
from bot.services.faq.edits import PANEL_MADE, PANEL_SOURCE, EntryEdit
from bot.services.faq.kb import FaqEntry, KnowledgeBaseError
from bot.services.faq.learning import (
    Refused,
    _clean_question,
    _save,
    edit_of,
    instead,
    refresh,
)
from bot.services.faq.service import FaqService
from bot.texts import web_kb as words
from storage.models import FaqEntryVersion, utcnow
from storage.repositories import Repositories

__all__ = ["Invalid", "Published", "attach", "preview", "revert", "save"]

Placeholders = Mapping[str, str | None]
Staff = tuple[int, str]  # id and name of who saves


def _moment(at: datetime, tz: tzinfo) -> str:
    """A version's time as the panel lists it (the МОЦ's zone), so staff can find it there."""
    return at.astimezone(tz).strftime("%d.%m.%Y %H:%M")


class Invalid(Exception):
    """The change is refused; `errors` by form field, in Russian."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass(frozen=True)
class Published:
    entry_id: str
    version: int
    warnings: tuple[str, ...]
    instead: str = ""  # an attached question the bot still treats otherwise (learning.instead)
    cut: bool = False  # the asker's phone, e-mail or name was cut out of the attached question
    merged: int = 0  # questions attached in the bot while the editor was open, kept with it


def _edit(faq: FaqService, draft: Draft) -> EntryEdit:
    """The draft as an edit of the live entry (or a new one); its category and audience."""
    if draft.entry_id is not None:
        entry = faq.kb.entries.get(draft.entry_id)
        if entry is None:
            raise Invalid({"form": [words.ENTRY_GONE.format(entry=draft.entry_id)]})
        category, audience = entry.category, entry.audience
    else:
        found = faq.kb.category(draft.category)
        if found is None:
            raise Invalid({"category": [words.PICK_CATEGORY]})
        category, audience = found.id, found.audience
    return EntryEdit(
        draft.check_id, category, audience, draft.title, draft.answer, draft.questions,
        draft.links, draft.related, utcnow().date(),
    )  # fmt: skip


async def preview(faq: FaqService, draft: Draft, placeholders: Placeholders) -> Checked:
    """What a save would say, without saving («Проверить» and the live check)."""
    try:
        edit = _edit(faq, draft)
    except Invalid as exc:
        return Checked(exc.errors)
    return await asyncio.to_thread(check_draft, faq, edit, placeholders, date.today())


def summary(old: FaqEntry | None, new: EntryEdit) -> str:
    """What changed, for the history list."""
    if old is None:
        return words.SUMMARY_NEW
    changed = [
        words.SUMMARY_FIELDS[name]
        for name, before, after in (
            ("title", old.title, new.title),
            ("answer", old.answer, new.answer),
            ("links", old.links, new.links),
            ("related", old.related, new.related),
        )
        if before != after
    ]
    added = [q for q in new.questions if q not in old.questions]
    removed = [q for q in old.questions if q not in new.questions]
    if added or removed:
        changed.append(words.SUMMARY_QUESTIONS.format(added=len(added), removed=len(removed)))
    return ", ".join(changed) or words.SUMMARY_SAME


async def _publish(
    faq: FaqService,
    repo: Repositories,
    placeholders: Placeholders,
    edit: EntryEdit,
    staff: Staff,
    action: str,
    note: str = "",
    asked: tuple[str, int] | None = None,
    *,
    upto: int = 0,
) -> Published:
    """`upto`: the newest chat-added sample row read before the edit was made — the entry's
    samples up to it are folded into the version, later ones stay (`drop_samples`)."""
    new = action == "create"
    checked = await asyncio.to_thread(check_draft, faq, edit, placeholders, date.today())
    if not checked.ok:
        raise Invalid(checked.errors)
    additions = with_edit(faq.additions, edit)
    try:
        built = await asyncio.to_thread(faq.candidate, additions, placeholders)
    except KnowledgeBaseError as exc:
        raise Invalid({"form": [words.CHECK_FAILED.format(error=exc)]}) from exc
    old = None if new else faq.kb.entries.get(edit.entry_id)
    gone = words.SUMMARY_REMOVED if PANEL_MADE.search(edit.entry_id) else words.SUMMARY_TO_FILE
    text = summary(old, edit) if edit.active else gone
    row = await repo.faq_history.add(
        entry_id=edit.entry_id, action=action, active=edit.active, category=edit.category,
        audience=edit.audience, title=edit.title, answer=edit.answer,
        questions=list(edit.questions), links=[[link.title, link.url] for link in edit.links],
        related=list(edit.related), summary=(f"{note}; {text}" if note else text)[:500],
        kb_version=0, staff_id=staff[0], staff_name=staff[1][:256],
        asked=None if new else await _askers(repo, edit, asked),
    )  # fmt: skip
    if new:
        await repo.faq_history.new_entry_id(row, edit.category)
    else:
        await repo.faq_history.drop_samples(edit.entry_id, upto)
    version = await _save(faq, repo, None if new else built, stamp=row)
    return Published(row.entry_id, version, checked.warnings)


async def _askers(
    repo: Repositories, edit: EntryEdit, asked: tuple[str, int] | None
) -> list[list[str | int]] | None:
    """Whose own words among the version's questions, so /forget_me finds them: carried from
    the entry's earlier versions and from its chat samples (folded into this version), and
    `asked` (a logged question attached now)."""
    earlier = await repo.faq_history.of_entry(edit.entry_id)
    pairs = {(str(q), int(uid)) for row in earlier for q, uid in row.asked or []}
    samples = await repo.faq_kb.samples_since(edit.entry_id, 0)
    pairs |= {(s.question, s.asked_by) for s in samples if s.asked_by is not None}
    if asked is not None:
        pairs.add(asked)
    return [[q, uid] for q, uid in sorted(pairs) if q in edit.questions] or None


async def save(
    faq: FaqService,
    repo: Repositories,
    placeholders: Placeholders,
    draft: Draft,
    staff: Staff,
    base: int | None = None,
    seen: int | None = None,
    *,
    tz: tzinfo,
) -> Published:
    """Save the editor's draft (an edit or a new entry); `Invalid` says why not. `base`: the
    entry's newest version row when the editor opened (0: none) — if someone saved the entry
    since, the save is refused instead of silently undoing their change. `seen`: the newest
    chat-added sample then; one added to this entry since is kept, as the editor never saw it
    and so cannot have meant to delete it (the save replaces the entry's chat samples)."""
    upto = await repo.faq_kb.last_sample_id()  # read first: all of them are in the refresh
    await refresh(faq, repo, every=0, wait=True)  # check against the newest knowledge base
    if (again := await _saved_already(faq, repo, draft, staff, base)) is not None:
        return again
    if draft.entry_id is not None and base is not None:
        rows = await repo.faq_history.of_entry(draft.entry_id, limit=1)
        if rows and rows[0].id != base:
            when = _moment(rows[0].created_at, tz)
            late = words.SAVED_MEANWHILE.format(staff=rows[0].staff_name, when=when)
            raise Invalid({"form": [late]})
    unseen: list[str] = []
    if draft.entry_id is not None and seen is not None:
        since = await repo.faq_kb.samples_since(draft.entry_id, seen)
        unseen = [row.question for row in since if row.question not in draft.questions]
        draft = dataclasses.replace(draft, questions=(*draft.questions, *unseen))
    edit = _edit(faq, draft)
    action = "edit" if draft.entry_id else "create"
    done = await _publish(faq, repo, placeholders, edit, staff, action, upto=upto)
    return dataclasses.replace(done, merged=len(unseen))


def _same(row: FaqEntryVersion, draft: Draft, staff: Staff) -> bool:
    """`row` is this person's save of exactly this draft (its questions may hold more: those
    attached in the bot meanwhile, folded in by that save)."""
    return (
        row.active and row.staff_id == staff[0]
        and (draft.entry_id is not None or row.category == draft.category)
        and (row.title, row.answer) == (draft.title, draft.answer)
        and set(draft.questions) <= set(row.questions)
        and [list(pair) for pair in row.links] == [[x.title, x.url] for x in draft.links]
        and list(row.related) == list(draft.related)
    )  # fmt: skip


async def _saved_already(
    faq: FaqService, repo: Repositories, draft: Draft, staff: Staff, base: int | None
) -> Published | None:
    """The same form sent again — «Сохранить» pressed twice, or «Назад» after saving and
    «Сохранить» once more: what it says is already the entry's newest version, saved by this
    person, so it is saved (not «a colleague saved it meanwhile», not a second new entry)."""
    if draft.entry_id is not None:
        ids = [draft.entry_id]
    else:  # a new entry: one made in the panel under the same title
        ids = [i for i, e in faq.kb.entries.items() if e.title == draft.title
               and faq.kb.sources.get(i) == PANEL_SOURCE]  # fmt: skip
    for entry_id in ids:
        rows = await repo.faq_history.of_entry(entry_id, limit=1)
        if not rows or (draft.entry_id is not None and rows[0].id == base):
            continue  # an ordinary save of the version the editor opened
        if _same(rows[0], draft, staff):
            return Published(entry_id, faq.version, ())
    return None


async def attach(
    faq: FaqService,
    repo: Repositories,
    placeholders: Placeholders,
    entry_id: str,
    query_id: int,
    staff: Staff,
) -> Published:
    """A logged question (its text from the database, not the form) becomes one more sample
    question of an entry, as a new version of that entry."""
    upto = await repo.faq_kb.last_sample_id()
    await refresh(faq, repo, every=0, wait=True)
    query = await repo.faq_log.get(query_id)
    entry = faq.kb.entries.get(entry_id)
    if query is None or entry is None:
        missing = words.PICK_ENTRY if query and not entry_id else words.QUERY_GONE
        raise Invalid({"form": [missing]})
    try:
        question, cut = _clean_question(query.text)
    except Refused as exc:
        raise Invalid({"form": [str(exc)]}) from exc
    draft = Draft(entry.id, entry.category, entry.title, entry.answer,
                  (*entry.questions, question), entry.links, entry.related)  # fmt: skip
    edit = _edit(faq, draft)
    note = words.SUMMARY_ATTACHED.format(question=question[:80])
    asked = (question, query.user_id)
    done = await _publish(faq, repo, placeholders, edit, staff, "attach", note, asked, upto=upto)
    how = instead(faq, entry.id, question)
    return dataclasses.replace(done, instead=how, cut=bool(cut))


async def revert(
    faq: FaqService,
    repo: Repositories,
    placeholders: Placeholders,
    row_id: int,
    staff: Staff,
    *,
    tz: tzinfo,
) -> Published:
    """Serve an older version again (a new row, checked like any save); a row that sent the
    entry back to its file is reverted to by sending it back again."""
    upto = await repo.faq_kb.last_sample_id()
    await refresh(faq, repo, every=0, wait=True)
    row = await repo.faq_history.get(row_id)
    if row is None:
        raise Invalid({"form": [words.NO_VERSION]})
    edit = edit_of(row)
    edit = EntryEdit(
        edit.entry_id, edit.category, edit.audience, edit.title, edit.answer, edit.questions,
        edit.links, edit.related, utcnow().date(), edit.active,
    )  # fmt: skip
    stamp = _moment(row.created_at, tz)
    note = words.SUMMARY_REVERTED.format(when=stamp)
    return await _publish(faq, repo, placeholders, edit, staff, "revert", note, upto=upto)


async def reset(
    faq: FaqService, repo: Repositories, placeholders: Placeholders, entry_id: str, staff: Staff
) -> Published:
    """Back to the version in the YAML file (or the chat-made one): the panel's versions of
    the entry stop applying; they stay in the history. An entry made in the panel has no
    such version: it is removed (any of its versions in the history brings it back)."""
    upto = await repo.faq_kb.last_sample_id()
    await refresh(faq, repo, every=0, wait=True)
    entry = faq.kb.entries.get(entry_id)
    rows = await repo.faq_history.of_entry(entry_id, limit=1)
    if entry is None or not rows:
        raise Invalid({"form": [words.NO_PANEL_VERSIONS]})
    edit = EntryEdit(
        entry.id, entry.category, entry.audience, entry.title, entry.answer, entry.questions,
        entry.links, entry.related, utcnow().date(), active=False,
    )  # fmt: skip
    return await _publish(faq, repo, placeholders, edit, staff, "reset", upto=upto)
