"""Staff teach the FAQ from the chat: a question becomes a sample of an entry, or a new entry.

Additions are rows in the database (`FaqKbRepo`), merged into the YAML at every build. A
change is checked with the same checker as `faq check` before it is saved; the save bumps the
database version, this instance swaps in the new matcher at once, and every other instance
notices the new version within `FAQ_SYNC_SECONDS` (`refresh`, called on incoming questions)
and rebuilds off the event loop. No aiogram here: handlers pass plain values in.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.services.faq import FaqService, KnowledgeBaseError
from bot.services.faq.additions import Additions, StaffEntry, StaffSample
from bot.services.faq.edits import EntryEdit
from bot.services.faq.kb import AUDIENCES, Audience, Link
from bot.services.faq.private import strip_contacts
from bot.services.faq.service import Built
from bot.services.faq.text import normalize
from bot.texts import faq_learn as t
from storage.models import FaqEntryVersion, utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)
SAMPLE_LIMIT = 300  # a sample question longer than this is a letter, not a wording to learn


async def load_additions(repo: Repositories, version: int | None = None) -> Additions:
    """Everything staff added, read in the caller's session."""
    if version is None:
        version = await repo.faq_kb.version()
    samples = tuple(StaffSample(s.entry_id, s.question) for s in await repo.faq_kb.samples())
    entries = tuple(
        StaffEntry(e.entry_id, e.category, e.title, e.answer, e.updated_at.date())
        for e in await repo.faq_kb.entries()
    )
    edits = tuple(edit_of(row) for row in await repo.faq_history.latest())
    return Additions(version, entries, samples, edits)


def edit_of(row: FaqEntryVersion) -> EntryEdit:
    """A saved panel version as the merge applies it."""
    audience: Audience = next((a for a in AUDIENCES if a == row.audience), "all")
    links = tuple(Link(str(t), str(u)) for t, u in row.links)
    return EntryEdit(
        row.entry_id, row.category, audience, row.title, row.answer, tuple(row.questions),
        links, tuple(row.related), row.created_at.date(), row.active,
    )  # fmt: skip


async def refresh(
    faq: FaqService, repo: Repositories, every: float, *, wait: bool = False
) -> bool:
    """Rebuild when another instance changed the knowledge base; True if a rebuild started.

    Reads one number at most once per `every` seconds. The rebuild runs in a thread in the
    background (`wait`: until it is served), so the question that noticed the change is
    answered at once by the live matcher, and so are the ones arriving meanwhile.
    """
    now = time.monotonic()
    if now - faq.checked_at < every or faq.rebuilding:
        return False
    faq.checked_at = now
    try:
        version = await repo.faq_kb.version()
        if version == faq.version:
            return False
        additions = await load_additions(repo, version)
    except SQLAlchemyError as exc:  # the question is still answered, from the live base
        log.warning("FAQ version not read, next try in %s s: %s", every, exc)
        await repo.rollback()
        return False
    faq.rebuilding = True
    task = asyncio.create_task(_rebuild(faq, additions))
    _rebuilds.add(task)
    task.add_done_callback(_rebuilds.discard)
    if wait:
        await task
    return True


_rebuilds: set[asyncio.Task[None]] = set()  # strong references while they run


async def _rebuild(faq: FaqService, additions: Additions) -> None:
    try:
        built = await asyncio.to_thread(faq.build, additions)
    except (KnowledgeBaseError, OSError) as exc:
        log.error("FAQ version %s not loaded, the old one answers: %s", additions.version, exc)
        return
    finally:
        faq.rebuilding = False
    faq.swap(built, force=additions.version < faq.version)
    log.info("FAQ version %s loaded: %d entries", additions.version, len(built.kb.entries))


@dataclass(frozen=True)
class Saved:
    """A saved change: the entry it concerns and the checker's warnings about the result."""

    entry_id: str
    title: str
    version: int
    warnings: tuple[str, ...]
    sample_id: int = 0  # the row of an attached question, for «Отменить»
    instead: str = ""  # what the bot still does with the attached question, if not answer it
    question: str = ""  # the wording saved (the asker's phone or e-mail cut out)


