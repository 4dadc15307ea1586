"""A plain «спасибо» after a specialist's answer: thanked, not added to the ticket.

Both messengers' follow-up handlers ask this before adding a message to the open ticket
(after «Задать уточняющий вопрос» the answered ticket is open again): a thanks there is no
question for staff and would only ping them. A thumbs-up or folded hands sent alone is a
thanks too: parents answer so as often as with words.
"""

from __future__ import annotations

import re

from storage.models import Ticket, TicketStatus
from storage.repositories import Repositories

WORD = re.compile(r"[^\W\d_]+")
THANKS = frozenset(
    {
        "спасибо", "спасибочки", "спасибки", "спс", "пасиб", "благодарю", "благодарим",
        "благодарна", "благодарен", "thanks", "thank",
    }
)  # fmt: skip
# words that may stand beside a thanks without making it a question or a new detail
COURTESY = frozenset(
    {
        "большое", "огромное", "вам", "тебе", "за", "помощь", "ответ", "ответы", "все",
        "понятно", "ясно", "поняла", "понял", "хорошо", "ок", "окей", "ok", "отлично", "супер",
        "разобралась", "разобрался", "теперь", "очень", "да", "ага", "помогли", "и", "you",
        "so", "much", "вас", "информацию", "разъяснение", "разъяснения", "подсказку",
        "консультацию",
    }
)  # fmt: skip
# a message of these alone (any number, skin tones, «!») is a thanks: 👍, 🙏🏻, ❤️, 👌
THANKS_EMOJI = frozenset("👍🙏❤♥👌🤝👏😊☺🙂🤗🥰😍💐🌹🌷🌸💖💗💕")
DECORATION = re.compile(r"[\s!.,()\U0001F3FB-\U0001F3FF\ufe0f\u200d]")  # skin tones, joiners


def plain_thanks(text: str) -> bool:
    """Only thanks and courtesy words («Спасибо, всё понятно!», «благодарю 🙏»); a message
    with anything else in it («спасибо, а справку какую?») is a follow-up."""
    words = {w.replace("ё", "е") for w in WORD.findall(text.lower())}
    if not words:  # «👍», «🙏🏻🙏🏻»: a thanks only when every sign in it is one
        signs = DECORATION.sub("", text)
        return bool(signs) and set(signs) <= THANKS_EMOJI
    return bool(words & THANKS) and words <= THANKS | COURTESY


async def thanked_after_answer(repo: Repositories, ticket: Ticket, text: str) -> bool:
    """True when `text` is a plain thanks and a specialist spoke last: the adapter thanks
    the asker instead of adding it, and a ticket reopened by «Задать уточняющий вопрос» with
    nothing asked since goes back to answered (it would wait in the open list for nothing).
    With a question still waiting for staff, the thanks joins the ticket as any message."""
    if not plain_thanks(text):
        return False
    last = await repo.tickets.last_message(ticket.id)
    if last is None or not last.from_staff:
        return False
    await repo.tickets.set_status(ticket.id, TicketStatus.ANSWERED)
    await repo.commit()
    return True
