"""/faq_drafts and /reload_faq for МОЦ staff in either messenger: a page of the drafts saved
from answered tickets, and re-reading the knowledge base files without a restart.

The adapters check the role and send what comes back (Telegram edits the page in place, MAX
replaces the pressed message); the page buttons are `fqd:<page>`, Telegram's FaqDraftsCb.
"""

from __future__ import annotations

import asyncio
import logging

from bot import texts
from bot.core.markup import clip, fill
from bot.core.messages import Button, Keyboard, pack
from bot.services.faq.kb import KnowledgeBaseError
from bot.services.faq.learning import announce_reload
from bot.services.faq.service import FaqService
from bot.texts import faq_learn as t
from storage.repositories import Repositories

log = logging.getLogger(__name__)
DRAFTS_PAGE = 5


async def drafts_page(repo: Repositories, page: int) -> tuple[str, Keyboard | None]:
    """One page of drafts, newest first: 5 × (300 + 300) characters stay under 4,000."""
    page = max(page, 0)
    drafts = await repo.faq_log.drafts(limit=DRAFTS_PAGE + 1, offset=page * DRAFTS_PAGE)
    if not drafts:
        return texts.FAQ_DRAFTS_EMPTY, None
    blocks = [
        fill(
            texts.FAQ_DRAFT_LINE,
            id=d.id,
            ticket=d.ticket_id or "—",
            question=clip(d.question, 300),
            answer=clip(d.answer, 300),
        )
        for d in drafts[:DRAFTS_PAGE]
    ]
    # «➕ №N»: the draft's question into the base — «➕ В базу» of its ticket (attach to an
    # entry, or a new entry whose answer staff paste from the draft)
    learn = tuple(
        Button(t.BTN_DRAFT_TO_KB.format(id=d.id), pack("kb", "pick", "t", d.ticket_id, ""))
        for d in drafts[:DRAFTS_PAGE]
        if d.ticket_id is not None
    )
    buttons: list[Button] = []
    if page > 0:
        buttons.append(Button(texts.BTN_PREV_PAGE, pack("fqd", page - 1)))
    if len(drafts) > DRAFTS_PAGE:
        buttons.append(Button(texts.BTN_MORE_PAGE, pack("fqd", page + 1)))
    keyboard = tuple(row for row in (learn, tuple(buttons)) if row)
    hint = t.DRAFTS_HINT if learn else ""
    return "\n\n".join(blocks) + hint, keyboard or None


async def reload(faq: FaqService, repo: Repositories) -> str:
    """Re-read and re-check the KB files; a broken edit keeps the old KB and says why."""
    try:
        kb = await asyncio.to_thread(faq.reload)  # ~1.5 s of training: never block updates
    except (KnowledgeBaseError, OSError) as exc:
        log.warning("FAQ reload failed: %s", exc)
        return fill(texts.FAQ_RELOAD_FAILED, error=clip(str(exc), 1500))
    await announce_reload(faq, repo)  # other instances re-read their files too
    return fill(texts.FAQ_RELOADED, entries=len(kb.entries), categories=len(kb.categories))