def instead(built: Built | FaqService, entry_id: str, question: str) -> str:
    """How the base treats an attached question when not by answering with the entry (""
    if it does): one more sample weighs in, it does not decide on its own — so staff must not
    be promised that the next parent asking so gets the entry's answer."""
    result = built.matcher.search(question)
    if result.kind == "answer" and result.match is not None:
        if result.match.id == entry_id:
            return ""
        other = built.kb.entries.get(result.match.id)
        return t.INSTEAD["answer"].format(other=other.title if other else result.match.id)
    return t.INSTEAD.get(result.kind, t.INSTEAD["unknown"])


class Refused(Exception):
    """A change the knowledge base cannot take; the message is for staff (Russian)."""


def _clean_question(question: str) -> tuple[str, tuple[str, ...]]:
    """The wording to save — one line, without the asker's phone, e-mail or name
    (`strip_contacts`, run once here) — and the notes on what was cut out."""
    question, cut = strip_contacts(question)
    if not normalize(question):
        raise Refused("В вопросе нет слов — добавлять нечего.")
    if len(question) > SAMPLE_LIMIT:
        raise Refused(
            f"Вопрос длиннее {SAMPLE_LIMIT} символов — это письмо, а не формулировка. "
            "Создайте статью и впишите короткую формулировку вопроса."
        )
    return question, cut


async def _save(
    faq: FaqService, repo: Repositories, built: Built | None, stamp: FaqEntryVersion | None = None
) -> int:
    """Bump the version, commit, and serve the new knowledge base here at once (other
    instances follow on their next `refresh`). `built` is reused when nobody changed the base
    since the version it was built on; otherwise it is rebuilt from the database. `stamp`: a
    panel version row that records the number it made, in the same transaction."""
    version = await repo.faq_kb.bump()
    if stamp is not None:
        stamp.kb_version = version
    await repo.commit()
    if built is not None and version == built.additions.version + 1:
        additions = dataclasses.replace(built.additions, version=version)
        faq.swap(dataclasses.replace(built, additions=additions))
    else:
        additions = await load_additions(repo, version)
        faq.swap(await asyncio.to_thread(faq.build, additions))
    faq.checked_at = time.monotonic()
    return version


def _warnings(built: Built, entry_id: str) -> tuple[str, ...]:
    return tuple(
        p.message for p in built.problems if p.level == "warning" and p.entry_id == entry_id
    )


async def _candidate(
    faq: FaqService, additions: Additions, placeholders: Mapping[str, str | None]
) -> Built:
    try:
        return await asyncio.to_thread(faq.candidate, additions, placeholders)
    except KnowledgeBaseError as exc:
        raise Refused(f"Проверка базы не пройдена, ничего не сохранено:\n{exc}") from exc


_locks: weakref.WeakKeyDictionary[FaqService, tuple[asyncio.AbstractEventLoop, asyncio.Lock]]
_locks = weakref.WeakKeyDictionary()


def _lock(faq: FaqService) -> asyncio.Lock:
    """One attach at a time per knowledge base in this process: two staffers tapping two
    entries for one question in the same second (Telegram and MAX, or one chat) must not both
    pass the «already in an entry» check."""
    loop = asyncio.get_running_loop()
    held = _locks.get(faq)
    if held is None or held[0] is not loop:
        held = _locks[faq] = (loop, asyncio.Lock())
    return held[1]


async def attach_question(
    faq: FaqService,
    repo: Repositories,
    placeholders: Mapping[str, str | None],
    entry_id: str,
    question: str,
    staff_id: int,
    asked_by: int | None = None,
) -> Saved:
    """Add `question` to the entry's sample questions; `Refused` says why not. `asked_by`:
    the person who asked it, so /forget_me can take their words back out."""
    async with _lock(faq):
        return await _attach(faq, repo, placeholders, entry_id, question, staff_id, asked_by)


