"""Bad input in the staff panel: an id or a page number a person typed or a form was made
to carry — letters, «²» (str.isdigit says yes, int says no), a number no id column holds —
is «not found» or ignored, in Russian, never a server error; nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.messages import MessageRef
from storage.db import SessionMaker
from storage.models import Broadcast, Ticket, TicketMessage, TicketStatus
from tests.conftest import PARENT
from tests.helpers.events import seed_event
from tests.helpers.panel import (
    Client,
    RecordingMessenger,
    client_for,
    sign_in,
    ticket,
)
from tests.helpers.panel import client as client  # a fixture
from tests.helpers.panel import clock as clock  # a fixture
from tests.helpers.panel import messenger as messenger  # a fixture
from tests.helpers.panel import panel_settings as panel_settings  # a fixture

HUGE = "9" * 25
SUPERSCRIPT = "²"


@pytest.mark.parametrize(
    "path",
    [
        f"/web/tickets/{HUGE}",
        f"/web/tickets/{SUPERSCRIPT}",
        f"/web/events/{HUGE}",
        f"/web/events/{HUGE}/edit",
        f"/web/broadcasts/{HUGE}",
        f"/web/kb/revert/{HUGE}",
    ],
)
async def test_a_forged_id_in_the_address_is_not_found_in_russian(
    client: Client, panel_settings: Settings, clock: FrozenClock, path: str
) -> None:
    await sign_in(client, panel_settings, clock)
    response = await client.get(path)
    if path.startswith("/web/kb/revert"):  # a POST-only address: GET is not allowed
        csrf = await sign_in(client, panel_settings, clock)
        response = await client.post(path, data={"csrf": csrf})
    assert response.status == 404, (path, await response.text())
    assert "Not Found" not in await response.text()


@pytest.mark.parametrize("value", [SUPERSCRIPT, HUGE, "-1", "abc"])
async def test_a_forged_page_number_shows_the_first_page(
    client: Client, panel_settings: Settings, clock: FrozenClock, value: str
) -> None:
    await sign_in(client, panel_settings, clock)
    for path in ("/web/tickets", "/web/events"):
        response = await client.get(path, params={"page": value})
        assert response.status == 200, (path, value, await response.text())


async def test_forged_ids_in_forms_change_nothing(
    client: Client,
    panel_settings: Settings,
    clock: FrozenClock,
    sessionmaker: SessionMaker,
    messenger: RecordingMessenger,
) -> None:
    csrf = await sign_in(client, panel_settings, clock)
    ticket_id = await ticket(sessionmaker, "Вопрос, который никто не закрывал")
    closed = await client.post(
        "/web/tickets/close", data={"csrf": csrf, "id": [SUPERSCRIPT, HUGE, "x"]}
    )
    assert closed.status == 200 and "Ничего не выбрано" in await closed.text()
    event_id = await seed_event(sessionmaker, starts_at=clock.now())
    marked = await client.post(
        f"/web/events/{event_id}/attendance", data={"csrf": csrf, "att": [SUPERSCRIPT, HUGE]}
    )
    assert marked.status == 200, await marked.text()
    async with sessionmaker() as session:
        found = await session.get(Ticket, ticket_id)
        assert found is not None and found.status == TicketStatus.OPEN
        assert (await session.scalars(select(Ticket))).all() == [found]
    assert messenger.sent == []


@pytest.mark.parametrize("person", [HUGE, f"-{HUGE}", SUPERSCRIPT, ""])
async def test_removing_a_forged_staff_id_is_refused_in_russian(
    client: Client, panel_settings: Settings, clock: FrozenClock, person: str
) -> None:
    csrf = await sign_in(client, panel_settings, clock)  # the owner (ADMIN_IDS)
    refused = await client.post("/web/staff/remove", data={"csrf": csrf, "person": person})
    assert refused.status == 400 and "Не выбран сотрудник" in await refused.text()


async def test_an_answer_sent_twice_by_a_double_click_reaches_the_parent_once(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    asked = await ticket(sessionmaker, "Можно ли перенести занятие?")
    csrf = await sign_in(client, panel_settings, clock)
    form = {"text": "Да, можно: напишите педагогу.", "csrf": csrf}
    first = await client.post(f"/web/tickets/{asked}/answer", data=form)
    again = await client.post(f"/web/tickets/{asked}/answer", data=form)
    assert "Ответ отправлен" in await first.text() and "Ответ отправлен" in await again.text()
    to_parent = [text for chat, text in messenger.sent if chat == PARENT.id]
    assert len(to_parent) == 1 and len(messenger.sent) == 2  # and one note to the staff chat
    other = await client.post(f"/web/tickets/{asked}/answer", data={**form, "text": "И ещё."})
    to_parent = [text for chat, text in messenger.sent if chat == PARENT.id]
    assert "Ответ отправлен" in await other.text() and len(to_parent) == 2
    async with sessionmaker() as session:
        texts = (await session.scalars(select(TicketMessage.text))).all()
    assert texts == ["Можно ли перенести занятие?", form["text"], "И ещё."]


@pytest.mark.parametrize("at", ["2026-02-31T10:00", "завтра", "2026-12-07T25:00", ""])
async def test_a_broadcast_time_that_is_no_time_is_explained_and_nothing_is_planned(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker,
    at: str,
) -> None:  # fmt: skip
    csrf = await sign_in(client, panel_settings, clock)
    form = {"csrf": csrf, "text": "Собрание в четверг", "audience": "parents", "when": "at"}
    refused = await client.post("/web/broadcasts", data={**form, "at": at})
    assert refused.status == 422 and "Укажите дату и время отправки" in await refused.text()
    assert "Собрание в четверг" in await refused.text()  # the text typed is kept
    async with sessionmaker() as session:
        assert (await session.scalars(select(Broadcast))).first() is None


class BrokenMessenger(RecordingMessenger):
    """A messenger failing in a way nobody foresaw (not Unreachable, not Deferred)."""

    async def send(self, chat_id: int, text: str, buttons: object = None) -> MessageRef:
        raise RuntimeError("the connection pool is closed")


async def test_a_failure_nobody_foresaw_is_a_russian_page_not_aiohttps(
    panel_settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    client = await client_for(panel_settings, sessionmaker, BrokenMessenger(), clock)
    try:
        csrf = await sign_in(client, panel_settings, clock)
        ticket_id = await ticket(sessionmaker, "Когда запись?")
        response = await client.post(
            f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": "Завтра."}
        )
        assert response.status == 500
        shown = await response.text()
        assert "Internal Server Error" not in shown and "попробуйте ещё раз" in shown, shown
    finally:
        await client.close()
