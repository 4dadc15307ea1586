"""A question typed to the bot, answered the same way on every messenger.

`ask` holds the whole decision: an answer the matcher is sure of, else the open ticket (the
adapter's `follow_up`), else suggestions, a small-talk reply, «не знаю» with the offer of a
human, or the offer to send a screenshot on. Rows the reply's buttons point at are written
first; rows nothing points at go to the write-behind `QueryLog`, a direct answer's question
once the adapter has sent the answer (`deliver`), with the answer's message id.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot import texts
from bot.core import metrics
from bot.core.config import Settings
from bot.core.ids import INT32_MAX
from bot.core.markup import MESSAGE_LIMIT, clip, fill
from bot.core.words import means_cancel
from bot.services.faq import replies
from bot.services.faq.attachments import Kind, offer, untitled
from bot.services.faq.kb import FaqEntry, Intent, render_answer, render_text
from bot.services.faq.learning import refresh
from bot.services.faq.matcher import SearchResult
from bot.services.faq.querylog import QueryLog
from bot.services.faq.replies import Reply
from bot.services.faq.service import FaqService
from bot.services.faq.thanks import plain_thanks
from storage.repositories import Repositories

MAX_QUESTION = 1000
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not a stray key or digit
# the role orders near-tied entries only: as a score boost it answered 3-4 points more on the
# family-only development sets but turned away up to 13 points fewer off-topic questions
AUDIENCE_OF_ROLE = {"parent": "parents", "teacher": "teachers", "director": "organisations"}
# a question mark or an asking word: «а сколько там денег», «подскажите, где номер»
ASKING = re.compile(
    r"\?|(?<![^\W\d_])(?:как|как(?:ой|ая|ое|ие|ом|ую|их|им|ого|ому|ими|ов\w*)|где|что|чем|чего|"
    r"когда|сколько|скок|почему|зачем|"
    r"кто|куда|откуда|можно|ли|нужно|надо|подскажите|скажите|объясните|расскажите|помогите)"
    r"(?![^\W\d_])",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Whether a message is put as a question: during an open ticket a statement such as
    «ребёнку 9 лет, если это важно» is a detail for the specialist, not one for the FAQ."""
    return ASKING.search(text) is not None


FollowUp = Callable[[], Awaitable[bool]]  # joins the asker's open ticket; True if it did


def entry_view(faq: FaqService, settings: Settings, entry_id: str) -> Reply:
    """The answer and its buttons, rendered once per knowledge base."""
    view = faq.views.get(entry_id)
    if view is None:
        entry = faq.kb.entries[entry_id]
        placeholders = settings.placeholders()
        related = [faq.kb.entries[r] for r in entry.related if r in faq.kb.entries]
        buttons = replies.answer(entry, related, placeholders)
        view = Reply(render_answer(entry, placeholders), buttons, answered=True)
        faq.views[entry_id] = view
    return view


def offered_entry(faq: FaqService, settings: Settings, item: str) -> Reply | None:
    """An entry pressed among the offers for a logged question («<query_id>-<entry_id>», see
    `replies.offered`): the answer, with «Спросить специалиста» carrying that question (the
    plain view asks anew, and the parent had to type it again). None for a stale button."""
    raw_id, _, entry_id = item.partition("-")
    if not raw_id.isascii() or not raw_id.isdigit() or entry_id not in faq.kb.entries:
        return None
    query_id = int(raw_id)
    view = entry_view(faq, settings, entry_id)
    if not 0 < query_id <= INT32_MAX:
        return view
    return Reply(view.text, replies.for_question(view.buttons, query_id), answered=True)


