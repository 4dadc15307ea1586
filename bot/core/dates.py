"""Reading a date and time typed by МОЦ staff, the way people write them in Russian.

Staff schedule events and broadcasts from a phone: «25.12 15:00», «завтра 10:00», «в пн 9:30».
The time is meant in the МОЦ's zone (Калининград … Камчатка), while the database keeps UTC, so
«сегодня» and «завтра» are counted from the local date, not from UTC. Anything unreadable or
impossible (31.02, 25:00, an hour skipped by a clock change) raises DateParseError with a
Russian message ready to show (a day without a time, «15.12», or a time without a day is told
which half it lacks); whether the moment may be in the past is the caller's call.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from bot.texts import events_admin as t

LOCAL_FORMAT = "%d.%m.%Y %H:%M"
MAX_YEARS_AHEAD = 10
RECENT = timedelta(days=31)  # a yearless date passed this recently is a slip, not next year

_TIME = r"(?:в\s*)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})"
_WEEKDAYS = {
    "пн": 0, "понедельник": 0, "вт": 1, "вторник": 1, "ср": 2, "среда": 2, "среду": 2,
    "чт": 3, "четверг": 3, "пт": 4, "пятница": 4, "пятницу": 4, "сб": 5, "суббота": 5,
    "субботу": 5, "вс": 6, "воскресенье": 6,
}  # fmt: skip
# «вчера» is read so that a slip gets «уже прошло (…)» from ensure_future, not «Не понял»
_RELATIVE = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2}
# the one list of Russian month names, for reading («25 декабря») and showing dates
MONTHS_GENITIVE: Final = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_NOMINATIVE: Final = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
# a day written with its year: «01.09.2026», «1.9.26», «15/12/2026», «2026-09-01»
_YEAR_WORD = r"(?:\s*(?:г\.?|года?))?"  # «2026 г.», «2026 года»
_DAY_WITH_YEAR = (
    r"(?P<d>\d{1,2})[./](?P<mo>\d{1,2})[./](?P<y>\d{4}|\d{2})" + _YEAR_WORD,
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})",
)
# short month names as staff abbreviate them, «15 дек», «1 сент.», beside the full ones
_MONTH_SHORT = {
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
}  # fmt: skip
_MONTH_WORDS = {**{name: i + 1 for i, name in enumerate(MONTHS_GENITIVE)}, **_MONTH_SHORT}
_MONTH_ALTERNATIVES = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_DAY_NAMED = r"(?P<d>\d{1,2})\s+(?P<mname>" + _MONTH_ALTERNATIVES + r")\.?"  # «1 сентября»
_NAMED_YEAR = r"\s+(?P<y>\d{4})" + _YEAR_WORD  # «… 2026 г.», «… 2026 года»
_DAYS = (
    *_DAY_WITH_YEAR,
    r"(?P<d>\d{1,2})[./](?P<mo>\d{1,2})",
    _DAY_NAMED + f"(?:{_NAMED_YEAR})?",
    r"(?P<rel>" + "|".join(_RELATIVE) + ")",
    r"(?:во?\s+)?(?P<wd>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?",
)
# the day then the time, «15.12 10:00», or the time first, «10:00 15.12», «в 10:00 15 декабря»
# — first only with a colon: «01.03 10.12» stays 1 March at 10:12, never 10 December at 1:03
_TIME_FIRST = _TIME.replace("[:.]", ":")
_PATTERNS = tuple(re.compile(day + r"\s+" + _TIME) for day in _DAYS) + tuple(
    re.compile(_TIME_FIRST + r"\s+" + day) for day in _DAYS
)


def fill(template: str, **values: object) -> str:
    """Like bot.core.markup.fill (values escaped for Telegram HTML) without importing aiogram, so
    scripts and the CLI can read dates without paying for it."""
    return template.format(**{k: html.escape(str(v), quote=False) for k, v in values.items()})


class DateParseError(ValueError):
    """The text is not a date and time we can read; `str(error)` is the message for staff,
    already Telegram HTML (it repeats only a date or time it has read, never the raw input)."""


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t", r"\1 ", text)
    text = " ".join(text.split()).rstrip(".")
    text = _TIME_COMMA.sub(r"\1 ", _COMMA_TIME.sub(" ", text))  # «завтра, 10:00»
    return _WHOLE_HOUR.sub(r"в \1:00", text)


def _clock(match: re.Match[str]) -> time:
    hour, minute = int(match["h"]), int(match["mi"])
    if hour > 23 or minute > 59:
        raise DateParseError(fill(t.DATE_NO_SUCH_TIME, time=f"{hour}:{minute:02d}"))
    return time(hour, minute)


def _day(year: int, month: int, day: int, now_local: datetime) -> date:
    if not now_local.year - MAX_YEARS_AHEAD <= year <= now_local.year + MAX_YEARS_AHEAD:
        raise DateParseError(fill(t.DATE_BAD_YEAR, year=year))
    try:
        return date(year, month, day)
    except ValueError:
        shown = f"{day:02d}.{month:02d}.{year}"
        raise DateParseError(fill(t.DATE_NO_SUCH_DAY, day=shown)) from None


def _year(raw: str) -> int:
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _without_year(month: int, day: int, at: time, now_local: datetime) -> date:
    """This year's date if it is still ahead, otherwise next year's (29.02 finds a leap year)
    — but a day passed within RECENT is a slip («10.03 11:00» typed at noon on 10.03), not a
    date eleven months away: that is refused as past, with the way to mean next year."""
    for year in (now_local.year, now_local.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        moment = datetime.combine(candidate, at, now_local.tzinfo)
        if moment > now_local:
            return candidate
        if now_local - moment < RECENT:
            shown = moment.strftime(LOCAL_FORMAT)
            raise DateParseError(
                fill(t.DATE_PAST_NO_YEAR, moment=shown, day=f"{day:02d}.{month:02d}")
            )
    raise DateParseError(fill(t.DATE_NO_SUCH_DAY, day=f"{day:02d}.{month:02d}"))


def _date(match: re.Match[str], at: time, now_local: datetime) -> date:
    groups = match.groupdict()
    today = now_local.date()
    if groups.get("rel"):
        return today + timedelta(days=_RELATIVE[groups["rel"]])
    if groups.get("wd"):
        ahead = (_WEEKDAYS[groups["wd"]] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    day = int(groups["d"])
    mname = groups.get("mname")
    month = _MONTH_WORDS[mname] if mname else int(groups["mo"])
    if groups.get("y"):
        return _day(_year(groups["y"]), month, day, now_local)
    return _without_year(month, day, at, now_local)


_DAY_PATTERNS = tuple(re.compile(p) for p in (*_DAY_WITH_YEAR, _DAY_NAMED + _NAMED_YEAR))
# a day without a time («15.12», «15 декабря», «завтра»), and a time without a day («10:00»):
# told what is missing rather than «не понял»
_DAY_ONLY = tuple(re.compile(day) for day in _DAYS)
_TIME_ONLY = re.compile(_TIME)
# «завтра в 10», «15.12 в 9 ч»: an hour after «в» without minutes means the full hour
# a comma between a day and its time, only where what follows is a bare time («завтра, 10:00»,
# «завтра, в 10») or what comes before is one («10:00, 15 декабря»): «23.03, 30.03» lists days
_HOUR_WORDS = r"(?:\s*(?:ч|час|часа|часов)\.?)?"
_BARE_TIME = r"(?:(?:в\s*)?\d{1,2}:\d{2}|в\s*\d{1,2}" + _HOUR_WORDS + ")"
_COMMA_TIME = re.compile(r"\s*,\s*(?=" + _BARE_TIME + "$)")
_TIME_COMMA = re.compile(r"^((?:в\s*)?\d{1,2}:\d{2})\s*,\s*")
_WHOLE_HOUR = re.compile(r"(?:(?<=\s)|^)в\s*(\d{1,2})(?:\s*(?:ч|час|часа|часов)\.?)?$")


def parse_local_date(text: str, today: date) -> date:
    """A day with its year, as staff type one into a period: «01.09.2026», «1.9.26»,
    «2026-09-01», «1 сентября 2026»; the same year check and messages as a date and time."""
    cleaned = _normalise(text)
    for pattern in _DAY_PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is not None:  # a year is always there: `_date` checks it and the day
            return _date(match, time(), datetime.combine(today, time()))
    raise DateParseError(t.DAY_UNREADABLE)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in `tz` as aware UTC; a time skipped by a clock change fails.

    An hour that happens twice (clocks going back) is taken at its first occurrence.
    """
    aware = local.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(fold=0):
        moment = local.strftime(LOCAL_FORMAT)
        raise DateParseError(fill(t.DATE_GAP, zone=tz.key, moment=moment))
    return utc


