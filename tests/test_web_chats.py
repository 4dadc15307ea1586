"""«Чаты», «Сводка» and the pages of «Обращения» in the web panel over real HTTP.

Chats: the registry with filters, bind / unbind / tags through the /bind service, a CSV import
through the CLI's importer (every bad line named, nothing written). Сводка: every chart is a
non-empty SVG built from the database. Обращения: more than 50 tickets page on.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

from datetime import timedelta

from aiohttp import FormData
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from storage.models import (
    Ack,
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    ChatTag,
    Delivery,
    Event,
    EventSession,
    FaqQuery,
    Registration,
    Ticket,
    TicketMessage,
    User,
)
from tests.conftest import PARENT, TEACHER
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    NOW,
    Client,
    client,
    clock,
    messenger,
    panel_settings,
    sign_in,
)

EVIL = '<script>alert("x")</script>'
MAX_GROUP = -(2**60 + 7)  # a MAX chat's internal id (bot.core.ids)


async def seed_chats(sm: SessionMaker) -> None:
    async with sm() as session:
        rows = [
            (-1001001, "Родители 1А", ["parents"], ["school5"], True),
            (-1001002, EVIL, ["teachers"], [], True),
            (MAX_GROUP, "Родители в MAX", ["parents"], [], True),
            (-1001003, "Старый чат", ["parents"], [], False),
        ]
        for chat_id, title, audiences, tags, active in rows:
            chat = Chat(id=chat_id, kind="supergroup", title=title, is_active=active)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience=a) for a in audiences]
            chat.tags = [ChatTag(chat_id=chat_id, tag=t) for t in tags]
            session.add(chat)
        await session.commit()


async def chat_state(sm: SessionMaker, chat_id: int) -> tuple[list[str], list[str]]:
    async with sm() as session:
        chat = await session.get_one(Chat, chat_id)
        return sorted(a.audience for a in chat.audiences), sorted(t.tag for t in chat.tags)


async def test_registry_with_filters_shows_titles_escaped(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    assert (await client.get("/web/chats", allow_redirects=False)).status == 303
    await seed_chats(sessionmaker)
    await sign_in(client, panel_settings, clock)
    html = await (await client.get("/web/chats")).text()
    assert "Родители 1А" in html and "Родители в MAX" in html and "MAX ·" in html
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "Старый чат" not in html  # active ones by default
    only_max = await (await client.get("/web/chats", params={"channel": "max"})).text()
    assert "Родители в MAX" in only_max and "Родители 1А" not in only_max
    tagged = await (await client.get("/web/chats", params={"tag": "#School5"})).text()
    assert "Родители 1А" in tagged and "Родители в MAX" not in tagged
    teachers = await (await client.get("/web/chats", params={"audience": "teachers"})).text()
    assert "&lt;script&gt;" in teachers and "Родители 1А" not in teachers
    inactive = await (await client.get("/web/chats", params={"active": "0"})).text()
    assert "Старый чат" in inactive and "неактивен" in inactive


async def test_bind_unbind_and_tags_from_the_page(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed_chats(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    url = "/web/chats/-1001001"
    assert (await client.post(f"{url}/bind", data={"audience": "directors"})).status == 403
    bound = await client.post(f"{url}/bind", data={"csrf": csrf, "audience": "directors"})
    assert "Чат привязан" in await bound.text()
    assert await chat_state(sessionmaker, -1001001) == (["directors", "parents"], ["school5"])
    await client.post(f"{url}/unbind", data={"csrf": csrf, "audience": "parents"})
    await client.post(f"{url}/tags", data={"csrf": csrf, "tags": "#Centre, school7"})
    assert await chat_state(sessionmaker, -1001001) == (["directors"], ["centre", "school7"])
    bad = await client.post(f"{url}/tags", data={"csrf": csrf, "tags": "школа №5"})
    assert "ничего не изменено" in await bad.text()
    assert (await chat_state(sessionmaker, -1001001))[1] == ["centre", "school7"]
    await client.post(f"{url}/unbind", data={"csrf": csrf})
    assert (await chat_state(sessionmaker, -1001001))[0] == []
    refused = await client.post(
        "/web/chats/-1001003/bind", data={"csrf": csrf, "audience": "teachers"}
    )
    assert "Бота нет в этом чате" in await refused.text()
    assert await chat_state(sessionmaker, -1001003) == (["parents"], [])
    unknown = await client.post(f"{url}/bind", data={"csrf": csrf, "audience": "everyone"})
    assert unknown.status == 400
    missing = await client.post("/web/chats/-5/unbind", data={"csrf": csrf})
    assert missing.status == 404


def upload(csrf: str, text: str) -> FormData:
    """The form a browser sends when a CSV file is chosen."""
    form = FormData({"csrf": csrf})
    form.add_field("file", text.encode(), filename="chats.csv", content_type="text/csv")
    return form


async def test_csv_import_writes_all_rows_or_names_every_bad_line(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed_chats(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    bad = "chat_id;title;audience\n-1009;Школа 9;parents\nabc;Х;parents\n-1010;Y;pupils\n"
    refused = await client.post("/web/chats/import", data=upload(csrf, bad))
    html = await refused.text()
    assert refused.status == 422
    assert "строка 3: chat_id «abc»" in html and "строка 4: неизвестная аудитория" in html
    assert "Ничего не импортировано" in html
    async with sessionmaker() as session:
        assert await session.get(Chat, -1009) is None
    good = f"chat_id,title,audience\n-1009,{EVIL},parents;teachers\n-1001001,,directors\n"
    done = await client.post("/web/chats/import", data=upload(csrf, good))
    html = await done.text()
    assert done.status == 200 and "добавлено чатов 1, обновлено 1" in html
    assert EVIL not in html
    assert await chat_state(sessionmaker, -1009) == (["parents", "teachers"], [])
    assert await chat_state(sessionmaker, -1001001) == (["directors"], ["school5"])
    empty = await client.post("/web/chats/import", data={"csrf": csrf})
    assert empty.status == 422 and "Выберите файл" in await empty.text()


async def seed_numbers(sm: SessionMaker) -> None:
    """A question of each outcome, a ticket answered after 30 minutes, one registration,
    a broadcast delivered to one chat and blocked in another, with one «Ознакомлен»."""
    async with sm() as session:
        session.add_all([User(id=PARENT.id, first_name="Мария"), User(id=TEACHER.id)])
        await session.flush()
        for outcome, entry in [("answered", "moc.contacts")] * 2 + [("unknown", None)]:
            session.add(
                FaqQuery(
                    user_id=PARENT.id,
                    text=EVIL,
                    outcome=outcome,
                    entry_id=entry,
                    created_at=NOW - timedelta(hours=2),
                )
            )
        ticket = Ticket(
            user_id=PARENT.id, chat_id=PARENT.id, question="вопрос",
            created_at=NOW - timedelta(hours=1),
        )  # fmt: skip
        session.add(ticket)
        await session.flush()
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                from_staff=True,
                author_id=1000,
                text="ответ",
                created_at=NOW - timedelta(minutes=30),
            )
        )
        event = Event(
            kind="seminar", title="Семинар", starts_at=NOW + timedelta(days=3), capacity=20
        )
        session.add(event)
        await session.flush()
        session.add(EventSession(event_id=event.id, starts_at=event.starts_at))
        session.add(
            Registration(
                event_id=event.id, user_id=TEACHER.id, status="registered", created_at=NOW
            )
        )
        broadcast = Broadcast(
            content='{"kind": "text", "text": "x"}', audiences="parents", tags="",
            include_private=False, state=BroadcastState.DONE, scheduled_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        session.add_all([
            Delivery(broadcast_id=broadcast.id, chat_id=-1, status="sent", updated_at=NOW),
            Delivery(broadcast_id=broadcast.id, chat_id=-2, status="blocked", updated_at=NOW),
            Ack(broadcast_id=broadcast.id, chat_id=-1, user_id=PARENT.id, at=NOW),
        ])  # fmt: skip
        await session.commit()


async def test_summary_draws_every_chart_from_the_database(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed_numbers(sessionmaker)
    await sign_in(client, panel_settings, clock)
    html = await (await client.get("/web/summary")).text()
    assert html.count("<svg") == 5
    for title in ("Контакты и часы работы МОЦ: 2", "Семинар: 1", "доставлено: 1",
                  "заблокировали: 1", "ознакомились: 1"):  # fmt: skip
        assert f"<title>{title}</title>" in html
    assert "дек 2026: 1" in html  # registrations by month, in the МОЦ's zone
    assert "медиана <strong>30 мин</strong>" in html and "(1 обращ.)" in html
    assert EVIL not in html


async def test_more_than_fifty_tickets_page_on(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    async with sessionmaker() as session:
        session.add(User(id=PARENT.id, first_name="Мария"))
        for n in range(55):
            session.add(Ticket(user_id=PARENT.id, chat_id=PARENT.id, question=f"вопрос {n:02d}"))
        await session.commit()
        ids = list((await session.scalars(select(Ticket.id).order_by(Ticket.id))).all())
    await sign_in(client, panel_settings, clock)
    first = await (await client.get("/web/tickets")).text()
    assert f"№{ids[49]}<" in first and f"№{ids[50]}<" not in first
    assert "Страница 1 из 2" in first and "Дальше" in first
    second = await (await client.get("/web/tickets", params={"page": "2"})).text()
    assert f"№{ids[50]}<" in second and f"№{ids[54]}<" in second and f"№{ids[0]}<" not in second
    assert "Страница 2 из 2" in second and "Назад" in second
    beyond = await (await client.get("/web/tickets", params={"page": "9"})).text()
    assert "Страница 2 из 2" in beyond
