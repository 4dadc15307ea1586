"""МОЦ staff teach the FAQ from MAX in two taps: «➕ В базу» under a ticket card or «➕ N» under
/faq_stats shows the matcher's best entries for the question, and a tap on one attaches the
question to it (with «↩️ Отменить» for a mis-tap) — over bot.services.faq.learning, as
handlers/faq_learn.py does in Telegram, with the same `kb:…` payloads.

«🔎 Другая статья…» asks for an entry's id or words of its title and offers what it finds
(`search_entries`, as Telegram's); «✏️ Новая статья» is handlers.max.faq_new's dialog. The
role is checked on every press; the question is read from the database, never from the
payload.
"""

from __future__ import annotations

from bot import texts
from bot.core.markup import clip, fill
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.faq import FaqEntry
from bot.services.faq.learning import Refused, attach_question, undo_sample
from bot.services.faq.teaching import (
    asker_of,
    candidates,
    is_letter,
    learnable,
    pick_text,
    question_of,
    saved_text,
    search_entries,
    undo_refusal,
)
from bot.texts import faq_learn as t
from bot.texts import max as max_texts
from handlers.max import faq_new, updates
from handlers.max.context import JsonDict, MaxContext, Routes
from handlers.max.people import Visit, as_staff

TITLE_LIMIT = 60  # a button's label
FIND_STATE = "kbfind"  # «🔎 Другая статья…» asked for words; held: "<src>:<id>"


def stats_buttons(query_ids: tuple[int, ...]) -> Keyboard | None:
    """«➕ 1», «➕ 2»… under /faq_stats: the numbered unanswered questions."""
    marks = [
        Button(t.BTN_TO_KB_N.format(n=n), pack("kb", "pick", "q", query_id, ""))
        for n, query_id in enumerate(query_ids, start=1)
    ]
    return rows(*marks, per_row=(5,)) if marks else None


def entry_buttons(src: str, source_id: int, entries: list[FaqEntry]) -> Keyboard | None:
    """One button per entry: attach the question there."""
    found = [
        Button(t.BTN_CANDIDATE.format(title=clip(entry.title, TITLE_LIMIT)), action)
        for entry in entries
        for action in [pack("kb", "a", src, source_id, entry.id)]
    ]
    return rows(*found) if found else None


async def pick(v: Visit, src: str, source_id: int) -> None:
    question, why_not = await learnable(v.repo, src, source_id)
    if question is None:
        await updates.answer(v.ctx, v.update, why_not)
        return
    await updates.answer(v.ctx, v.update)
    ctx = v.ctx
    offered = await candidates(ctx.faq, v.repo, ctx.settings.faq_sync_seconds, question)
    other = Button(t.BTN_OTHER_ENTRY, pack("kb", "find", src, source_id, ""))
    new = Button(t.BTN_NEW_ENTRY, pack("kb", "new", src, source_id, ""))
    last = (new,) if is_letter(question) else (other, new)
    await v.say(pick_text(question), (*(entry_buttons(src, source_id, offered) or ()), last))


async def find(v: Visit, src: str, source_id: int) -> None:
    """«🔎 Другая статья…»: the next words typed are an entry's id or its title's words."""
    question, why_not = await learnable(v.repo, src, source_id)
    if question is None:
        await updates.answer(v.ctx, v.update, why_not)
        return
    await updates.answer(v.ctx, v.update)
    await v.hold(FIND_STATE, f"{src}:{source_id}")
    await v.say(max_texts.KB_FIND_PROMPT)


async def got_text(v: Visit, typed: str) -> None:
    """The words for «🔎 Другая статья…»: an exact id attaches at once, as in Telegram;
    words get the entries found as buttons; nothing found asks again."""
    src, _, raw = (await v.held()).partition(":")
    source_id = updates.number(raw) or 0
    question = await question_of(v.repo, src, source_id) if v.is_admin else None
    if question is None:
        await v.clear_state()
        await v.say(t.SOURCE_GONE if v.is_admin else texts.ADMIN_ONLY)
        return
    typed = typed.strip()
    if typed in v.ctx.faq.kb.entries:
        await v.clear_state()
        await attach(v, src, source_id, typed)
        return
    found = search_entries(v.ctx.faq, typed)
    if not found:
        await v.say(t.FIND_NOTHING)
        return
    await v.clear_state()
    text = fill(t.FIND_RESULTS, question=clip(question, 300))
    await v.say(text, entry_buttons(src, source_id, found))


async def attach(v: Visit, src: str, source_id: int, entry_id: str) -> None:
    """A press on an entry (the pressed message becomes «добавлен к статье»), or its exact id
    typed after «🔎 Другая статья…» (a new message)."""
    pressed = bool(updates.callback_id(v.update))
    question, why_not = await learnable(v.repo, src, source_id)
    if question is None:
        await (updates.answer(v.ctx, v.update, why_not) if pressed else v.say(why_not))
        return
    ctx = v.ctx
    asker = await asker_of(v.repo, src, source_id)
    try:
        saved = await attach_question(
            ctx.faq, v.repo, ctx.settings.placeholders(), entry_id, question, v.uid, asker
        )
    except Refused as exc:
        await updates.answer(ctx, v.update)
        await v.say(fill(t.REFUSED, reason=clip(str(exc), 3500)))
        return
    undo = rows(Button(t.BTN_UNDO, pack("kb", "undo", "q", saved.sample_id, entry_id)))
    text = saved_text(saved, t.ATTACHED, question, v.user.full_name)
    await (v.replace(text, undo) if pressed else v.say(text, undo))


async def undo(v: Visit, sample_id: int, entry_id: str) -> None:
    """«↩️ Отменить» under «добавлен к статье»: a mis-tap must not teach a wrong answer."""
    question = await undo_sample(v.ctx.faq, v.repo, sample_id)
    if question is None:
        await updates.answer(v.ctx, v.update, await undo_refusal(v.repo, entry_id))
        return
    await v.replace(fill(t.UNDONE, question=clip(question, 300), staff=v.user.full_name))


async def callbacks(ctx: MaxContext, update: JsonDict) -> bool:
    prefix, action, src, raw, entry = (updates.payload(update).split(":", 4) + [""] * 5)[:5]
    if prefix != "kb":
        return False

    async def act(v: Visit) -> None:
        source_id = updates.number(raw)
        if source_id is None:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)
        elif action == "pick":
            await pick(v, src, source_id)
        elif action == "a" and entry:
            await attach(v, src, source_id, entry)
        elif action == "undo":
            await undo(v, source_id, entry)
        elif action == "find":
            await find(v, src, source_id)
        elif action == "new":
            await faq_new.begin(v, src, source_id)
        elif action == "cat" and entry:
            await faq_new.section(v, entry)
        elif action == "fix":
            await faq_new.fix(v, entry)
        elif action == "drop":
            await faq_new.drop(v)
        else:
            await updates.answer(ctx, update, max_texts.STALE_BUTTON)

    return await as_staff(ctx, update, act)


def register(routes: Routes) -> None:
    routes.add("message_callback", callbacks)