def parse_local_datetime(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """Read `text` as a local date and time in `tz`; return it as aware UTC.

    Accepted: «25.12.2026 15:00», «25.12.26 15:00», «2026-12-25 15:00», «25.12 15:00» (this
    year or the next, whichever is still ahead), «25 декабря 15:00», «вчера/сегодня/завтра/
    послезавтра [в] 9:30», «пн 10:00», «в понедельник 10:00» (the next such day after today).
    """
    now_local = now.astimezone(tz)
    cleaned = _normalise(text)
    for pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is not None:
            at = _clock(match)
            return to_utc(datetime.combine(_date(match, at, now_local), at), tz)
    _missing_half(cleaned)
    raise DateParseError(t.DATE_UNREADABLE)


def split_moments(text: str) -> list[str]:
    """Several moments typed in one message, split at commas, semicolons and lines — but a bare
    time after a comma is the time of the day before it («завтра, 10:00, 17.12 10:00»)."""
    parts: list[str] = []
    for part in re.split(r"[,;\n]", text):
        if parts and re.fullmatch(_BARE_TIME, _clean(part)) and _day_alone(parts[-1]):
            parts[-1] = f"{parts[-1]} {part.strip()}"
        elif part.strip():
            parts.append(part.strip())
    return parts


def _clean(text: str) -> str:
    return " ".join(text.lower().split())


def _day_alone(text: str) -> bool:
    cleaned = _normalise(text)
    return any(pattern.fullmatch(cleaned) for pattern in _DAY_ONLY)


def _missing_half(cleaned: str) -> None:
    """A day alone or a time alone: DateParseError saying which half to add (with the half
    that was read, so the example is the staff member's own)."""
    for pattern in _DAY_ONLY:
        day = pattern.fullmatch(cleaned)
        if day is not None and 1 <= int(day.groupdict().get("mo") or 1) <= 12:
            raise DateParseError(fill(t.DATE_NO_TIME, day=cleaned))
    at = _TIME_ONLY.fullmatch(cleaned)
    if at is not None and int(at["h"]) <= 23 and int(at["mi"]) <= 59:
        raise DateParseError(fill(t.DATE_NO_DAY, time=f"{int(at['h'])}:{at['mi']}"))


def ensure_future(moment: datetime, tz: ZoneInfo, now: datetime) -> datetime:
    """`moment` unchanged if it is after `now`, else DateParseError naming it in local time."""
    if moment <= now:
        raise DateParseError(fill(t.DATE_PAST, moment=format_local(moment, tz)))
    return moment


def format_local(moment: datetime, tz: tzinfo) -> str:
    """«25.12.2026 15:00» in the МОЦ's zone, for messages that echo a parsed moment."""
    return moment.astimezone(tz).strftime(LOCAL_FORMAT)


MOSCOW_OFFSET: Final = timedelta(hours=3)  # Moscow has kept UTC+3 all year since 2014


def zone_words(tz: tzinfo, now: datetime) -> str:
    """The zone as people in Russia say it: «по московскому времени», or «по местному времени
    (МСК+2)» — the difference from Moscow at `now`, not an IANA name like «Asia/Yekaterinburg»."""
    offset = now.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int((offset - MOSCOW_OFFSET).total_seconds()) // 60
    if minutes == 0:
        return t.ZONE_MOSCOW
    hours, rest = divmod(abs(minutes), 60)
    shown = f"{hours}:{rest:02d}" if rest else str(hours)
    return fill(t.ZONE_LOCAL, diff=f"{'+' if minutes > 0 else '−'}{shown}")
