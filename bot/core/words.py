"""Words people type instead of a command, in both messengers: «отмена» mid-dialog means
/cancel (otherwise it became the question sent to staff), «меню» means /menu (MAX has no
reply keyboard to press; the FAQ answered «не нашёл ответа»). One list for every dialog: the
parents' and teachers' and the staff event forms alike. `typed_command`: a button's label typed
as words («Все темы», «Мои данные», «мои записи») means that button's command, in MAX and in
Telegram alike (a reply keyboard hidden, an old phone: people type what the button said)."""

from __future__ import annotations

import re
import unicodedata

CANCEL_WORDS = frozenset(
    {
        "отмена", "отменить", "отмени", "стоп", "не надо", "передумал", "передумала", "выйти",
        "cancel",
    }
)  # fmt: skip

MENU_WORDS = frozenset({"меню", "главное меню", "в меню", "в начало", "старт", "start"})
# MAX has no reply keyboard: parents type what Telegram's menu or MAX's inline buttons say, and
# the FAQ matcher took «Все темы» for the staff events, «Мои данные» for the child's data
TYPED_COMMANDS = {
    "все темы": "faq", "темы": "faq", "частые вопросы": "faq",
    # «« Назад» is under every topic list and answer: typed, it got «не нашёл ответа»
    "назад": "faq", "вернуться назад": "faq",
    "помощь": "help",
    "мои данные": "my_data",
    "перенести в другой мессенджер": "move", "перенести данные": "move",
    "спросить специалиста": "ask", "задать вопрос специалисту": "ask",
    # Telegram's «🔔 Подписаться на новости» and MAX's /subscribe in its «/» list, typed
    "подписаться": "subscribe", "подписаться на новости": "subscribe",
    "подписаться на новости моц": "subscribe", "подписаться на рассылку": "subscribe",
    # the teacher's doors without their emoji: «мои записи» was the Navigator's «как записаться»
    "мероприятия": "events", "мои записи": "my_events", "мой профиль": "profile",
    "моя запись": "my_events", "мои мероприятия": "my_events",
}  # fmt: skip
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def _plain(text: str) -> str:
    return " ".join(text.lower().strip(" .!?").split())


def means_menu(text: str | None) -> bool:
    """The whole message asks for the main menu."""
    return bool(text) and _plain(text or "") in MENU_WORDS


def typed_command(text: str | None) -> str:
    """The command a whole message names by its button's words («📚 Все темы» → "faq"), or ""."""
    return TYPED_COMMANDS.get(" ".join(_EDGES.sub("", (text or "").lower()).split()), "")


def means_subscribe(text: str | None) -> bool:
    """«Подписаться на новости» typed (in Telegram too, without the button's emoji)."""
    return typed_command(text) == "subscribe"


def means_cancel(text: str | None) -> bool:
    """The whole message is one of CANCEL_WORDS (any case, a trailing «!» or «.» ignored)."""
    return bool(text) and _plain(text or "") in CANCEL_WORDS


# «Отписаться», «отпишите меня», «не присылайте новости»: the bot's own news, unless the message
# names something else one leaves (a кружок in the Navigator, a seminar: the FAQ answers those)
_UNSUB_VERB = re.compile(r"^(?:отпис|отпиш|unsubscribe)")
_STOP_SENDING = re.compile(
    r"(?<![^\W\d_])не\s+(?:надо\s+|нужно\s+|хочу\s+(?:больше\s+)?)?(?:мне\s+)?"
    r"(?:присылайте|присылай|присылать|шлите|слать|отправляйте|отправлять|получать)(?![^\W\d_])"
)  # imperative or wanted, not a complaint: «бот не присылает новости» is the FAQ's
_NEWS = re.compile(r"новост|рассыл|уведомлен|сообщени|анонс|спам|бот|моц")
_ELSEWHERE = re.compile(
    r"навигатор|кружк|кружок|секци|сертификат|пфдо|госуслуг|заняти|программ|школ|курс|"
    r"семинар|мероприят|мастер|вебинар|лекци|групп|запис|ребен|ребён|сайт|почт|канал"
)
_FILLER = frozenset(
    {"меня", "нас", "пожалуйста", "плиз", "хочу", "хотим", "хотела", "хотел", "прошу", "можно",
     "от", "всего", "всех", "вас", "вообще", "уже", "совсем", "я", "мы", "как", "мне"}
)  # fmt: skip


def folded(text: str) -> str:
    """Case and «ё» folded away, as people type («ребенку» for «Ребёнку»): for comparing."""
    return text.casefold().replace("ё", "е")


def means_unsubscribe(text: str | None) -> bool:
    """The message asks to stop the bot's news: a bare «Отписаться» / «отпишите меня», or
    «отписаться» or «не присылайте» with the news named. «Как отписаться от кружка в
    навигаторе» is the Navigator's question and stays the FAQ's."""
    plain = " ".join((text or "").lower().replace("ё", "е").split())
    if not plain or len(plain) > 120 or _ELSEWHERE.search(plain):
        return False
    words = re.findall(r"[^\W\d_]+", plain)
    verbs = [w for w in words if _UNSUB_VERB.match(w)]
    if verbs and all(w in _FILLER or _UNSUB_VERB.match(w) for w in words):
        return True
    return bool((verbs or _STOP_SENDING.search(plain)) and _NEWS.search(plain))


# letters by Unicode's category that show nothing: a «blank» message or name is made of them
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def says_something(text: str | None) -> bool:
    """A letter or a digit a reader can see: a message of zero-width characters, Hangul
    fillers, spaces or only emoji and punctuation is no question to hand to staff."""
    return any(
        (ch.isalpha() or ch.isdigit()) and ch not in BLANK_LETTERS
        for ch in text or ""
        if unicodedata.category(ch) != "Cf"
    )


# C0 controls other than tab and newlines: XML 1.0 (inside XLSX and DOCX) cannot hold them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters a spreadsheet or a Word file cannot store: a title pasted
    with a stray control character must not make the report or the document fail."""
    return _NOT_XML.sub("", text)
