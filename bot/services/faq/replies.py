"""What the FAQ shows, as neutral values: a text and rows of buttons, for any messenger.

Button actions are packed exactly as the Telegram adapter's CallbackData classes pack them
(`handlers.tg.callbacks.FaqCb` «faq:<action>:<id>», `AskCb` «ask:<query_id>»), so a press on
either messenger comes back to the same handler.

An entry offered for a question the FAQ was unsure of («Возможно, вы имели в виду…», «не
нашёл» with the nearest entries) is «faq:s:<query_id>-<entry_id>»: the answer it opens keeps
the logged question, so «Спросить специалиста» under it forwards that question, and its
«« Назад» («faq:o:<query_id>») brings the offers back, so another of them is a tap away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot import texts
from bot.core.messages import ACTION_LIMIT, Button, Keyboard, pack, rows
from bot.services.faq.kb import Category, FaqEntry, render_links
from bot.texts import faq_learn as shot_texts

FAQ, ASK = "faq", "ask"  # the prefixes of FaqCb and AskCb


@dataclass(frozen=True)
class Reply:
    """One message of the FAQ; `answered`: an entry of the knowledge base answered; `held`:
    the `QueryLog` key of the question it answers, released with the message id once sent
    (`consult.deliver`)."""

    text: str
    buttons: Keyboard = ()
    answered: bool = False
    held: int | None = None


def browse(action: str, item_id: str = "") -> str:
    """«cats» (all categories), «cat» (one category), «e» (one entry)."""
    return pack(FAQ, action, item_id)


def ask(query_id: int = 0) -> str:
    """Hand a question to a human; `query_id`: the logged question (0: ask anew)."""
    return pack(ASK, query_id)


def offered(entry: FaqEntry, query_id: int) -> Button:
    """An entry offered for the logged question `query_id`; a plain entry button when the
    pair would not fit a payload (a very long id taught from the panel)."""
    action = browse("s", f"{query_id}-{entry.id}")
    if len(action.encode()) > ACTION_LIMIT:
        action = browse("e", entry.id)
    return Button(entry.title, action)


def for_question(buttons: Keyboard, query_id: int) -> Keyboard:
    """An entry's buttons as opened from an offer: «Спросить специалиста» carries the logged
    question, the related entries keep carrying it, and «« Назад» goes back to the offers
    (not to the entry's category, where the other offers were lost)."""
    ask_anew, prefix, category = ask(), browse("e", ""), browse("cat", "")

    def keep(button: Button) -> Button:
        if button.action == ask_anew:
            return Button(button.label, ask(query_id))
        if button.action is not None and button.action.startswith(category):
            return Button(button.label, browse("o", str(query_id)))
        if button.action is not None and button.action.startswith(prefix):
            related = browse("s", f"{query_id}-{button.action.removeprefix(prefix)}")
            if len(related.encode()) <= ACTION_LIMIT:
                return Button(button.label, related)
        return button

    return tuple(tuple(keep(button) for button in row) for row in buttons)


def categories(items: Sequence[Category]) -> Keyboard:
    buttons = [
        Button(f"{c.emoji} {c.title}" if c.emoji else c.title, browse("cat", c.id)) for c in items
    ]
    return rows(*buttons, Button(texts.BTN_ASK_INLINE, ask()))


def topics(entries: Iterable[FaqEntry]) -> Keyboard:
    buttons = [Button(entry.title, browse("e", entry.id)) for entry in entries]
    return rows(*buttons, Button(texts.BTN_BACK, browse("cats")))


def answer(
    entry: FaqEntry, related: Sequence[FaqEntry], placeholders: Mapping[str, str | None]
) -> Keyboard:
    """Under an answer: its links, related topics, the way back, and a human."""
    links = [Button(link.title, url=link.url) for link in render_links(entry, placeholders)]
    others = [Button(f"→ {other.title}", browse("e", other.id)) for other in related]
    back = Button(texts.BTN_BACK, browse("cat", entry.category))
    return rows(*links, *others, back, Button(texts.BTN_ASK_INLINE, ask()))


def suggestions(entries: Sequence[FaqEntry], query_id: int) -> Keyboard:
    buttons = [offered(entry, query_id) for entry in entries]
    return rows(*buttons, Button(texts.BTN_ASK_INLINE, ask(query_id)))


def nearest(entries: Sequence[FaqEntry], query_id: int) -> Keyboard:
    """«Не нашёл» with the closest entries: each a tap away, the specialist and the topics."""
    buttons = [offered(entry, query_id) for entry in entries]
    return rows(
        *buttons,
        Button(texts.BTN_ASK_SHORT, ask(query_id)),
        Button(texts.BTN_CATEGORIES, browse("cats")),
    )


def all_topics() -> Keyboard:
    """The one way on from a message with no words (emoji, «?»): every topic."""
    return rows(Button(texts.BTN_CATEGORIES, browse("cats")))


def unknown(query_id: int) -> Keyboard:
    return rows(
        Button(texts.BTN_ASK_SHORT, ask(query_id)), Button(texts.BTN_CATEGORIES, browse("cats"))
    )


def screenshot(query_id: int) -> Keyboard:
    return rows(
        Button(shot_texts.BTN_SEND_SHOT, ask(query_id)),
        Button(texts.BTN_CATEGORIES, browse("cats")),
    )
