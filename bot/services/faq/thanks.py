"""What counts as a plain thanks («Спасибо, всё понятно!», «благодарю 🙏», 👍): the FAQ answers
it as small talk whatever the matcher makes of the words, and a ticket's follow-up does not
pass it on to staff (bot.services.tickets.thanks). One list for both."""

from __future__ import annotations

import re

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
