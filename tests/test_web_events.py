"""«Мероприятия» of the staff web panel over real HTTP: the form checked like the bot's dialog
(errors next to the fields), an event created on the page reaching teachers in the bot's
/events, editing with notices to participants, participants and attendance, the Excel export,
cancelling, and importing a file with a bad row. Everything typed is shown escaped."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.messages import MessageRef, OutFile
from broadcasts.content import Content
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from storage.models import Broadcast, Delivery, Event, EventStatus, RegistrationStatus
from tests.conftest import TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import (
    load_event,
    register,
    registration_status,
    seed_event,
    seed_teacher,
)
from tests.helpers.panel import EVIL, RecordingMessenger, client_for, sign_in
from tests.test_e2e_moved_meetings import seed_workshop

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
START = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
SECOND = FakeUser(id=2003, first_name="Ольга", last_name="Петрова")
THIRD = FakeUser(id=2004, first_name="Иван", last_name="Кузнецов")
Client = TestClient[web.Request, web.Application]
GOOD = {
    "title": "Семинар «Проектная деятельность»", "kind": "seminar",
    "starts": "10.12.2026 15:00", "duration": "90", "format": "offline",
    "place": "ул. Ленина, 1, каб. 5", "capacity": "30", "deadline": "", "description": "",
}  # fmt: skip


class FileRecordingMessenger(RecordingMessenger):
    """Also records files (a promotion sends the event's .ics)."""

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        self.sent.append((chat_id, f"file {file.filename}"))
        return MessageRef(chat_id, len(self.sent))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> AsyncIterator[Client]:
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    yield client
    await client.close()


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


async def post(client: Client, path: str, data: Any, csrf: str) -> tuple[int, str]:
    form = {**data, "csrf": csrf} if isinstance(data, dict) else [*data, ("csrf", csrf)]
    response = await client.post(path, data=form)
    return response.status, await response.text()


async def events_in_db(sm: SessionMaker) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_pages_need_a_session_and_forms_a_csrf_token(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    event_id = await seed_event(sessionmaker, starts_at=START)
    for path in ("/web/events", "/web/events/new", f"/web/events/{event_id}", "/web/events/import",
                 f"/web/events/{event_id}/participants.xlsx"):  # fmt: skip
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/web/signin"
    assert (await client.post("/web/events/new", data=GOOD)).status == 403
    await sign_in(client, settings, clock)
    for path in ("/web/events/new", f"/web/events/{event_id}/cancel"):
        response = await client.post(path, data={**GOOD, "sure": "yes", "csrf": "forged"})
        assert response.status == 403
    assert await events_in_db(sessionmaker) == 1
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.PUBLISHED


@pytest.mark.parametrize(
    ("zone", "said"),
    [("Europe/Moscow", "ЧЧ:ММ по московскому времени."),
     ("Asia/Yekaterinburg", "ЧЧ:ММ по местному времени (МСК+2).")],
)  # fmt: skip
async def test_the_form_names_the_time_zone_as_people_say_it(
    sessionmaker: SessionMaker, clock: FrozenClock, db_path: Path, zone: str, said: str
) -> None:
    """The hint said «время Europe/Moscow», a name staff do not use."""
    settings = make_settings(db_path, web_secret="panel-test-secret", timezone=zone)
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(client, settings, clock)
        html = await (await client.get("/web/events/new")).text()
        assert said in html and zone not in html
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starts", "31.02.2027 10:00", "Такой даты нет"),
        ("starts", "01.12.2026 10:00", "уже прошло"),
        ("starts", "завтра в обед", "Не понял дату"),
        ("starts", "10.12.2026 15:00, 11.12.2026 15:00", "только для педагогической мастерской"),
        ("title", "", "Название — от 1 до 200 символов (сейчас 0)"),
        ("title", "Я" * 201, "Название — от 1 до 200 символов (сейчас 201)"),
        ("title", "/new_event", "похоже на команду"),
        ("capacity", "0", "Мест должно быть больше нуля"),
        ("capacity", "тридцать", "Число мест — целое число цифрами, например 30."),
        ("duration", "5000", "Длительность"),
        ("deadline", "11.12.2026 10:00", "позже начала"),
        ("description", "Д" * 3001, "Описание — до 3000 символов (сейчас 3001)"),
        ("format", "online", "ссылк"),
        ("kind", "party", "Выберите вид мероприятия из списка"),
    ],
)
async def test_a_wrong_field_is_explained_next_to_it_and_nothing_is_made(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker,
    field: str, value: str, message: str,
) -> None:  # fmt: skip
    csrf = await sign_in(client, settings, clock)
    status, html = await post(client, "/web/events/new", {**GOOD, field: value}, csrf)
    assert status == 400
    shown = field_error(html, "place" if field == "format" else field)
    assert message in shown, (shown, html[html.find("field-error") - 200 :][:600])
    assert await events_in_db(sessionmaker) == 0
    assert 'value="ул. Ленина, 1, каб. 5"' in html or field == "format"  # answers kept


