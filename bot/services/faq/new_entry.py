"""«✏️ Новая статья» from a question staff pressed «➕ В базу» on, in either messenger: the
steps (title, wordings, answer, then the section), the check of each typed answer, and the
save. The adapters keep the draft (Telegram's FSM, MAX's dialog row), send what comes back in
their channel's words (`NewEntryTexts`) and lay out the buttons.

The draft holds where the question is (`src`, `id`), never its words: a parent's text must not
outlive their /forget_me in a staff member's unfinished dialog. The section is a press, so the
audience is the section's, as for every entry.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.markup import clip, fill, q, visible_len
from bot.services.faq.check import answer_errors
from bot.services.faq.learning import Refused, create_entry
from bot.services.faq.service import FaqService
from bot.services.faq.teaching import asker_of, is_letter, question_of, saved_text
from bot.texts import faq_learn as t
from bot.texts.faq_learn import NewEntryTexts
from storage.repositories import Repositories

TITLE_LIMIT = 200
ANSWER_LIMIT = 3500
TYPED = ("title", "wordings", "answer")  # the steps staff type; then the section is pressed
CATEGORY = "category"
SPLIT_SECONDS = 2.0  # the parts of a text the messenger split arrive within this of each other
Draft = dict[str, Any]


def begin(src: str, source_id: int) -> Draft:
    return {"src": src, "id": source_id}


async def start(repo: Repositories, src: str, source_id: int) -> Draft:
    """`begin`, with the answer of a /faq_drafts draft saved from this ticket (the staff's
    own words, into the answers' HTML): offered at step 3 instead of asking it again."""
    draft = begin(src, source_id)
    saved = await repo.faq_log.draft_of_ticket(source_id) if src == "t" else None
    if saved is not None and saved.answer.strip():
        draft["drafted"] = [saved.id, q(saved.answer.strip())]
    return draft


def first_prompt(words: NewEntryTexts, question: str) -> str:
    return fill(words.title, question=clip(question, 300))


@dataclass(frozen=True)
class Taken:
    """A typed answer: the draft with it, the step asked now (the same one again when the
    answer was refused) and what to say — the reason, or the next step's question."""

    draft: Draft
    step: str
    text: str
    fixes: tuple[str, ...] = ()  # «✏️ Исправить …» buttons to show with the sections


class _Refused(ValueError):
    """A typed answer the step does not take; the message is what staff are told."""


class _TooLong(_Refused):
    """Over the step's limit: the messenger may be sending the rest as more messages."""


def _value(
    words: NewEntryTexts, step: str, typed: str, placeholders: Mapping[str, str | None]
) -> str | list[str]:
    """The step's value from what was typed ("" or [] when nothing), or `_Refused`.
    `typed` is in the answers' HTML (Telegram's formatting, MAX's text escaped)."""
    limit = TITLE_LIMIT if step == "title" else ANSWER_LIMIT
    length = visible_len(typed) if step == "answer" else len(typed)  # the answer: no tags
    if length > limit:
        raise _TooLong(fill(t.NEW_TOO_LONG, length=length, limit=limit))
    text = typed.strip()
    if step == "title" and text.startswith("/"):  # «/hepl» sent to the step: not a title
        raise _Refused(t.NEW_TITLE_COMMAND)
    if step == "wordings":
        lines = [line.strip(" -•\t") for line in text.splitlines()]
        return [line for line in lines if line]
    if step == "answer" and text and (problems := answer_errors(text, placeholders)):
        reasons = "\n".join(f"• {p}" for p in problems)
        raise _Refused(fill(words.broken, reasons=clip(reasons, 3000)))
    return text


def take(
    words: NewEntryTexts, step: str, draft: Draft, typed: str,
    placeholders: Mapping[str, str | None], sent_at: float | None = None,
) -> Taken:  # fmt: skip
    """Check `typed` for `step` and move on. After a step corrected at staff's request
    (`fixing`) the other answers stand: straight back to the section. `sent_at`: when the
    message was sent (epoch seconds) — a text pasted over the messenger's limit arrives as
    several messages in a row, and the tail of a refused one must not pass for the answer."""
    draft = dict(draft)
    cut_at = draft.pop("too_long_at", None)
    rest = isinstance(cut_at, int | float) and sent_at is not None
    if rest and 0 <= float(sent_at or 0) - float(cut_at) <= SPLIT_SECONDS:
        return Taken({**draft, "too_long_at": sent_at}, step, t.NEW_TOO_LONG_REST)
    try:
        value = _value(words, step, typed, placeholders)
    except _TooLong as exc:
        return Taken({**draft, "too_long_at": sent_at}, step, str(exc))
    except _Refused as exc:
        return Taken(draft, step, str(exc))
    if not value:
        return Taken(draft, step, words.reprompt)
    draft = {**draft, step: value}
    if draft.get("fixing"):
        return Taken(draft, CATEGORY, t.NEW_FIXED)
    if step == "answer":
        return Taken(draft, CATEGORY, t.NEW_CATEGORY)
    following = TYPED[TYPED.index(step) + 1]
    if following == "answer" and (drafted := _drafted(words, draft, placeholders)):
        return drafted
    return Taken(
        draft, following, fill(words.wordings if following == "wordings" else words.answer)
    )


def _drafted(
    words: NewEntryTexts, draft: Draft, placeholders: Mapping[str, str | None]
) -> Taken | None:
    """Step 3 answered by the /faq_drafts draft the entry is made from (when it passes the
    answer's check): shown, with «✏️ Исправить ответ» beside the sections."""
    number, answer = draft.get("drafted") or (0, "")
    try:
        value = _value(words, "answer", str(answer), placeholders) if answer else ""
    except _Refused:
        return None  # asked as usual: staff write an answer the bot can send
    if not value:
        return None
    shown = clip(html.unescape(str(value)), 2500)  # the staffer's text as they typed it
    text = fill(t.NEW_FROM_DRAFT, id=number, answer=shown)
    return Taken({**draft, "answer": value}, CATEGORY, text, ("answer",))


def complete(draft: Draft) -> bool:
    """All typed steps answered: the section press may save it (a stale press may not)."""
    return all(step in draft for step in TYPED)


def fix(words: NewEntryTexts, step: str, draft: Draft) -> Taken:
    """«✏️ Исправить …» under a refusal: ask that one step again, the rest kept."""
    step = step if step in TYPED else "answer"
    if step == "title":
        text = fill(words.fix_title, title=draft.get("title", ""))
    elif step == "wordings":
        text = fill(words.fix_wordings, wordings="\n".join(draft.get("wordings", ())))
    else:
        text = fill(words.fix_answer)
    return Taken({**draft, "fixing": True}, step, text)


@dataclass(frozen=True)
class Outcome:
    """What a section press did: `kept` — refused, the draft stays at the section step
    (with «✏️ Исправить …» buttons); otherwise the dialog is over."""

    text: str
    kept: bool = False


async def save(
    faq: FaqService, repo: Repositories, placeholders: Mapping[str, str | None],
    category: str, draft: Draft, staff: tuple[int, str],
) -> Outcome:  # fmt: skip
    """Create the entry: the question (unless it is a letter), the title and the wordings as
    its samples, the asker remembered for /forget_me. The KB is rebuilt and served at once."""
    src, source_id = str(draft.get("src")), int(draft.get("id", 0))
    question = await question_of(repo, src, source_id)
    if question is None:  # the asker deleted their data meanwhile
        return Outcome(t.SOURCE_GONE)
    title = str(draft["title"])
    asked = [] if is_letter(question) else [question]  # the length once contacts are cut
    try:
        saved = await create_entry(
            faq, repo, placeholders, category, title, str(draft["answer"]),
            [*asked, title, *draft["wordings"]], staff[0],
            (question, await asker_of(repo, src, source_id)),
        )  # fmt: skip
    except Refused as exc:  # everything typed is kept: staff correct the refused part only
        reason = fill(t.REFUSED, reason=clip(str(exc), 3500))
        return Outcome(f"{reason}\n\n{t.NEW_KEPT}", kept=True)
    return Outcome(saved_text(saved, t.CREATED, question, staff[1]))
