"""The .ics file must survive strict calendar parsers: parse it back line by line and check.

Phones silently drop events from a file with bare LF, an unescaped comma or a Cyrillic letter
cut in half by folding, so the tests read the bytes the way RFC 5545 says a client must.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.config import Settings
from bot.core.filenames import latin_slug
from bot.services.events.ics import escape_text, event_ics, fold
from bot.services.events.registration import ics_name
from storage.models import Event, EventSession

TITLE = "Педагогическая мастерская «Проектная деятельность; от идеи, до защиты» " * 2


def _event(fmt: str = "offline", place: str = "ул. Ленина, 15; каб. 204") -> Event:
    event = Event(
        id=12, title=TITLE.strip(), kind="workshop", format=fmt, place=place, capacity=20,
        starts_at=datetime(2027, 4, 1, 12, 0, tzinfo=UTC), duration_min=90, status="published",
        description="Первая строка\nвторая, с запятой\\и слешем", speaker="Петров С. В.",
        organiser="", updated_at=datetime(2027, 1, 10, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    return event


def _sessions() -> list[EventSession]:
    days = (15, 1, 8)  # given out of order on purpose
    return [
        EventSession(id=i, starts_at=datetime(2027, 4, d, 12, 0, tzinfo=UTC), duration_min=90)
        for i, d in enumerate(days, start=3)
    ]


def _unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _props(lines: list[str], name: str) -> list[str]:
    return [line.split(":", 1)[1] for line in lines if line.split(":", 1)[0] == name]


def test_lines_folded_at_75_octets_without_splitting_letters() -> None:
    data = event_ics(_event(), _sessions(), tz_name="Europe/Moscow", url=None, show_place=True)
    physical = data.split(b"\r\n")
    assert data.endswith(b"\r\n") and physical[-1] == b""
    assert max(len(line) for line in physical) <= 75
    assert any(len(line) > 70 for line in physical)  # the long title really was folded
    for line in physical:
        line.decode("utf-8")  # raises if a character was cut in half
    assert fold("я" * 100).replace("\r\n ", "") == "я" * 100


def test_one_vevent_per_session_in_utc_with_alarm() -> None:
    data = event_ics(_event(), _sessions(), tz_name="Europe/Moscow", url=None, show_place=True)
    lines = _unfold(data)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert "METHOD:PUBLISH" in lines and lines[-1] == "END:VCALENDAR"
    assert _props(lines, "PRODID")
    assert lines.count("BEGIN:VEVENT") == 3 == lines.count("END:VEVENT")
    # by the meeting's number (not the row id): a moved event's new file keeps its UIDs
    assert _props(lines, "UID") == [
        "event-12-session-1@moc-bot", "event-12-session-2@moc-bot", "event-12-session-3@moc-bot",
    ]  # fmt: skip
    assert _props(lines, "DTSTART") == ["20270401T120000Z", "20270408T120000Z", "20270415T120000Z"]
    assert _props(lines, "DTEND")[0] == "20270401T133000Z"
    assert _props(lines, "DTSTAMP") == ["20270110T093000Z"] * 3
    assert _props(lines, "TRIGGER") == ["-PT1H"] * 3
    assert lines.count("BEGIN:VALARM") == 3
    assert _props(lines, "SUMMARY")[2].endswith("(занятие 3 из 3)")


def test_text_is_escaped() -> None:
    data = event_ics(_event(), _sessions()[:1], tz_name="Europe/Moscow", url=None, show_place=True)
    lines = _unfold(data)
    (summary,) = _props(lines, "SUMMARY")
    assert "деятельность\\; от идеи\\, до защиты" in summary
    (description,) = _props(lines, "DESCRIPTION")[:1]
    assert description.startswith("Первая строка\\nвторая\\, с запятой\\\\и слешем")
    assert "Ведущий: Петров С. В." in description
    assert _props(lines, "LOCATION") == ["ул. Ленина\\, 15\\; каб. 204"]
    assert escape_text("a\r\nb") == "a\\nb"


def test_online_link_only_when_allowed() -> None:
    event = _event("online", "https://zoom.us/j/123?pwd=x")
    hidden = _unfold(event_ics(event, [], tz_name="Europe/Moscow", url=None, show_place=False))
    shown = _unfold(
        event_ics(event, [], tz_name="Europe/Moscow", url="https://moc.example", show_place=True)
    )
    assert "zoom" not in "\n".join(hidden)
    assert _props(shown, "LOCATION") == ["https://zoom.us/j/123?pwd=x"]
    assert _props(shown, "URL") == ["https://moc.example"]
    assert _props(hidden, "UID") == ["event-12@moc-bot"]  # no sessions: the event itself


def test_the_file_is_named_by_the_title_and_the_first_meetings_day() -> None:
    """A phone shows the name under the file: «event-12.ics» told the teacher nothing. Latin
    letters, digits, «-» and «.» only: MAX's upload once wrote a Cyrillic name as «%D0%9F…», and
    «/», «:» or «?» of a title would break the name on some phones."""
    # 1 April 12:00 UTC is past midnight there: the day is the МОЦ's, 2 April
    settings = Settings(_env_file=None, timezone="Asia/Kamchatka")  # type: ignore[call-arg]
    event = _event()
    name = ics_name(event, settings)
    assert name == "pedagogicheskaya-masterskaya-proektnaya-deyatelnost-ot-idei-02.04.2027.ics"
    assert re.fullmatch(r"[a-z0-9.-]+", name)
    event.title = "Объединение: ИЗО / 5-й класс?"
    assert ics_name(event, settings) == "obedinenie-izo-5-y-klass-02.04.2027.ics"
    event.title = "🎨🎭"
    assert ics_name(event, settings) == "meropriyatie-02.04.2027.ics"
    assert latin_slug("Щука съёжилась") == "shchuka-sezhilas"