async def offers(
    faq: FaqService, repo: Repositories, user_id: int, item: str, *, role: str | None = None
) -> Reply | None:
    """«« Назад» under an entry opened from the offers for logged question `item`: those
    offers again (the matcher asked anew: the knowledge base may have changed since). None
    when the question is not this person's (gone after /forget_me, a forged button) or
    nothing is offered for it now."""
    if not item.isascii() or not item.isdigit() or not 0 < int(item) <= INT32_MAX:
        return None
    row = await repo.faq_log.get(int(item))
    if row is None or row.user_id != user_id:
        return None
    result = faq.matcher.search(row.text, audience=AUDIENCE_OF_ROLE.get(role or ""))
    offered = _suggested(faq, result)
    if not offered:
        return None
    if result.kind == "suggest":
        return Reply(texts.FAQ_SUGGEST, replies.suggestions(offered, row.id))
    return Reply(texts.FAQ_UNKNOWN_TOPICS, replies.nearest(offered, row.id))


def categories(faq: FaqService) -> Reply:
    return Reply(texts.FAQ_CATEGORIES, replies.categories(faq.kb.categories))


def category(faq: FaqService, category_id: str) -> Reply | None:
    """One category's topics; None when the knowledge base no longer has it."""
    found = faq.kb.category(category_id)
    if found is None:
        return None
    topics = replies.topics(faq.kb.entries_in(found.id))
    return Reply(fill(texts.FAQ_TOPICS, title=found.title), topics)


async def ask(
    faq: FaqService,
    repo: Repositories,
    querylog: QueryLog,
    settings: Settings,
    user_id: int,
    text: str,
    *,
    role: str | None = None,
    follow_up: FollowUp | None = None,
    picture: int | None = None,
    attachment: Kind = "picture",
) -> Reply | None:
    """The reply to a typed question (or a picture's caption, `picture` being the picture's
    message id, `attachment` whether it is a picture or a file); None when `follow_up` added
    it to the open ticket, which answers itself.

    A question the FAQ answers confidently is answered even while a ticket is open (with a
    picture, the adapter adds it to the ticket after sending the answer: `Reply.answered`); a
    statement joins the open ticket however sure the matcher is."""
    if means_cancel(text) and picture is None:  # «стоп», «отмена»: no dialog open to end
        if follow_up is not None and await follow_up():
            return None  # during a ticket it is said to the specialist, as before
        return Reply(texts.NOTHING_TO_CANCEL_TYPED, replies.all_topics())
    await refresh(faq, repo, settings.faq_sync_seconds)  # staff may have taught it something
    result: SearchResult | None = None
    thanks = plain_thanks(text)  # «благодарим», «спасибо за ответ»: no question to look up
    if WORD.search(text) and len(text) <= MAX_QUESTION:
        result = faq.matcher.search(text, audience=AUDIENCE_OF_ROLE.get(role or ""))
        metrics.faq_outcome(result.kind)
        if result.kind == "answer" and result.match is not None and not thanks:
            if follow_up is not None and not asks(text) and await follow_up():
                return None  # a detail for the open ticket, not a new question
            # nothing in the reply points at the log row, so it is written in the background,
            # with the answer's message id: «Спросить специалиста» under the answer finds it
            # by that (bot.services.tickets.escalation.answered_question)
            held = querylog.hold(user_id, text, result.match.id, result.match.score, picture)
            return replace(entry_view(faq, settings, result.match.id), held=held)
    if follow_up is not None and await follow_up():
        return None
    if picture is not None:
        return await _offer_screenshot(faq, repo, user_id, text, result, picture, attachment)
    if result is None:
        return await _not_a_question(repo, user_id, text)
    if thanks and result.kind != "smalltalk":
        return _thanked(faq, settings, querylog, user_id, text)
    return await _not_answered(faq, settings, repo, querylog, user_id, text, result)


def _thanked(
    faq: FaqService, settings: Settings, querylog: QueryLog, user_id: int, text: str
) -> Reply:
    """A plain thanks the matcher took for a question (its samples hold only the common
    wordings): answered as its own «thanks» small talk is, not with «не нашёл» and articles."""
    querylog.add(user_id, text, "smalltalk", None, 0.0)
    intent = next((i for i in faq.kb.smalltalk if i.id == "thanks"), None)
    if intent is None:  # a region's own intents without one
        return Reply(texts.TICKET_THANKS)
    return Reply(render_text(intent.reply, settings.placeholders()))