async def _attach(
    faq: FaqService,
    repo: Repositories,
    placeholders: Mapping[str, str | None],
    entry_id: str,
    question: str,
    staff_id: int,
    asked_by: int | None,
) -> Saved:
    question, cut = _clean_question(question)
    await refresh(faq, repo, every=0, wait=True)  # check against the newest knowledge base
    entry = faq.kb.entries.get(entry_id)
    if entry is None:
        raise Refused(f"Статьи «{entry_id}» нет в базе (её могли удалить).")
    key = normalize(question)
    owner = next((e for e in faq.kb.entries.values() if key in map(normalize, e.questions)), None)
    if owner is not None:
        raise Refused(f"Такой вопрос уже есть в статье «{owner.title}» ({owner.id}).")
    if any(key in map(normalize, i.questions) for i in (*faq.kb.smalltalk, *faq.kb.offtopic)):
        raise Refused(t.SMALLTALK_TAKEN)
    additions = faq.additions.plus(samples=(StaffSample(entry_id, question),))
    built = await _candidate(faq, additions, placeholders)
    try:
        row = await repo.faq_kb.add_sample(entry_id, question, staff_id, asked_by)
    except IntegrityError as exc:  # the same question saved a moment ago by someone else
        await repo.rollback()
        raise Refused("Этот вопрос только что добавили к этой статье.") from exc
    sample_id = row.id
    version = await _save(faq, repo, built)
    await _kept_or_refused(faq, repo, entry_id, question, sample_id)
    warnings = cut + _warnings(built, entry_id)
    how = instead(built, entry_id, question)
    return Saved(entry_id, entry.title, version, warnings, sample_id, how, question)


async def _kept_or_refused(
    faq: FaqService, repo: Repositories, entry_id: str, question: str, sample_id: int
) -> None:
    """Another instance (or the web panel) gave the question to another entry in the same
    moment: the merge keeps theirs and drops this row, so take the row back and say where the
    question went, instead of «добавлен» for a wording the bot ignores."""
    key = normalize(question)
    entry = faq.kb.entries.get(entry_id)
    if entry is not None and key in map(normalize, entry.questions):
        return
    owner = next((e for e in faq.kb.entries.values() if key in map(normalize, e.questions)), None)
    await repo.faq_kb.remove_sample(sample_id)
    await _save(faq, repo, None)
    if owner is None:  # the base left it out for a reason of its own
        raise Refused("Вопрос не вошёл в статью — база его не приняла; ничего не сохранено.")
    where = f"«{owner.title}» ({owner.id})"
    raise Refused(f"Этот вопрос только что добавили к статье {where} — повторно не добавлен.")


async def undo_sample(faq: FaqService, repo: Repositories, sample_id: int) -> str | None:
    """Take back an attached question (a mis-tap); returns it, or None if already gone."""
    row = await repo.faq_kb.remove_sample(sample_id)
    if row is None:
        return None
    question = row.question
    await _save(faq, repo, None)
    return question


async def create_entry(
    faq: FaqService,
    repo: Repositories,
    placeholders: Mapping[str, str | None],
    category: str,
    title: str,
    answer: str,
    questions: list[str],
    staff_id: int,
    asked: tuple[str, int | None] | None = None,
) -> Saved:
    """A new entry with its sample questions; checked as a whole before anything is saved.
    `asked`: a person's question among `questions` and who asked it (for /forget_me)."""
    await refresh(faq, repo, every=0, wait=True)
    if faq.kb.category(category) is None:
        raise Refused(f"Раздела «{category}» нет в базе.")
    clean = {q: _clean_question(q) for q in questions}
    cleaned = list(dict.fromkeys(text for text, _ in clean.values()))
    probe = StaffEntry(f"{category}.staff-new", category, title.strip(), answer, utcnow().date())
    samples = tuple(StaffSample(probe.id, q) for q in cleaned)
    built = await _candidate(faq, faq.additions.plus(probe, samples), placeholders)
    row = await repo.faq_kb.add_entry(category, probe.title, answer, staff_id)
    asked_text = clean[asked[0]][0] if asked and asked[0] in clean else None
    for question in cleaned:
        asker = asked[1] if asked and question == asked_text else None
        await repo.faq_kb.add_sample(row.entry_id, question, staff_id, asker)
    version = await _save(faq, repo, None)  # checked with a provisional id: rebuilt
    cut = tuple(dict.fromkeys(note for _, notes in clean.values() for note in notes))
    return Saved(row.entry_id, probe.title, version, cut + _warnings(built, probe.id))


async def commit_forgotten(faq: FaqService, repo: Repositories) -> int:
    """/forget_me deleted a person's own questions from the samples (in the caller's
    transaction): commit it with a new knowledge-base version, rebuilt from the database and
    served here at once as after an attach, so the matcher no longer holds their words."""
    return await _save(faq, repo, None)


async def announce_reload(faq: FaqService, repo: Repositories) -> int:
    """After `/reload_faq` here, tell the other instances to re-read the files too: they
    rebuild on their next `refresh` (each reads its own copy of the YAML)."""
    version = await repo.faq_kb.bump()
    await repo.commit()
    faq.mark_version(version)
    return version
