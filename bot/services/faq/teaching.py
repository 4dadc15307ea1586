"""Staff teaching the FAQ from a question, the parts every messenger shares: which question a
staff button means (`src` t = a ticket, q = a logged question; always read from the database,
never from the payload), the entries to offer for it, and what staff are told once it is saved.
The saving itself is bot.services.faq.learning's."""

from __future__ import annotations

from bot.core.markup import clip, fill
from bot.services.faq.attachments import UNTITLED
from bot.services.faq.kb import FaqEntry
from bot.services.faq.learning import SAMPLE_LIMIT, Saved, refresh
from bot.services.faq.private import strip_contacts
from bot.services.faq.service import FaqService
from bot.services.faq.text import normalize
from bot.texts import faq_learn as t
from storage.repositories import Repositories

CANDIDATES = 3
FOUND_LIMIT = 8  # «🔎 Другая статья…»: the entries found for the typed words


async def _source(repo: Repositories, src: str, source_id: int) -> tuple[str, int | None] | None:
    """A ticket's or a logged unanswered question's text and asker; None when it is gone."""
    if src == "t":
        ticket = await repo.tickets.get(source_id)
        return (ticket.question, ticket.user_id) if ticket else None
    if src == "q":
        row = await repo.faq_log.get(source_id)
        return (row.text, row.user_id) if row else None
    return None


async def question_of(repo: Repositories, src: str, source_id: int) -> str | None:
    """The text to learn from: a ticket's question or a logged unanswered question."""
    found = await _source(repo, src, source_id)
    return found[0] if found else None


async def asker_of(repo: Repositories, src: str, source_id: int) -> int | None:
    """Who asked the question (the internal user id), so a sample made of it can be deleted
    with the rest of that person's data; None when the source is gone."""
    found = await _source(repo, src, source_id)
    return found[1] if found else None


async def learnable(repo: Repositories, src: str, source_id: int) -> tuple[str | None, str]:
    """(the question, "") or (None, why not: gone, or a picture without words)."""
    question = await question_of(repo, src, source_id)
    if question is None:
        return None, t.SOURCE_GONE
    if question in UNTITLED:  # a picture or a file alone: no words to learn
        return None, t.NO_WORDS
    if not normalize(strip_contacts(question)[0]):  # emoji, a phone number: nothing to learn
        return None, t.NO_WORDS_TEXT
    return question, ""


def is_letter(question: str) -> bool:
    """Too long to be one more wording of an entry: only a new entry can be made of it."""
    return len(strip_contacts(question)[0]) > SAMPLE_LIMIT


def pick_text(question: str) -> str:
    """The text above the entries offered for a question (or why there are none)."""
    return fill(t.PICK_LETTER if is_letter(question) else t.PICK, question=clip(question, 500))


async def candidates(
    faq: FaqService, repo: Repositories, every: float, question: str
) -> list[FaqEntry]:
    """The matcher's best entries for the question, on the newest knowledge base; none for a
    letter (every tap on one would be refused)."""
    if is_letter(question):
        return []
    await refresh(faq, repo, every)
    found = faq.matcher.nearest(question, limit=CANDIDATES)
    return [faq.kb.entries[id_] for id_ in found if id_ in faq.kb.entries]


async def undo_refusal(repo: Repositories, entry_id: str) -> str:
    """Why «Отменить» found no question to take back: undone already — or the entry was saved
    in the web panel since, which folded the chat's questions into its version (then only the
    panel removes it; «уже убран» would be untrue, the next parent still gets the answer)."""
    if entry_id and await repo.faq_history.of_entry(entry_id, limit=1):
        return t.UNDO_IN_PANEL
    return t.UNDO_GONE


def saved_text(saved: Saved, template: str, question: str, staff: str) -> str:
    """ATTACHED / CREATED, with the checker's warnings below; an attached question the bot
    still does not answer with the entry is not promised to be answered."""
    text = fill(
        t.ATTACHED_NOT_YET if saved.instead else template,
        question=clip(saved.question or question, 300),
        title=saved.title,
        entry=saved.entry_id,
        version=saved.version,
        staff=staff,
        instead=saved.instead,
    )
    if saved.warnings:
        text += fill(t.WARNINGS, items="\n".join(f"• {w}" for w in saved.warnings))
    return text


def search_entries(faq: FaqService, text: str) -> list[FaqEntry]:
    """«🔎 Другая статья…» in either messenger: entries whose title or id has every typed
    word, then the matcher's best guesses."""
    words = normalize(text).split()
    found = [
        e
        for e in faq.kb.entries.values()
        if words and all(w in normalize(f"{e.title} {e.id}") for w in words)
    ]
    found += [faq.kb.entries[c.id] for c in faq.matcher.search(text, limit=4).candidates]
    return list(dict.fromkeys(found))[:FOUND_LIMIT]
