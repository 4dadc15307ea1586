"""«✏️ Новая статья» in MAX: from the «➕ В базу» picker a staffer writes an entry from the
question (title, wordings, answer, then the section by a press) — bot.services.faq.new_entry's
steps and save, as handlers/faq_learn.py in Telegram, with the same `kb:new|cat|fix` payloads.

The draft waits in the dialog's row in the database (state `kbnew`, the draft as JSON with
its step), so a restart mid-way resumes it; it holds where the question is, never its words.
Every prompt carries «Отмена»; /cancel and a typed «отмена» end it too (handlers.max.private).
The role is checked on every press (handlers.max.faq_learn) and every typed step. A section
press clears the draft before saving, and one person's updates are handled one at a time
(handlers.max.dispatch): a double tap creates one entry.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bot import texts
from bot.core.markup import q
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.faq import new_entry
from bot.services.faq.new_entry import CATEGORY, TYPED, Draft, Taken
from bot.services.faq.teaching import learnable
from bot.texts import faq_learn as t
from handlers.max import updates
from handlers.max.people import Visit

STATE = "kbnew"


def _action(action: str, value: str = "") -> str:
    """Telegram's KbCb payload for a press that is about the draft, not a question."""
    return pack("kb", action, "q", 0, value)


def _drop() -> Keyboard:
    return rows(Button(texts.BTN_CANCEL, _action("drop")))


def sections(v: Visit, *, fixes: tuple[str, ...] = ()) -> Keyboard:
    """The sections to put the entry in; «✏️ Исправить …» of `fixes` first (all of them
    under a refusal, the answer's when it was taken from a draft)."""
    steps = [Button(t.BTN_FIX[step], _action("fix", step)) for step in fixes]
    found = [
        Button(f"{c.emoji} {c.title}" if c.emoji else c.title, _action("cat", c.id))
        for c in v.ctx.faq.kb.categories
    ]
    return (*rows(*steps, *found), *_drop())


async def _draft(v: Visit) -> Draft | None:
    """The draft so far (with its "step"); None outside the dialog or for a broken row."""
    data = await v.held_dict() if v.state == STATE else {}
    return data if data.get("step") else None


async def _keep(v: Visit, draft: Draft, step: str) -> None:
    await v.hold_dict(STATE, {**draft, "step": step})


async def _ask(v: Visit, taken: Taken) -> None:
    await _keep(v, taken.draft, taken.step)
    await v.say(taken.text, sections(v, fixes=taken.fixes) if taken.step == CATEGORY else _drop())


async def begin(v: Visit, src: str, source_id: int) -> None:
    """«✏️ Новая статья» under the picker: the first step, for the question pressed on."""
    question, why_not = await learnable(v.repo, src, source_id)
    if question is None:
        await updates.answer(v.ctx, v.update, why_not)
        return
    await updates.answer(v.ctx, v.update)
    await _keep(v, await new_entry.start(v.repo, src, source_id), "title")
    await v.say(new_entry.first_prompt(t.MAX_NEW, question), _drop())


async def got_text(v: Visit, typed: str) -> None:
    """A typed step (handlers.max.private routes it here); the answer is plain text, escaped
    into the answers' HTML."""
    draft = await _draft(v)
    if not v.is_admin or draft is None:  # no longer staff, or a broken row: the draft goes
        await v.clear_state()
        await v.say(texts.ADMIN_ONLY if not v.is_admin else t.NEW_STALE)
        return
    step = str(draft.pop("step"))
    if step not in TYPED:  # the section is a press
        await v.say(t.NEW_PRESS_SECTION, sections(v))
        return
    text = q(typed) if step == "answer" else typed
    placeholders = v.ctx.settings.placeholders()
    at = updates.sent_at(v.update)
    stamp = at.timestamp() if at else None
    await _ask(v, new_entry.take(t.MAX_NEW, step, draft, text, placeholders, stamp))


async def _at_section(v: Visit) -> Draft | None:
    """The finished draft a press under the sections may act on; None (the presser told)
    for a stale or doubled press."""
    draft = await _draft(v)
    if draft is None or draft.pop("step") != CATEGORY or not new_entry.complete(draft):
        await updates.answer(v.ctx, v.update, t.NEW_STALE)
        return None
    return draft


async def section(v: Visit, category: str) -> None:
    draft = await _at_section(v)
    if draft is None:
        return
    await v.clear_state()  # before saving: a second tap finds nothing to save
    await v.drop_buttons()
    staff = (v.uid, v.user.full_name)
    try:
        outcome = await new_entry.save(
            v.ctx.faq, v.repo, v.ctx.settings.placeholders(), category, draft, staff
        )
    except SQLAlchemyError:
        await v.repo.rollback()
        await _keep(v, draft, CATEGORY)  # kept for another try
        raise
    if outcome.kept:
        await _keep(v, draft, CATEGORY)
        await v.say(outcome.text, sections(v, fixes=tuple(t.BTN_FIX)))
    else:
        await v.say(outcome.text)


async def fix(v: Visit, step: str) -> None:
    """«✏️ Исправить …» under a refusal: that step again, the rest kept."""
    draft = await _at_section(v)
    if draft is not None:
        await updates.answer(v.ctx, v.update)
        await _ask(v, new_entry.fix(t.MAX_NEW, step, draft))


async def drop(v: Visit) -> None:
    """«Отмена» under a prompt: the draft goes; a press after it ended is told so."""
    if v.state != STATE:
        await updates.answer(v.ctx, v.update, t.NEW_STALE)
        return
    await updates.answer(v.ctx, v.update)
    await v.clear_state()
    await v.say(t.NEW_DROPPED)
