"""Dates as МОЦ staff type them, read in the МОЦ's zone and returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.dates import (
    MONTHS_GENITIVE,
    DateParseError,
    ensure_future,
    format_local,
    parse_local_datetime,
    split_moments,
    to_utc,
    zone_words,
)

MOSCOW = ZoneInfo("Europe/Moscow")
# Tuesday 10 March 2026, 12:00 in Moscow
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def local(text: str, tz: ZoneInfo = MOSCOW, now: datetime = NOW) -> datetime:
    moment = parse_local_datetime(text, tz, now)
    assert moment.tzinfo is UTC
    return moment.astimezone(tz).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12.2026 15:00", datetime(2026, 12, 25, 15, 0)),
        ("25.12.26 15:00", datetime(2026, 12, 25, 15, 0)),
        ("2026-12-25 15:00", datetime(2026, 12, 25, 15, 0)),
        ("2026-12-25T15:00", datetime(2026, 12, 25, 15, 0)),
        ("  25.12.2026   в 9:05 ", datetime(2026, 12, 25, 9, 5)),
        ("25.12.2026 г. 15.30", datetime(2026, 12, 25, 15, 30)),
        ("1.4 8:00", datetime(2026, 4, 1, 8, 0)),
        ("25 декабря 15:00", datetime(2026, 12, 25, 15, 0)),
        ("5 Января 2027 в 10:00", datetime(2027, 1, 5, 10, 0)),
        ("сегодня 18:00", datetime(2026, 3, 10, 18, 0)),
        ("Завтра 10:00", datetime(2026, 3, 11, 10, 0)),
        ("послезавтра в 9:30", datetime(2026, 3, 12, 9, 30)),
        ("пн 10:00", datetime(2026, 3, 16, 10, 0)),
        ("в понедельник 10:00", datetime(2026, 3, 16, 10, 0)),
        ("в среду 14:00", datetime(2026, 3, 11, 14, 0)),
        ("в пятницу в 17:45", datetime(2026, 3, 13, 17, 45)),
        ("во вторник 10:00", datetime(2026, 3, 17, 10, 0)),  # today is Tuesday: next week
        ("вс 23:59", datetime(2026, 3, 15, 23, 59)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 декабря 2026 года 10:00", datetime(2026, 12, 15, 10, 0)),
        ("15.12.2026 года 10:00", datetime(2026, 12, 15, 10, 0)),
        ("15 дек 10:00", datetime(2026, 12, 15, 10, 0)),
        ("15 дек. 10:00", datetime(2026, 12, 15, 10, 0)),
        ("1 сент. 2026 г. в 9:00", datetime(2026, 9, 1, 9, 0)),
        ("3 февр 10:00", datetime(2027, 2, 3, 10, 0)),
        ("15 Мар 10:00", datetime(2026, 3, 15, 10, 0)),
        ("10:00 15.12", datetime(2026, 12, 15, 10, 0)),
        ("в 10:00 15 декабря", datetime(2026, 12, 15, 10, 0)),
        ("10:00 завтра", datetime(2026, 3, 11, 10, 0)),
        ("10:00, 15 декабря", datetime(2026, 12, 15, 10, 0)),
        ("15/12 10:00", datetime(2026, 12, 15, 10, 0)),
        ("15/12/2026 10:00", datetime(2026, 12, 15, 10, 0)),
        ("Завтра, 10:00", datetime(2026, 3, 11, 10, 0)),
        ("завтра, в 10", datetime(2026, 3, 11, 10, 0)),
        ("15 декабря, 10:00", datetime(2026, 12, 15, 10, 0)),
    ],
)
def test_forms_a_methodist_types_beside_the_usual_ones(text: str, expected: datetime) -> None:
    assert local(text) == expected


def test_a_comma_still_separates_meetings_unless_a_bare_time_follows_a_day() -> None:
    assert split_moments("23.03 10:00, 30.03 10:00") == ["23.03 10:00", "30.03 10:00"]
    assert split_moments("23.03, 30.03") == ["23.03", "30.03"]  # two days, each missing a time
    assert split_moments("23.03, 10.04") == ["23.03", "10.04"]  # a day, not «10.04» o'clock
    assert split_moments("Завтра, 10:00; 17.12, в 9\n") == ["Завтра 10:00", "17.12 в 9"]
    assert split_moments("завтра 10:00, 11:00") == ["завтра 10:00", "11:00"]  # not glued
    with pytest.raises(DateParseError, match="Не хватает даты"):
        parse_local_datetime(split_moments("завтра 10:00, 11:00")[1], MOSCOW, NOW)


def test_result_is_utc_for_the_zone() -> None:
    assert parse_local_datetime("25.12.2026 15:00", MOSCOW, NOW) == datetime(
        2026, 12, 25, 12, 0, tzinfo=UTC
    )


def test_day_and_month_this_year_or_next_whichever_is_ahead() -> None:
    assert local("10.03 13:00") == datetime(2026, 3, 10, 13, 0)  # later today
    assert local("01.02 10:00") == datetime(2027, 2, 1, 10, 0)  # over a month ago: next year
    assert local("10.03.2027 11:00") == datetime(2027, 3, 10, 11, 0)  # next year, said so
    leap_eve = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)
    assert local("29.02 10:00", now=leap_eve) == datetime(2028, 2, 29, 10, 0)


@pytest.mark.parametrize(
    "text", ["10.03 11:00", "01.03 10:00", "10 марта 11:00", "01.03 10.12", "10:00 01.03"]
)
def test_a_yearless_day_just_passed_is_a_slip_not_next_year(text: str) -> None:
    """An hour or nine days ago is a typo or a past day, not a date eleven months away."""
    with pytest.raises(DateParseError) as caught:
        local(text)
    assert "уже прошло" in str(caught.value) and "с годом" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31.02.2026 10:00", "Такой даты нет"),
        ("29.02.2026 10:00", "Такой даты нет"),
        ("31.04 10:00", "Такой даты нет"),
        ("29.02 10:00", "Такой даты нет"),  # neither 2026 nor 2027 is a leap year
        ("13.13.2026 10:00", "Такой даты нет"),
        ("25.12.2026 24:00", "Такого времени нет"),
        ("25.12.2026 10:60", "Такого времени нет"),
        ("25.12.3026 10:00", "Проверьте год"),
        ("25.12.2026", "Не хватает времени"),
        ("завтра", "Не хватает времени"),
        ("через час", "Не понял"),
        ("", "Не понял"),
        ("<b>25.12</b> 10:00", "Не понял"),
    ],
)
def test_refused_with_a_russian_reason(text: str, words: str) -> None:
    with pytest.raises(DateParseError, match=words):
        parse_local_datetime(text, MOSCOW, NOW)


def test_error_never_repeats_raw_input() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_local_datetime("<script>", MOSCOW, NOW)
    assert "<script>" not in str(caught.value)


def test_relative_days_follow_the_local_date_not_utc() -> None:
    # 23:30 UTC on 10 March is already 11 March 11:30 in Kamchatka (UTC+12)
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    kamchatka = ZoneInfo("Asia/Kamchatka")
    assert local("сегодня 18:00", kamchatka, late) == datetime(2026, 3, 11, 18, 0)
    assert local("завтра 10:00", kamchatka, late) == datetime(2026, 3, 12, 10, 0)
    assert parse_local_datetime("сегодня 18:00", kamchatka, late) == datetime(
        2026, 3, 11, 6, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [
        ("Europe/Kaliningrad", 13),  # UTC+2
        ("Europe/Moscow", 12),  # UTC+3
        ("Europe/Samara", 11),  # UTC+4
        ("Asia/Yekaterinburg", 10),  # UTC+5
        ("Asia/Omsk", 9),  # UTC+6
        ("Asia/Krasnoyarsk", 8),  # UTC+7
        ("Asia/Irkutsk", 7),  # UTC+8
        ("Asia/Yakutsk", 6),  # UTC+9
        ("Asia/Vladivostok", 5),  # UTC+10
        ("Asia/Magadan", 4),  # UTC+11
        ("Asia/Kamchatka", 3),  # UTC+12
    ],
)
def test_every_russian_zone(zone: str, utc_hour: int) -> None:
    """No daylight saving in Russia since 2014: summer and winter give the same offset."""
    tz = ZoneInfo(zone)
    for text, day in (("25.12.2026 15:00", 25), ("25.06.2026 15:00", 25)):
        moment = parse_local_datetime(text, tz, NOW)
        assert (moment.day, moment.hour) == (day, utc_hour)


def test_clock_change_gap_is_refused_and_overlap_takes_the_first() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # 29.03.2026 02:00 → 03:00; 25.10.2026 03:00 → 02:00
    with pytest.raises(DateParseError, match="не бывает"):
        parse_local_datetime("29.03.2026 02:30", berlin, NOW)
    first = parse_local_datetime("25.10.2026 02:30", berlin, NOW)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert to_utc(datetime(2026, 7, 1, 12, 0), berlin) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_ensure_future_and_format_local() -> None:
    past = parse_local_datetime("01.03.2026 10:00", MOSCOW, NOW)
    with pytest.raises(DateParseError, match=r"уже прошло \(01\.03\.2026 10:00\)"):
        ensure_future(past, MOSCOW, NOW)
    yesterday = parse_local_datetime("вчера 10:00", MOSCOW, NOW)
    with pytest.raises(DateParseError, match=r"уже прошло \(09\.03\.2026 10:00\)"):
        ensure_future(yesterday, MOSCOW, NOW)
    with pytest.raises(DateParseError, match=r"уже прошло \(08\.03\.2026 18:00\)"):
        ensure_future(parse_local_datetime("позавчера 18:00", MOSCOW, NOW), MOSCOW, NOW)
    future = parse_local_datetime("завтра 10:00", MOSCOW, NOW)
    assert ensure_future(future, MOSCOW, NOW) is future
    assert format_local(future, MOSCOW) == "11.03.2026 10:00"


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_name_shown_to_teachers_is_read_back(month: int) -> None:
    """Cards and reminders write «5 декабря» from the same names staff may type."""
    name = MONTHS_GENITIVE[month - 1]
    assert local(f"5 {name} 2027 в 10:00") == datetime(2027, month, 5, 10, 0)


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Europe/Moscow", "по московскому времени"),
        ("Europe/Kaliningrad", "по местному времени (МСК−1)"),
        ("Asia/Kamchatka", "по местному времени (МСК+9)"),
        ("Asia/Kolkata", "по местному времени (МСК+2:30)"),
    ],
)
def test_the_zone_is_named_by_its_difference_from_moscow(zone: str, said: str) -> None:
    assert zone_words(ZoneInfo(zone), datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) == said
