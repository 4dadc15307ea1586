"""What a teacher keeps of an event, through the real bot on a frozen clock: the .ics in the
phone calendar follows a renamed event (a higher SEQUENCE, or the calendar keeps the old
entry), and the participation document of a workshop lists its meetings as a Russian reader
writes dates — «8, 15 и 22 декабря 2026», not «вт, 8 декабря 2026, вт, 15 декабря 2026»."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.events.proof import dates_text
from bot.services.events.registration import ics_file
from bot.texts.events import BTN_ICS, BTN_PROOF
from storage.db import SessionMaker
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness, make_settings
from tests.helpers.events import load_event, register, seed_event, seed_teacher
from tests.helpers.panel import RecordingMessenger, client_for, sign_in

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
FIRST = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, then weekly
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: object) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")  # type: ignore[arg-type]


async def seed_workshop(sm: SessionMaker, starts: list[datetime]) -> int:
    async with sm() as session:
        repo = Repositories(session)
        event = Event(
            title="Практикум «Робототехника»", kind="workshop", starts_at=starts[0],
            duration_min=90, format="offline", place="ул. Ленина, 1, каб. 5", capacity=10,
            taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(event, starts)
        await repo.commit()
        return event.id


def ics_fields(data: bytes) -> dict[str, str]:
    """The first VEVENT's properties, unfolded as RFC 5545 says."""
    lines = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    begin = lines.index("BEGIN:VEVENT")
    found: dict[str, str] = {}
    for line in lines[begin + 1 : lines.index("END:VEVENT")]:
        name, _, value = line.partition(":")
        found.setdefault(name, value)
    return found


async def test_a_renamed_event_replaces_the_entry_in_the_teachers_calendar(
    harness: BotHarness,
) -> None:
    """The teacher put the seminar in the phone calendar from «Вы записаны»; staff rename it;
    the teacher taps «🗓 В календарь» again. The calendar replaces an entry of the same UID
    only when SEQUENCE is higher — with the old one it keeps the old title."""
    h = harness
    event_id = await seed_event(h.sessionmaker, starts_at=FIRST)
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    card = await h.say(TEACHER, f"/start event_{event_id}")
    await h.press(TEACHER, card, "✅ Записаться")
    await h.server.idle()
    (first,) = [m for m in h.server.drain(TEACHER.id) if m.document is not None]
    assert first.document is not None
    # the name the phone shows under the file: «event-1.ics» told the teacher nothing
    assert first.document.filename == "seminar-nastavnichestvo-08.12.2026.ics"
    before = ics_fields(first.document.data)

    anchor = await h.say(ADMIN, "/help")
    h.server.press_data(anchor, f"eva:edit:{event_id}", user=ADMIN)
    fields = await h.server.next_message(ADMIN.id)
    await h.press(ADMIN, fields, "Название")
    saved = await h.say(ADMIN, "Семинар «Наставничество в школе»")
    assert "Сохранено" in saved.text

    card = await h.say(TEACHER, f"/start event_{event_id}")
    h.server.press(card, BTN_ICS, user=TEACHER)
    again = await h.server.next_message(TEACHER.id)
    assert again.document is not None
    after = ics_fields(again.document.data)
    assert again.document.filename == "seminar-nastavnichestvo-v-shkole-08.12.2026.ics"
    assert after["UID"] == before["UID"]
    assert after["SUMMARY"] == "Семинар «Наставничество в школе»"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])

    h.server.press(card, BTN_ICS, user=TEACHER)  # nothing changed since: the same SEQUENCE
    third = await h.server.next_message(TEACHER.id)
    assert third.document is not None
    assert ics_fields(third.document.data)["SEQUENCE"] == after["SEQUENCE"]


async def test_a_description_edited_on_the_panel_moves_the_calendar_sequence_on(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """The panel's whole form changes only the description (no notice goes out): the file
    the teacher takes afterwards still carries a higher SEQUENCE, so the calendar updates."""
    event_id = await seed_event(sessionmaker, starts_at=FIRST)
    before = ics_fields(ics_file(await load_event(sessionmaker, event_id), settings).data)
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        csrf = await sign_in(client, settings, clock)
        page = await (await client.get(f"/web/events/{event_id}/edit")).text()
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        form |= {"description": "Возьмите с собой программу наставничества.", "csrf": csrf}
        response = await client.post(f"/web/events/{event_id}/edit", data=form)
        assert response.status == 200
    finally:
        await client.close()
    after = ics_fields(ics_file(await load_event(sessionmaker, event_id), settings).data)
    assert "программу наставничества" in after["DESCRIPTION"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def docx_table(data: bytes) -> dict[str, str]:
    document = Document(io.BytesIO(data))
    return {row.cells[0].text: row.cells[1].text for t in document.tables for row in t.rows}


async def test_the_document_of_a_workshop_lists_its_dates_readably(
    harness: BotHarness, clock: FrozenClock
) -> None:
    """Three weekly meetings, the teacher ticked present: «Дата проведения» reads
    «8, 15 и 22 декабря 2026» — with weekdays each date had a comma inside it too."""
    h = harness
    event_id = await seed_workshop(h.sessionmaker, [FIRST, FIRST + WEEK, FIRST + 2 * WEEK])
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    reg_id, _ = await register(h.sessionmaker, event_id, TEACHER)
    async with h.sessionmaker() as session:
        for at in (FIRST, FIRST + WEEK, FIRST + 2 * WEEK):  # at each: the document states each
            await Repositories(session).events.mark_attended(reg_id, True, at)
        await session.commit()

    clock.set(FIRST + 2 * WEEK + timedelta(hours=2))
    card = await h.say(TEACHER, f"/start event_{event_id}")
    h.server.press(card, BTN_PROOF, user=TEACHER)
    proof = await h.server.next_message(TEACHER.id)
    assert "8, 15 и 22 декабря 2026, 4,5 ч." in proof.text
    document = await h.server.next_message(TEACHER.id)
    assert document.document is not None
    assert docx_table(document.document.data)["Дата проведения"] == "8, 15 и 22 декабря 2026"


def test_dates_across_months_and_years_name_each_month_and_year_once() -> None:
    def held(*days: tuple[int, int, int]) -> list[tuple[datetime, datetime]]:
        starts = [datetime(y, m, d, 15, 0, tzinfo=MSK) for y, m, d in days]
        return [(s, s + timedelta(minutes=90)) for s in starts]

    nov_dec = held((2026, 11, 24), (2026, 12, 1), (2026, 12, 8))
    assert dates_text(nov_dec, MSK) == "24 ноября, 1 и 8 декабря 2026"
    new_year = held((2026, 12, 22), (2026, 12, 29), (2027, 1, 12))
    assert dates_text(new_year, MSK) == "22 и 29 декабря 2026, 12 января 2027"
    assert dates_text(held((2026, 12, 8)), MSK) == "вт, 8 декабря 2026"
