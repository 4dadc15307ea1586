"""/faq_stats in either messenger: what people asked the bot in 30 days, how it answered,
and the newest questions it could not answer (numbered, so staff can attach one to an entry).

The adapters add their own buttons under the text (Telegram: «➕ N»); the figures are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot import texts
from bot.core.markup import clip, fill, q
from bot.services.faq.querylog import QueryLog
from bot.services.faq.service import FaqService
from storage.models import FaqQuery, utcnow
from storage.repositories import Repositories

DAYS = 30
MISSED_LIMIT = 15


@dataclass(frozen=True)
class FaqStats:
    text: str  # HTML, values escaped
    missed: tuple[int, ...]  # the logged questions numbered 1… in the text (their row ids)


def _now_answered(faq: FaqService, question: str) -> str:
    """A mark on a listed question the base answers by now (staff attached it, or an entry
    was written): the list is the staff's to-do, as the panel's «Вопросы без ответа» shows."""
    result = faq.matcher.search(question)
    if result.kind != "answer" or result.match is None or result.match.id not in faq.kb.entries:
        return ""
    return fill(texts.FAQ_STATS_NOW_ANSWERED, title=faq.kb.entries[result.match.id].title)


async def faq_stats(repo: Repositories, faq: FaqService, querylog: QueryLog) -> FaqStats:
    await querylog.flush()  # answered questions of the last second are counted too
    since = utcnow() - timedelta(days=DAYS)
    outcomes = await repo.faq_log.outcomes_since(since)
    top = await repo.faq_log.top_entries_since(since)
    newest: dict[str, FaqQuery] = {}
    for row in await repo.faq_log.unanswered_since(since, limit=MISSED_LIMIT):
        newest.setdefault(row.text, row)  # newest first; asked five times, listed once
    missed = list(newest.values())
    entries = faq.kb.entries
    top_lines = [f"{n} × {q(entries[e].title if e in entries else e)}" for e, n in top]
    missed_lines = [
        f"{n}. {q(clip(row.text, 120))}{_now_answered(faq, row.text)}"
        for n, row in enumerate(missed, start=1)
    ]
    text = texts.FAQ_STATS.format(
        total=sum(outcomes.values()),
        answered=outcomes.get("answer", 0),
        suggested=outcomes.get("suggest", 0),
        unknown=outcomes.get("unknown", 0) + outcomes.get("too_long", 0),
        offtopic=outcomes.get("offtopic", 0),
        top="\n".join(top_lines) or "—",
        missed="\n".join(missed_lines) or "—",
    )
    return FaqStats(text, tuple(row.id for row in missed))