async def test_a_workshop_takes_several_dates_and_html_titles_stay_text(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings, clock)
    form = {**GOOD, "title": f"Мастерская {EVIL}", "kind": "workshop",
            "starts": "12.12.2026 10:00, 10.12.2026 10:00", "deadline": "09.12.2026 18:00",
            "description": f"<b>не жирный</b> {EVIL}"}  # fmt: skip
    response = await client.post("/web/events/new", data={**form, "csrf": csrf})
    assert response.status == 200 and "опубликовано" in await response.text()
    event_id = int(str(response.url).rsplit("/", 1)[1].split("?")[0])
    event = await load_event(sessionmaker, event_id)
    assert event.title == f"Мастерская {EVIL}" and len(event.sessions) == 2
    assert event.starts_at == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    assert event.registration_deadline == datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    for path in ("/web/events", f"/web/events/{event_id}", f"/web/events/{event_id}/edit"):
        html = await (await client.get(path)).text()
        assert "<script>" not in html and "&lt;script&gt;" in html, path


async def test_edit_checks_like_the_bot_and_queues_notices_for_time_and_place(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    event_id = await seed_event(sessionmaker, capacity=2, starts_at=START)
    for user, name in ((TEACHER, "Сидоров Пётр"), (SECOND, "Петрова Ольга"), (THIRD, "Кузнецов")):
        await seed_teacher(sessionmaker, user, name)
        await register(sessionmaker, event_id, user)  # the third one is waiting
    csrf = await sign_in(client, settings, clock)
    page = await (await client.get(f"/web/events/{event_id}/edit")).text()
    assert 'value="10.12.2026 15:00"' in page and 'value="90"' in page
    shown = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    form = {name: shown.get(name, "") for name in ("title", "starts", "duration", "place",
                                                   "capacity", "deadline")}  # fmt: skip
    form["description"] = ""

    status, html = await post(client, f"/web/events/{event_id}/edit", {**form, "capacity": "1"},
                              csrf)  # fmt: skip
    assert status == 400 and "Уже занято мест: 2" in field_error(html, "capacity")
    status, html = await post(client, f"/web/events/{event_id}/edit",
                              {**form, "place": "ул. Мира, 5", "starts": "01.12.2026 10:00"},
                              csrf)  # fmt: skip
    assert status == 400 and "уже прошло" in field_error(html, "starts")
    assert (await load_event(sessionmaker, event_id)).place == "ул. Ленина, 1, каб. 5"

    _, html = await post(client, f"/web/events/{event_id}/edit", form, csrf)
    assert "Ничего не изменилось" in html
    _, html = await post(
        client, f"/web/events/{event_id}/edit",
        {**form, "place": "ул. Мира, 5 <актовый зал>", "title": "Новое название"}, csrf,
    )  # fmt: skip
    assert "уведомление получат записанные и ожидающие: 3" in html  # people, not broadcasts
    async with sessionmaker() as session:
        notices = (await session.scalars(select(Broadcast))).all()
        whom = (await session.scalars(select(Delivery.chat_id).order_by(Delivery.chat_id))).all()
    assert len(notices) == 2 and all("Изменилось место" in n.content for n in notices)
    assert sorted(whom) == [TEACHER.id, SECOND.id, THIRD.id]
    assert "https" not in notices[1].content  # the waiting list gets no link (as in the bot)
    event = await load_event(sessionmaker, event_id)
    assert (event.title, event.place) == ("Новое название", "ул. Мира, 5 <актовый зал>")

    # a new time and a new place saved together: one message each, not one per field
    _, html = await post(
        client, f"/web/events/{event_id}/edit",
        {**form, "title": "Новое название", "place": "ул. Садовая, 3",
         "starts": "12.12.2026 11:00"}, csrf,
    )  # fmt: skip
    assert "уведомление получат записанные и ожидающие: 3" in html
    async with sessionmaker() as session:
        later = (await session.scalars(select(Broadcast).order_by(Broadcast.id))).all()[2:]
    assert len(later) == 2  # the registered (with the .ics) and the waiting list
    for notice in later:
        assert "Изменились время и место" in notice.content
        assert "ул. Садовая, 3" in notice.content and "12 декабря 2026, 11:00" in notice.content


async def test_more_seats_move_the_waiting_list_up_and_tell_them(
    settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    messenger = FileRecordingMessenger()
    client = await client_for(settings, sessionmaker, messenger, clock)
    try:
        event_id = await seed_event(sessionmaker, capacity=1, starts_at=START)
        await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич")
        await seed_teacher(sessionmaker, SECOND, "Петрова Ольга Ивановна")
        await register(sessionmaker, event_id, TEACHER)
        reg_id, outcome = await register(sessionmaker, event_id, SECOND)
        assert outcome == "waiting"
        csrf = await sign_in(client, settings, clock)
        page = await (await client.get(f"/web/events/{event_id}/edit")).text()
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        form.pop("csrf")
        _, html = await post(client, f"/web/events/{event_id}/edit",
                             {**form, "description": "", "capacity": "2"}, csrf)  # fmt: skip
        assert "Изменения сохранены." in html
        assert await registration_status(sessionmaker, reg_id) == RegistrationStatus.REGISTERED
        assert [chat for chat, _ in messenger.sent] == [SECOND.id, SECOND.id]
        assert "Освободилось место" in messenger.sent[0][1]
    finally:
        await client.close()


async def test_participants_attendance_after_the_start_and_the_excel_export(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    event_id = await seed_event(sessionmaker, capacity=2, starts_at=START)
    other_id = await seed_event(sessionmaker, capacity=2, starts_at=START, title="Другое")
    await seed_teacher(sessionmaker, TEACHER, f"Сидоров Пётр {EVIL}", organisation="МБОУ «Лицей»")
    await seed_teacher(sessionmaker, SECOND, "Петрова Ольга Ивановна")
    await seed_teacher(sessionmaker, THIRD, "Кузнецов Иван Петрович")
    first, _ = await register(sessionmaker, event_id, TEACHER)
    second, _ = await register(sessionmaker, event_id, SECOND)
    queued, _ = await register(sessionmaker, event_id, THIRD)
    foreign, _ = await register(sessionmaker, other_id, THIRD)
    csrf = await sign_in(client, settings, clock)

    html = await (await client.get(f"/web/events/{event_id}")).text()
    assert "мест занято 2 из 2 · в листе ожидания 1" in html.replace("Мест", "мест")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "МБОУ «Лицей»" in html and "+7 900 000-00-00" in html
    assert "Лист ожидания" in html or "ожидани" in html.split("Кузнецов")[1][:300]
    assert "после начала мероприятия (10.12.2026 15:00)" in html and 'name="att"' not in html
    early = await client.post(f"/web/events/{event_id}/attendance",
                              data=[("csrf", csrf), ("att", str(first))])  # fmt: skip
    assert "только после начала" in await early.text()
    assert await registration_status(sessionmaker, first) == RegistrationStatus.REGISTERED

    clock.advance(START - NOW + timedelta(minutes=5))
    csrf = await sign_in(client, settings, clock)  # days later: a new session
    html = await (await client.get(f"/web/events/{event_id}")).text()
    assert html.count('name="att"') == 2  # the seated ones, not the waiting list
    _, html = await post(client, f"/web/events/{event_id}/attendance",
                         [("att", str(first)), ("att", str(queued)), ("att", str(foreign))],
                         csrf)  # fmt: skip
    assert "отмечено 1" in html
    assert await registration_status(sessionmaker, first) == RegistrationStatus.ATTENDED
    assert await registration_status(sessionmaker, queued) == RegistrationStatus.WAITING
    assert await registration_status(sessionmaker, foreign) == RegistrationStatus.REGISTERED
    _, html = await post(client, f"/web/events/{event_id}/attendance", [("att", str(second))],
                         csrf)  # fmt: skip
    assert await registration_status(sessionmaker, first) == RegistrationStatus.REGISTERED
    assert await registration_status(sessionmaker, second) == RegistrationStatus.ATTENDED

    export = await client.get(f"/web/events/{event_id}/participants.xlsx")
    assert export.status == 200 and "spreadsheetml" in export.headers["Content-Type"]
    assert f"uchastniki-{event_id}.xlsx" in export.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await export.read())).active
    assert sheet is not None
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("Петрова Ольга Ивановна" in c for c in cells)
    assert any("Кузнецов" in c for c in cells)


async def test_cancel_needs_the_tick_and_queues_the_notices(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    event_id = await seed_event(sessionmaker, capacity=1, starts_at=START)
    await seed_teacher(sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_teacher(sessionmaker, SECOND, "Петрова Ольга Ивановна")
    await register(sessionmaker, event_id, TEACHER)
    await register(sessionmaker, event_id, SECOND)
    csrf = await sign_in(client, settings, clock)
    _, html = await post(client, f"/web/events/{event_id}/cancel", {}, csrf)
    assert "поставьте галочку" in html
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.PUBLISHED
    _, html = await post(client, f"/web/events/{event_id}/cancel", {"sure": "yes"}, csrf)
    # two people are told (one registered, one waiting): the registered with the .ics
    told = "уведомление получат записанные и ожидающие: 2"
    assert told in html and "Изменить" not in html
    _, html = await post(client, f"/web/events/{event_id}/cancel", {"sure": "yes"}, csrf)
    assert "уже отменено" in html
    async with sessionmaker() as session:
        notices = (await session.scalars(select(Broadcast))).all()
    assert all("Мероприятие отменено" in n.content for n in notices)
    kinds = sorted(Content.from_json(n.content).kind for n in notices)
    assert kinds == ["document", "text"]  # a file takes the entry off a calendar: the seat only
    edit = await client.get(f"/web/events/{event_id}/edit")
    assert "изменить его уже нельзя" in await edit.text()


BAD_CSV = (
    "title;kind;starts_at;duration_min;format;place;capacity\n"
    "Семинар о наставничестве;seminar;2026-12-20 10:00;90;offline;ул. Ленина, 1;30\n"
    "Вебинар без ссылки;webinar;2026-12-21 10:00;60;online;просто текст;100\n"
)


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(client: Client, csrf: str, name: str, data: bytes) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", data, filename=name)
    response = await client.post("/web/events/import", data=form)
    return response.status, await response.text()


async def test_import_shows_every_bad_row_and_takes_a_good_workbook(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings, clock)
    assert "Импорт мероприятий" in await (await client.get("/web/events/import")).text()
    status, html = await upload(client, csrf, "plan.csv", BAD_CSV.encode())
    assert status == 400 and "Ничего не импортировано" in html
    assert "строка 3: место (place) — для онлайн-формата нужна ссылка" in html
    assert "строка 2" not in html
    status, html = await upload(client, csrf, "plan.pdf", b"%PDF")
    assert status == 400 and "нужен файл .csv, .xlsx" in html
    status, html = await upload(client, csrf, "plan.xlsx", b"not a zip")
    assert status == 400 and "не читается как книга Excel" in html
    assert await events_in_db(sessionmaker) == 0
    broken = "events:\n  - title: Семинар\n    place: ул. Мира: 5, каб. 2\n"  # «:» unquoted
    status, html = await upload(client, csrf, "plan.yaml", broken.encode())
    assert status == 400 and "строка 3: ошибка разметки YAML: двоеточие не на месте" in html
    assert "mapping values" not in html  # PyYAML's English is not shown
    quoted = 'events:\n  - title: "Семинар\n    kind: seminar\n'
    status, html = await upload(client, csrf, "plan.yml", quoted.encode())
    assert "строка 2: ошибка разметки YAML: не закрыта кавычка" in html and "scalar" not in html
    assert await events_in_db(sessionmaker) == 0

    workbook = xlsx([
        ["title", "kind", "starts_at", "duration_min", "format", "place", "capacity"],
        [f"Семинар {EVIL}", "seminar", datetime(2026, 12, 20, 10, 0), 90, "offline", "Мира, 5",
         30],
        ["Вебинар", "Вебинар", "2026-12-21 10:00", 60, "online", "https://moc.example/w", 100],
    ])  # fmt: skip
    status, html = await upload(client, csrf, "plan.xlsx", workbook)
    assert status == 200 and "Импорт: обновлено 0, без изменений 0, новых 2." in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    status, html = await upload(client, csrf, "plan.xlsx", workbook)  # sent again: no copies
    assert status == 200 and "Импорт: обновлено 0, без изменений 2, новых 0." in html
    assert await events_in_db(sessionmaker) == 2
    event = await load_event(sessionmaker, 1)
    assert event.starts_at == datetime(2026, 12, 20, 7, 0, tzinfo=UTC) and event.capacity == 30


async def test_list_filters_and_pages(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    for n in range(22):
        when = START + timedelta(days=n)
        await seed_event(sessionmaker, title=f"Семинар {n:02d}", starts_at=when)
    await seed_event(sessionmaker, title="Мастерская", kind="workshop", starts_at=START)
    await seed_event(sessionmaker, title="Прошлый семинар", starts_at=NOW - timedelta(days=3))
    await sign_in(client, settings, clock)
    html = await (await client.get("/web/events")).text()
    assert "Семинар 00" in html and "Семинар 18" in html and "Семинар 19" not in html
    assert "Прошлый семинар" not in html and "Дальше" in html
    html = await (await client.get("/web/events", params={"page": "2"})).text()
    assert "Семинар 19" in html and "Семинар 21" in html and "Дальше" not in html
    html = await (await client.get("/web/events", params={"kind": "workshop"})).text()
    assert "Мастерская" in html and "Семинар 00" not in html
    html = await (await client.get("/web/events", params={"when": "past"})).text()
    assert "Прошлый семинар" in html and "Семинар 00" not in html
    late = await client.get("/web/events", params={"page": "999"})  # an old link, events gone
    assert late.url.query.get("page") == "2" and "Семинар 21" in await late.text()


# --- the bot's side ------------------------------------------------------------------------------


async def test_an_event_made_on_the_page_is_in_the_bots_events_and_an_edit_reaches_teachers(
    harness: BotHarness, clock: FrozenClock
) -> None:
    h = harness
    settings = make_settings(Path(h.settings.database_url.rsplit("///", 1)[1]), web_secret="s")
    client = await client_for(settings, h.sessionmaker, TelegramMessenger(h.bot), clock)
    try:
        await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
        csrf = await sign_in(client, settings, clock)
        status, html = await post(client, "/web/events/new", {**GOOD, "starts": "31.02.2027"},
                                  csrf)  # fmt: skip
        assert status == 400
        status, html = await post(client, "/web/events/new", GOOD, csrf)
        assert status == 200 and "опубликовано" in html
        listing = await h.say(TEACHER, "/events")
        assert "Проектная деятельность" in (listing.text or "")

        event_id = int(re.findall(r"Мероприятие №(\d+)", html)[0])
        await register(h.sessionmaker, event_id, TEACHER)
        page = await (await client.get(f"/web/events/{event_id}/edit")).text()
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        form.pop("csrf")
        _, html = await post(client, f"/web/events/{event_id}/edit",
                             {**form, "description": "", "starts": "11.12.2026 16:30"},
                             csrf)  # fmt: skip
        assert "уведомление" in html
        notice = await h.server.next_message(TEACHER.id, timeout=30)
        assert "Изменилось время" in (notice.text or "")
        assert "пт, 11 декабря 2026, 16:30–18:00" in (notice.text or "")
    finally:
        await client.close()


async def test_a_form_sent_twice_makes_one_event(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings, clock)
    page = await (await client.get("/web/events/new")).text()
    draft = re.findall(r'name="draft" value="([^"]+)"', page)[0]
    first = await client.post("/web/events/new", data={**GOOD, "csrf": csrf, "draft": draft})
    again = await client.post("/web/events/new", data={**GOOD, "csrf": csrf, "draft": draft})
    assert "опубликовано" in await first.text()
    assert (
        "мероприятие создано один раз" in await again.text()
        and again.url == first.url.with_query(done="again")
    )
    assert await events_in_db(sessionmaker) == 1


async def test_closing_registration_asks_first_keeps_the_event_and_can_be_undone(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """«Закрыть запись» used to close at one tap, and nothing opened it again."""
    event_id = await seed_event(sessionmaker, starts_at=START)
    csrf = await sign_in(client, settings, clock)
    path = f"/web/events/{event_id}"
    page = await (await client.get(path)).text()
    assert f'<a href="{path}/close">Закрыть запись</a>' in page  # a link to the question
    one_tap = await client.post(f"{path}/close", data={"csrf": csrf})  # an old page's button
    asked = await one_tap.text()
    assert one_tap.url.path == f"{path}/close" and "Закрыть запись?" in asked
    assert "Да, закрыть запись" in asked and "Нет, вернуться" in asked
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.PUBLISHED

    _, html = await post(client, f"{path}/close", {"sure": "yes"}, csrf)
    assert "Запись закрыта: мероприятие остаётся" in html and "Закрыть запись</a>" not in html
    assert "Открыть запись</button>" in html
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.CLOSED
    _, html = await post(client, f"{path}/close", {"sure": "yes"}, csrf)
    assert "Запись уже закрыта" in html
    again = await client.get(f"{path}/close")  # the question for a closed one: it says so
    assert "Запись уже закрыта" in await again.text()

    _, html = await post(client, f"{path}/reopen", {}, csrf)
    assert "Запись снова открыта" in html and "Закрыть запись</a>" in html
    assert (await load_event(sessionmaker, event_id)).status == EventStatus.PUBLISHED
    _, html = await post(client, f"{path}/reopen", {}, csrf)
    assert "открывать нечего" in html


async def test_registration_of_an_event_under_way_or_cancelled_is_not_reopened(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    begun = await seed_event(
        sessionmaker, starts_at=NOW - timedelta(minutes=30), status=EventStatus.CLOSED
    )
    called_off = await seed_event(sessionmaker, starts_at=START, status=EventStatus.CANCELLED)
    csrf = await sign_in(client, settings, clock)
    page = await (await client.get(f"/web/events/{begun}")).text()
    assert "Открыть запись" not in page
    _, html = await post(client, f"/web/events/{begun}/reopen", {}, csrf)
    assert "уже началось — открыть запись нельзя" in html
    _, html = await post(client, f"/web/events/{called_off}/reopen", {}, csrf)
    assert "открывать нечего" in html
    statuses = [(await load_event(sessionmaker, n)).status for n in (begun, called_off)]
    assert statuses == [EventStatus.CLOSED, EventStatus.CANCELLED]


async def test_an_edit_sent_twice_by_a_double_click_is_no_conflict(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """The form remembers the event as it was opened, to catch a colleague's save in between;
    its own first copy is not a colleague's save."""
    event_id = await seed_event(sessionmaker, starts_at=START)
    csrf = await sign_in(client, settings, clock)
    page = await (await client.get(f"/web/events/{event_id}/edit")).text()
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    form = {**form, "title": "Новое название", "description": ""}
    path = f"/web/events/{event_id}/edit"
    status, first = await post(client, path, form, csrf)
    assert "Изменения сохранены" in first
    status, again = await post(client, path, form, csrf)
    assert status == 200 and "другой сотрудник" not in again
    assert (await load_event(sessionmaker, event_id)).title == "Новое название"


async def test_the_edit_form_refuses_to_drop_a_held_meeting_of_a_workshop(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """«Дата и время» with only the meetings ahead deleted the held one and its marks."""
    held = NOW - timedelta(days=2)  # 3 December, 12:00 in Moscow
    event_id = await seed_workshop(sessionmaker, [held, START, START + timedelta(days=7)])
    csrf = await sign_in(client, settings, clock)
    page = await (await client.get(f"/web/events/{event_id}/edit")).text()
    shown = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    form = {name: shown.get(name, "") for name in ("title", "starts", "duration", "place",
                                                   "capacity", "deadline")}  # fmt: skip
    form["description"] = ""
    assert form["starts"].startswith("03.12.2026 12:00")

    status, html = await post(client, f"/web/events/{event_id}/edit",
                              {**form, "starts": "10.12.2026 15:00, 17.12.2026 15:00"},
                              csrf)  # fmt: skip
    error = field_error(html, "starts")
    assert status == 400 and "Прошедшее занятие нельзя убрать" in error, error
    assert "03.12.2026 12:00" in error
    assert len((await load_event(sessionmaker, event_id)).sessions) == 3
