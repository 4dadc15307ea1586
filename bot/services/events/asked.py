"""The events list asked for in words instead of with the buttons: a day or a month
(«15.12», «завтра», «семинары 15 декабря», «какие мероприятия в декабре») or the wish to
sign up («хочу на семинар», a teacher's «запишите меня»). Teachers write that way; the FAQ
answered «Напишите вопрос словами» to a date, an article to the month and the Navigator's
«как записать ребёнка в кружок» to «запишите меня».

`asked` reads the whole message; `asked_view` is the list both messengers show for it: that
day's events, the month's page of the usual list, or the list itself (its filters and paging
work on from there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.dates import MONTHS_GENITIVE
from bot.core.markup import fill
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.events.cards import list_line
from bot.services.events.listing import (
    ListFilter,
    card_button,
    list_view,
    meeting_in,
    month_bounds,
)
from bot.texts import events as t
from storage.repositories import Repositories

_RELATIVE = {"сегодня": 0, "завтра": 1, "послезавтра": 2}
_DAY = r"(?P<d>\d{1,2})(?:\.(?P<mo>\d{1,2})(?:\.(?P<y>\d{4}|\d{2}))?|\s+(?P<mname>{months}))"
_DAY_RE = re.compile(
    r"(?:^|\s)(?:на\s+)?(?:"
    + _DAY.replace("{months}", "|".join(MONTHS_GENITIVE))
    + r"|(?P<rel>"
    + "|".join(_RELATIVE)
    + r"))(?:\s+\d{4}\s*г?)?(?=$|\s)"
)
# a month in any case a question puts it: «в декабре», «на декабрь», «декабря», «на май»
_MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма[йяею]", "июн", "июл", "август", "сентябр",
    "октябр", "ноябр", "декабр",
)  # fmt: skip
_MONTH_RE = re.compile(
    r"(?<![^\W\d_])(?:" + "|".join(f"(?P<m{i}>{s})" for i, s in enumerate(_MONTH_STEMS)) + r")"
    r"(?:ь|я|е|ю|а|ом)?(?![^\W\d_])"
)
_EVENTS = re.compile(r"мероприят|семинар|мастер-?класс|вебинар|практикум|мастерск|тренинг")
# the kind a teacher names («записаться на вебинар», «мастер-класс в марте»): the list opens
# with that type chosen; one word of one kind only, else every kind
_KINDS = {
    "seminar": re.compile(r"семинар"),
    "master_class": re.compile(r"мастер-?класс"),
    "webinar": re.compile(r"вебинар"),
    "workshop": re.compile(r"мастерск|практикум"),
}
# «хочу на семинар», «запишите меня»: a wish, not a question about how (that is the FAQ's)
_SIGNUP = re.compile(r"(?<![^\W\d_])(?:хочу|хотела?|запиши(?:те)?|записать(?:ся)?)(?![^\W\d_])")
_NOT_SIGNUP = re.compile(
    r"(?<![^\W\d_])(?:как|где|почему|зачем|сколько|можно|нельзя|не|ребен\w*|сын\w*|доч\w*|"
    r"кружо?к\w*|секци\w*|навигатор\w*|сертификат\w*)(?![^\W\d_])"
)
_SIGNUP_VERB = re.compile(r"(?<![^\W\d_])(?:запиши(?:те)?|записать(?:ся)?)(?![^\W\d_])")
# a question about something around an event (its document, a reminder, a past one) is the
# FAQ's even when it names a month or a day: «сертификат за вебинар в октябре не пришёл»
_ABOUT = re.compile(
    r"(?<![^\W\d_])(?:где|куда|как|почему|зачем|серт\w*|справк\w*|документ\w*|"
    r"напоминани\w*|пришл\w*|пришел|прошл\w*|был\w*|вопрос\w*|специалист\w*)(?![^\W\d_])"
)
SIGNUP_WORDS_LIMIT = 6
_FILLER = re.compile(r"[?!,]|\b(?:какие|что|есть|будут|будет|ли|мне|пожалуйста|а)\b")


@dataclass(frozen=True)
class Asked:
    """A day (its events), a month (YYYYMM: the list's month filter), or neither: the list;
    `kind`: the type named, for the list (a day shows all of its events)."""

    day: date | None = None
    month: int = 0
    kind: str = ""


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split()).rstrip("?!. ")


def _day(match: re.Match[str], today: date) -> date | None:
    if match["rel"]:
        return today + timedelta(days=_RELATIVE[match["rel"]])
    day = int(match["d"])
    month = MONTHS_GENITIVE.index(match["mname"]) + 1 if match["mname"] else int(match["mo"])
    years = [int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)] if match["y"] else []
    for year in years or [today.year, today.year + 1]:  # without a year: the next such day
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if years or found >= today:
            return found
    return None


def asked(text: str | None, now: datetime, tz: ZoneInfo, role: str | None = None) -> Asked | None:
    """What the message asks for, or None when it is something else (a question for the
    FAQ). A date alone counts; with other words it needs an events word beside it, so
    «сертификат до 15.12» or «кружок в декабре» stay the FAQ's. A wish to sign up needs an
    events word too, unless a teacher says «запишите меня» (a parent's is a кружок; a bare
    «хочу…» is not a sign-up). Words about a document, a reminder or a past event («сертификат
    за вебинар в октябре не пришёл») keep the message the FAQ's. Measured on the development
    question sets: 4 of 3 487 questions are caught, each a plan of events for a month."""
    plain = _plain(text or "")
    if not plain or len(plain) > 80:
        return None
    today = now.astimezone(tz).date()
    day_match = _DAY_RE.search(plain)
    events_word = _EVENTS.search(plain) is not None
    bare = _FILLER.sub(" ", plain).strip()
    if _DAY_RE.fullmatch(" " + bare) is None and _ABOUT.search(plain):
        return None
    if day_match is not None and (events_word or _DAY_RE.fullmatch(" " + bare)):
        found = _day(day_match, today)
        return Asked(day=found) if found is not None else None
    month_match = _MONTH_RE.search(plain)
    named = [kind for kind, word in _KINDS.items() if word.search(plain)]
    kind = named[0] if len(named) == 1 else ""
    if month_match is None:
        return Asked(kind=kind) if _wants_to_sign_up(plain, events_word, role) else None
    if not events_word:
        return None
    month = next(i for i in range(12) if month_match[f"m{i}"]) + 1
    year = today.year if month >= today.month else today.year + 1
    return Asked(month=year * 100 + month, kind=kind)


def _wants_to_sign_up(plain: str, events_word: bool, role: str | None) -> bool:
    if len(plain.split()) > SIGNUP_WORDS_LIMIT or _NOT_SIGNUP.search(plain):
        return False
    if events_word:
        return _SIGNUP.search(plain) is not None
    return role == "teacher" and _SIGNUP_VERB.search(plain) is not None


async def asked_view(
    repo: Repositories, what: Asked, now: datetime, tz: ZoneInfo, viewer: int | None = None
) -> tuple[str, Keyboard]:
    """The month: the list's page for it. The day: its events with their cards' buttons, or
    «нет» and the whole list, so the teacher still sees what there is. The same events and
    meetings as the list shows `viewer` (a meeting under way counts, as there)."""
    if what.day is None:  # a month, or the whole list (month 0); of the kind named if any
        between = month_bounds(what.month, tz) if what.month else None
        kind = what.kind
        if kind and not await repo.events.upcoming(now, kind, between, limit=1, seated=viewer):
            kind = ""  # none of that kind: every kind rather than «nothing planned»
        flt = ListFilter(kind=kind, month=what.month)
        return await list_view(repo, flt, now, tz, viewer=viewer)
    start = datetime.combine(what.day, time(), tz)
    day = (start, start + timedelta(days=1))
    found = await repo.events.upcoming(now, between=day, seated=viewer)  # any meeting that day
    named = f"{what.day.day} {MONTHS_GENITIVE[what.day.month - 1]}"
    if not found:
        text, buttons = await list_view(repo, ListFilter(), now, tz, viewer=viewer)
        return fill(t.ASKED_DAY_NONE, day=named) + "\n\n" + text, buttons
    this_year = now.astimezone(tz).year
    meetings = sorted(((meeting_in(e, day, now), e) for e in found), key=lambda m: m[0])
    lines = [list_line(e, tz, this_year, now, at) for at, e in meetings]
    head = fill(t.ASKED_DAY_TITLE, day=named)
    shown = [card_button(e, tz, this_year, at) for at, e in meetings]
    shown.append(Button(t.BTN_TO_LIST, pack("evl", "", 0, 0)))
    return "\n\n".join([head, *lines]), rows(*shown)