async def deliver(
    querylog: QueryLog, reply: Reply, send: Callable[[Reply], Awaitable[int]]
) -> None:
    """Send `reply` by the adapter's `send` (which returns the sent message's id); the
    question a direct answer replied to is logged with that id, or without one if the send
    failed. Every adapter sends `ask`'s replies through here."""
    answer_id: int | None = None
    try:
        answer_id = await send(reply)
    finally:
        if reply.held is not None:
            querylog.release(reply.held, answer_id)


_OPENS_TOPICS = frozenset({"greeting", "bot_identity"})
"""«Привет», «что ты умеешь»: the reply invites a choice of topic, so it carries the topics; MAX
has no menu under the input field to choose from."""


def _offers_human(intent: Intent) -> bool:
    """Off-topic questions and «позовите человека» get «Спросить специалиста»; greetings don't."""
    return intent.kind == "offtopic" or intent.id == "human_request"


def _suggested(faq: FaqService, result: SearchResult) -> list[FaqEntry]:
    return [faq.kb.entries[c.id] for c in result.offered if c.id in faq.kb.entries]


async def _not_a_question(repo: Repositories, user_id: int, text: str) -> Reply:
    if not WORD.search(text):  # «1», «?», «а»: nothing to look up, nothing worth logging
        return Reply(texts.FAQ_NO_WORDS, replies.all_topics())
    # a whole Telegram message is kept: it may be one part of a longer one («Спросить
    # специалиста» joins the parts, bot.services.tickets.split)
    row = await repo.faq_log.add(user_id, text[:MESSAGE_LIMIT], "too_long", None, 0.0)
    await repo.commit()
    too_long = fill(texts.TOO_LONG, length=len(text), limit=MAX_QUESTION)
    return Reply(too_long, replies.unknown(row.id))


async def _not_answered(
    faq: FaqService,
    settings: Settings,
    repo: Repositories,
    querylog: QueryLog,
    user_id: int,
    text: str,
    result: SearchResult,
) -> Reply:
    best = result.candidates[0] if result.candidates else None
    score = best.score if best else 0.0
    if result.intent is not None and not _offers_human(result.intent):  # «спасибо», «привет»
        querylog.add(user_id, text, result.kind, None, score)
        reply = render_text(result.intent.reply, settings.placeholders())
        opens = result.intent.id in _OPENS_TOPICS
        return Reply(reply, replies.all_topics() if opens else ())
    # the buttons carry the row id: «Спросить специалиста» forwards that very question
    row = await repo.faq_log.add(user_id, text, result.kind, None, score)
    await repo.commit()
    if result.kind == "suggest":
        return Reply(texts.FAQ_SUGGEST, replies.suggestions(_suggested(faq, result), row.id))
    if result.intent is not None:
        reply = render_text(result.intent.reply, settings.placeholders())
        return Reply(reply, replies.unknown(row.id))
    if offered := _suggested(faq, result):
        return Reply(texts.FAQ_UNKNOWN_TOPICS, replies.nearest(offered, row.id))
    return Reply(texts.FAQ_UNKNOWN, replies.unknown(row.id))


async def _offer_screenshot(
    faq: FaqService,
    repo: Repositories,
    user_id: int,
    text: str,
    result: SearchResult | None,
    picture: int,
    attachment: Kind,
) -> Reply:
    """The picture or file is remembered by its message id; the offer's buttons carry the
    log row, whose question names what was sent when there is no caption."""
    kind = result.kind if result is not None else "media"
    score = result.candidates[0].score if result and result.candidates else 0.0
    question = clip(text, 4000) or untitled(attachment)
    row = await repo.faq_log.add(user_id, question, kind, None, score, message_id=picture)
    await repo.commit()
    if result is not None and result.kind == "suggest":
        return Reply(texts.FAQ_SUGGEST, replies.suggestions(_suggested(faq, result), row.id))
    return Reply(offer(attachment, bool(text)), replies.screenshot(row.id))
