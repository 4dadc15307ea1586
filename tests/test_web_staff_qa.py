"""What a МОЦ staff member notices in the panel (QA pass): a MAX asker's ticket must not
promise a Telegram delivery; a MAX person is shown by MAX's own id; the knowledge base names
moments in the МОЦ's time, as every other page does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.core.clock import FrozenClock, SystemClock
from bot.core.config import Settings
from bot.core.ids import internal
from bot.services.faq import FaqService
from bot.services.staff.web_sessions import make_token
from broadcasts.content import Content
from storage.db import SessionMaker
from storage.models import Ack, Broadcast, BroadcastState, Chat, Delivery, FaqEntryVersion, User
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, make_settings
from tests.helpers.panel import NOW, RecordingMessenger, client_for, sign_in

Client = TestClient[web.Request, web.Application]
CONTACTS = "/web/kb/entry/moc.contacts"
MAX_PARENT = internal(7, "user")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, web_secret="panel-test-secret")


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
async def client(
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> AsyncIterator[Client]:
    client = await client_for(settings, sessionmaker, messenger, clock)
    yield client
    await client.close()


async def max_ticket(sessionmaker: SessionMaker, question: str) -> int:
    async with sessionmaker() as session:
        repo = Repositories(session)
        session.add(User(id=MAX_PARENT, first_name="Светлана"))
        made = await repo.tickets.create(MAX_PARENT, MAX_PARENT, question)
        await repo.commit()
        return made.id


async def test_a_max_ticket_is_answered_into_max_not_telegram(
    client: Client,
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    number = await max_ticket(sessionmaker, "Как активировать сертификат?")
    csrf = await sign_in(client, settings, clock)
    form = await (await client.get(f"/web/tickets/{number}")).text()
    assert "Telegram" not in form, "the form promises Telegram to a MAX asker"
    assert "MAX" in form
    done = await client.post(
        f"/web/tickets/{number}/answer", data={"text": "В личном кабинете.", "csrf": csrf}
    )
    notice = await done.text()
    assert any(chat == MAX_PARENT for chat, _ in messenger.sent)
    assert "Ответ отправлен" in notice and "в MAX" in notice
    assert "в Telegram" not in notice


async def test_the_ticket_list_says_which_messenger_each_asker_wrote_from(
    client: Client, settings: Settings, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """An answer goes back where the person asked: staff see MAX or Telegram in the list."""
    await max_ticket(sessionmaker, "Вопрос из MAX")
    async with sessionmaker() as session:
        repo = Repositories(session)
        session.add(User(id=4242, first_name="Олег"))
        await repo.tickets.create(4242, 4242, "Вопрос из Telegram")
        await repo.commit()
    await sign_in(client, settings, clock)
    listing = await (await client.get("/web/tickets")).text()
    rows = listing.split("<li>")[1:]
    assert any("Вопрос из MAX" in r and '"channel">MAX<' in r for r in rows)
    assert any("Вопрос из Telegram" in r and '"channel">Telegram<' in r for r in rows)


async def test_a_max_owner_is_listed_by_the_id_written_in_max_admin_ids(
    db_path: Path, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """MAX_ADMIN_IDS=777: the «Сотрудники» page says «MAX · id 777», not the bot's internal
    number (1152921504606846977), which the owner cannot find in any setting or in MAX."""
    settings = make_settings(db_path, web_secret="panel-test-secret", max_admin_ids="777")
    async with sessionmaker() as session:
        inner = await Repositories(session).channel_ids.internal("max", "user", 777)
        session.add(User(id=inner, first_name="Ирина"))
        await session.commit()
    client = await client_for(settings, sessionmaker, RecordingMessenger(), clock)
    try:
        await sign_in(client, settings, clock)
        listing = await (await client.get("/web/staff")).text()
    finally:
        await client.close()
    assert "Ирина" in listing
    assert "MAX · id 777" in listing
    assert str(inner) not in listing.replace(f'value="{inner}"', "")  # the form may carry it


async def test_kb_times_in_messages_are_the_panels_local_time_not_utc(
    settings: Settings, sessionmaker: SessionMaker
) -> None:
    """The history lists versions in Moscow time; the refusal of a late save and the note of
    a revert named the same moment in UTC, three hours off, so the version could not be found."""
    faq = FaqService(None, settings.placeholders())
    client = await client_for(settings, sessionmaker, RecordingMessenger(), SystemClock(), faq)
    try:
        csrf = await kb_sign_in(client, settings)
        first = await client.post(CONTACTS, data=kb_form(csrf, faq, answer="Первый.", base="0"))
        assert "Сохранено" in await first.text()
        async with sessionmaker() as session:
            row = (await session.scalars(select(FaqEntryVersion))).one()
        local = row.created_at.astimezone(settings.tz).strftime("%d.%m.%Y %H:%M")
        late = await client.post(CONTACTS, data=kb_form(csrf, faq, answer="Второй.", base="0"))
        refusal = await late.text()
        assert late.status == 422 and f"({local})" in refusal and "UTC" not in refusal
        await client.post(CONTACTS, data=kb_form(csrf, faq, answer="Третий.", base=str(row.id)))
        back = await client.post(f"/web/kb/revert/{row.id}", data={"csrf": csrf})
        history = await back.text()
        assert "Версия возвращена" in history
        assert f"возврат к {local}" in history and "UTC" not in history
    finally:
        await client.close()


async def kb_sign_in(client: Client, settings: Settings) -> str:
    token = make_token(settings, ADMIN.id, "Анна Методист", SystemClock().now())
    assert (await client.get("/web/login", params={"t": token})).status == 200
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/web/kb")).text())
    assert found is not None
    return found.group(1)


def kb_form(csrf: str, faq: FaqService, **changes: str) -> dict[str, str]:
    entry = faq.kb.entries["moc.contacts"]
    values = {
        "csrf": csrf, "entry_id": entry.id, "title": entry.title, "answer": entry.answer,
        "questions": "\n".join(entry.questions), "related": ", ".join(entry.related),
        "links": "\n".join(f"{link.title} | {link.url}" for link in entry.links),
        "action": "save",
    }  # fmt: skip
    return values | changes


async def test_the_broadcast_page_names_who_pressed_oznakomlen_by_chat(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """The bot's «Кто ознакомился» lists names by chat; the panel showed only a number, so a
    staff member could not see which school had not confirmed."""
    group, parent = -1001001, 3001
    async with sessionmaker() as session:
        session.add(Chat(id=group, title="Директора школ", kind="supergroup", is_active=True))
        session.add(User(id=parent, first_name="Пётр", last_name="Лесной"))
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", "Совещание", ack=True).to_json(),
            audiences="directors", tags="", include_private=True, state=BroadcastState.DONE,
            scheduled_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        session.add_all([
            Delivery(broadcast_id=broadcast.id, chat_id=group, status="sent", updated_at=NOW),
            Delivery(broadcast_id=broadcast.id, chat_id=parent, is_private=True, status="sent",
                     updated_at=NOW),
            Ack(broadcast_id=broadcast.id, chat_id=group, user_id=5, user_name="Ира <Директор>",
                at=NOW),
        ])  # fmt: skip
        await session.commit()
        broadcast_id = broadcast.id
    await sign_in(client, settings, clock)
    html = await (await client.get(f"/web/broadcasts/{broadcast_id}")).text()
    assert "Кто ознакомился" in html
    section = html.split("Кто ознакомился", 1)[1]
    assert "Директора школ" in section and "Ира &lt;Директор&gt;" in section
    assert "Не отметились в личных сообщениях" in section and "Пётр Лесной" in section


async def test_cancelling_a_weekly_broadcast_says_the_repeats_stop_too(
    client: Client, settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """Cancelling a weekly broadcast ends the series (no next week is booked): the notice
    says so; cancelling it again says «уже отменена», not «завершена»."""
    async with sessionmaker() as session:
        session.add(Chat(id=-1001001, title="Родители 1А", kind="supergroup", is_active=True))
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", "Дежурство").to_json(),
            audiences="parents", tags="", include_private=False,
            state=BroadcastState.SCHEDULED, scheduled_at=NOW + timedelta(days=2),
            repeat="weekly", created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.commit()
        broadcast_id = broadcast.id
    csrf = await sign_in(client, settings, clock)
    done = await client.post(
        f"/web/broadcasts/{broadcast_id}/cancel", data={"csrf": csrf, "sure": "yes"}
    )
    notice = await done.text()
    assert "Рассылка отменена" in notice and "еженедельные повторы" in notice
    again = await client.post(
        f"/web/broadcasts/{broadcast_id}/cancel", data={"csrf": csrf, "sure": "yes"}
    )
    text = await again.text()
    assert "уже отменена" in text and "завершена" not in text


async def test_an_answer_and_a_close_in_the_panel_are_seen_in_the_staff_chat(
    client: Client,
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    """Colleagues work tickets in the staff chat: a ticket answered or closed in the panel
    stayed «ждёт ответа» there, and a second staff member answered the parent again."""
    number = await max_ticket(sessionmaker, "Как активировать сертификат?")
    csrf = await sign_in(client, settings, clock)
    await client.post(
        f"/web/tickets/{number}/answer", data={"text": "В личном <кабинете>.", "csrf": csrf}
    )
    to_staff = [text for chat, text in messenger.sent if chat == STAFF_CHAT]
    assert len(to_staff) == 1, messenger.sent
    assert f"№{number}" in to_staff[0] and "Анна Методист" in to_staff[0]
    assert "веб-панел" in to_staff[0] and "В личном &lt;кабинете&gt;." in to_staff[0]
    await client.post(f"/web/tickets/{number}/close", data={"csrf": csrf})
    to_staff = [text for chat, text in messenger.sent if chat == STAFF_CHAT]
    assert len(to_staff) == 2 and f"№{number} закрыто" in to_staff[1]
    assert "Анна Методист" in to_staff[1]


async def test_in_a_max_only_moc_the_panels_answer_is_told_to_the_max_admins(
    db_path: Path, sessionmaker: SessionMaker, clock: FrozenClock
) -> None:
    """No Telegram: tickets go to the MAX_ADMIN_IDS admins privately, so they are the ones
    to hear that a colleague answered in the panel (ADMIN_IDS is empty there)."""
    settings = make_settings(
        db_path, web_secret="panel-test-secret", bot_token=None, admin_ids="",
        staff_chat_id=None, max_admin_ids="777",
    )  # fmt: skip
    async with sessionmaker() as session:
        admin = await Repositories(session).channel_ids.internal("max", "user", 777)
        await session.commit()
    number = await max_ticket(sessionmaker, "Где взять номер сертификата?")
    messenger = RecordingMessenger()
    client = await client_for(settings, sessionmaker, messenger, clock)
    try:
        token = make_token(settings, admin, "Ирина Завуч", clock.now())
        assert (await client.get("/web/login", params={"t": token})).status == 200
        page = await (await client.get(f"/web/tickets/{number}")).text()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None
        await client.post(
            f"/web/tickets/{number}/answer", data={"text": "В кабинете.", "csrf": found[1]}
        )
    finally:
        await client.close()
    notes = [text for chat, text in messenger.sent if chat == admin]
    assert len(notes) == 1 and f"№{number}" in notes[0] and "Ирина Завуч" in notes[0]
