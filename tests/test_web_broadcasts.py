"""«Рассылки» in the web panel over real HTTP: compose, preview with the recipient count,
send now or at a local time, progress JSON, delivery by chat, cancel; CSRF and escaping.

The last test is end-to-end: a broadcast composed on the page is delivered by the real
worker to a group on the fake Telegram server exactly once.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock, SystemClock
from bot.core.config import Settings
from broadcasts import service
from broadcasts.content import Content
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from storage.models import Ack, Broadcast, BroadcastState, Chat, ChatAudience, Delivery
from tests.conftest import ADMIN, BotHarness, make_settings
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    NOW,
    Client,
    RecordingMessenger,
    client,
    client_for,
    clock,
    messenger,
    panel_settings,
    sign_in,
)

GROUP, OTHER, EVIL_GROUP = -1001001, -1001002, -1001666
MAX_GROUP = -(2**60 + 7)  # a MAX chat's internal id (bot.core.ids)
EVIL_TEXT = "Собрание &lt;script&gt;alert(1)&lt;/script&gt; в <b>четверг</b>"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The bot's settings carry the panel's secret too (the e2e test signs in with them)."""
    return make_settings(db_path, web_secret="panel-test-secret")


async def seed(sm: SessionMaker) -> None:
    async with sm() as session:
        for chat_id, title, audience in [
            (GROUP, "Родители 1А", "parents"),
            (OTHER, "Педагоги школы 5", "teachers"),
            (EVIL_GROUP, '<script>alert("чат")</script>', "parents"),
            (MAX_GROUP, "Родители в MAX", "teachers"),
        ]:
            chat = Chat(id=chat_id, kind="supergroup", title=title)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience=audience)]
            session.add(chat)
        await session.commit()


def compose_form(csrf: str, **extra: str) -> dict[str, str]:
    return {"csrf": csrf, "text": EVIL_TEXT, "audience": "parents", "when": "now", **extra}


async def test_pages_need_a_session_and_forms_a_csrf_token(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    for path in ("/web/broadcasts", "/web/broadcasts/new", "/web/broadcasts/1/progress"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/web/signin"
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    form = compose_form(csrf)
    del form["csrf"]
    assert (await client.post("/web/broadcasts", data=form)).status == 403
    assert (await client.post("/web/broadcasts", data={**form, "csrf": "x"})).status == 403
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_preview_shows_the_text_escaped_and_the_recipient_count(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    page = await client.post("/web/broadcasts/preview", data=compose_form(csrf))
    html = await page.text()
    assert page.status == 200
    assert "Получателей: <strong>2</strong>" in html  # two parents' groups, no subscribers
    assert "<b>четверг</b>" in html  # Telegram formatting rendered
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "Отправить сейчас" in html
    bad = await client.post(
        "/web/broadcasts/preview", data=compose_form(csrf, text="<br>привет", audience="")
    )
    text = await bad.text()
    assert "Выберите хотя бы одну аудиторию" in text and "Telegram не поддерживает" in text
    assert "Отправить сейчас" not in text
    raw = await client.post(
        "/web/broadcasts/preview", data=compose_form(csrf, text="<script>alert(1)</script>")
    )
    text = await raw.text()  # refused by the bot's own HTML check, and echoed only as text
    assert "тег <script>" not in text and "тег &lt;script&gt;" in text
    assert "<script>alert(1)" not in text and "Отправить сейчас" not in text


async def test_send_now_creates_one_scheduled_broadcast_and_its_page(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    created = await client.post(
        "/web/broadcasts", data=compose_form(csrf, ack="1"), allow_redirects=False
    )
    assert created.status == 303
    location = created.headers["Location"]
    assert re.fullmatch(r"/web/broadcasts/\d+\?done=created", location)
    async with sessionmaker() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
    assert broadcast.state == BroadcastState.SCHEDULED and broadcast.scheduled_at == NOW
    assert broadcast.author_id == ADMIN.id and broadcast.audiences == "parents"
    assert Content.from_json(broadcast.content) == Content("text", EVIL_TEXT, ack=True)
    page = await client.get(location)
    html = await page.text()
    assert "Рассылка создана" in html and "запланирована" in html
    assert "<script>alert(1)" not in html
    listing = await (await client.get("/web/broadcasts")).text()
    assert f"№{broadcast.id}" in listing and "<script>" not in listing
    progress = await (await client.get(f"/web/broadcasts/{broadcast.id}/progress")).json()
    assert progress["state"] == "scheduled" and progress["total"] == 2 and progress["live"]


async def test_schedule_at_a_local_time_and_cancel_after_a_confirmation(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    csrf = await sign_in(client, panel_settings, clock)
    form = compose_form(csrf, when="at", at="2026-12-07T10:30", weekly="1")  # Moscow
    preview = await (await client.post("/web/broadcasts/preview", data=form)).text()
    assert "отправка 07.12.2026 10:30, затем еженедельно" in preview
    assert "Запланировать" in preview
    created = await client.post("/web/broadcasts", data=form, allow_redirects=False)
    broadcast_id = int(created.headers["Location"].split("/")[3].split("?")[0])
    async with sessionmaker() as session:
        broadcast = await session.get_one(Broadcast, broadcast_id)
        assert broadcast.scheduled_at == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
        assert broadcast.repeat == "weekly"
    past = compose_form(csrf, when="at", at="2026-12-01T10:30")
    refused = await client.post("/web/broadcasts", data=past)
    assert refused.status == 422 and "уже прошло" in await refused.text()

    page = await (await client.get(f"/web/broadcasts/{broadcast_id}")).text()
    assert f'href="/web/broadcasts/{broadcast_id}/cancel">Отменить рассылку</a>' in page
    asked = await client.get(f"/web/broadcasts/{broadcast_id}/cancel")  # the link asks first
    shown = await asked.text()
    assert "еженедельные повторы прекратятся" in shown and "Да, отменить рассылку" in shown
    one_tap = await client.post(f"/web/broadcasts/{broadcast_id}/cancel", data={"csrf": csrf})
    assert one_tap.url.path == f"/web/broadcasts/{broadcast_id}/cancel"  # an old page's button
    async with sessionmaker() as session:  # nothing cancelled without the «Да»
        assert (await session.get_one(Broadcast, broadcast_id)).state == BroadcastState.SCHEDULED
    sure = {"csrf": csrf, "sure": "yes"}
    path = f"/web/broadcasts/{broadcast_id}/cancel"
    cancelled = await client.post(path, data=sure, allow_redirects=False)
    assert cancelled.headers["Location"].endswith("done=cancelled_weekly")  # the series ends
    again = await client.post(path, data=sure)
    assert "Рассылка уже отменена" in await again.text()
    async with sessionmaker() as session:
        states = (await session.scalars(select(Broadcast.state))).all()
        assert list(states) == [BroadcastState.CANCELLED]
    missing = await client.post("/web/broadcasts/999/cancel", data=sure)
    assert missing.status == 404


async def test_cancel_in_the_panel_rewrites_the_telegram_progress_message(
    client: Client,
    panel_settings: Settings,
    clock: FrozenClock,
    sessionmaker: SessionMaker,
    messenger: RecordingMessenger,
) -> None:
    """Composed in Telegram («запланирована на …» in the author's chat), cancelled in the
    panel before its time: that message says so instead of promising the old time."""
    await seed(sessionmaker)
    async with sessionmaker() as session:
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание"),
            target=service.Target(("parents",)), at=NOW + timedelta(days=1), now=NOW,
            progress=(ADMIN.id, 77),
        )  # fmt: skip
        await session.commit()
    csrf = await sign_in(client, panel_settings, clock)
    await client.post(f"/web/broadcasts/{created.id}/cancel", data={"csrf": csrf, "sure": "yes"})
    ((ref, text),) = messenger.edited
    assert (ref.chat_id, ref.message_id) == (ADMIN.id, 77)
    assert text.startswith(f"⛔ Рассылка №{created.id} отменена (") and "ничего не" in text


async def test_nobody_to_send_to_is_refused(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, panel_settings, clock)
    response = await client.post("/web/broadcasts", data=compose_form(csrf, audience="directors"))
    assert response.status == 422 and "некому отправить" in await response.text()


async def test_delivery_by_chat_and_acks_on_the_broadcast_page(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    await seed(sessionmaker)
    async with sessionmaker() as session:
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", "Привет", ack=True).to_json(),
            audiences="parents", tags="", include_private=False, state=BroadcastState.DONE,
            scheduled_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        session.add_all([
            Delivery(broadcast_id=broadcast.id, chat_id=GROUP, status="sent", updated_at=NOW),
            Delivery(
                broadcast_id=broadcast.id, chat_id=EVIL_GROUP, status="blocked", updated_at=NOW
            ),
            Delivery(broadcast_id=broadcast.id, chat_id=MAX_GROUP, status="sent", updated_at=NOW),
            Ack(broadcast_id=broadcast.id, chat_id=GROUP, user_id=5, user_name="Ира", at=NOW),
        ])  # fmt: skip
        await session.commit()
        broadcast_id = broadcast.id
    await sign_in(client, panel_settings, clock)
    html = await (await client.get(f"/web/broadcasts/{broadcast_id}")).text()
    assert "Родители 1А" in html and "доставлено" in html and "бот заблокирован" in html
    assert '<script>alert("чат")' not in html and "&lt;script&gt;alert(" in html
    assert "Отменить рассылку" not in html  # done: nothing to cancel
    progress = await (await client.get(f"/web/broadcasts/{broadcast_id}/progress")).json()
    assert "<td>Родители в MAX</td>\n      <td>MAX</td>" in html
    assert (progress["sent"], progress["blocked"], progress["acknowledged"]) == (2, 1, 1)
    assert progress["channels"]["tg"]["total"] == 2 and not progress["live"]
    assert progress["channels"]["max"] == {
        "total": 1, "sent": 1, "failed": 0, "blocked": 0, "pending": 0
    }  # fmt: skip
    listing = await (await client.get("/web/broadcasts")).text()
    assert "Telegram: 1/2" in listing and "MAX: 1/1" in listing


async def test_a_broadcast_composed_on_the_page_reaches_the_group_once(
    harness: BotHarness, db_path: Path
) -> None:
    """The real worker (as in tests/test_e2e_broadcasts.py) delivers what the page created."""
    await seed(harness.sessionmaker)
    worker = BroadcastWorker(
        harness.sessionmaker, TelegramChannel(harness.bot), SystemClock(),
        instance_id="web-e2e", poll_seconds=0.2, tz=harness.settings.tz,
    )  # fmt: skip
    settings = harness.settings
    now_clock = FrozenClock(datetime.now(UTC))
    client = await client_for(
        settings, harness.sessionmaker, TelegramMessenger(harness.bot), now_clock
    )
    worker.start()
    try:
        csrf = await sign_in(client, settings, now_clock)
        form = {"csrf": csrf, "text": "Собрание <b>в четверг</b>", "audience": "parents"}
        created = await client.post("/web/broadcasts", data={**form, "when": "now"})
        assert created.status == 200 and "Рассылка создана" in await created.text()
        first = await harness.server.next_message(GROUP, timeout=15)
        assert first.text == "Собрание в четверг"
        for _ in range(100):  # the worker finishes: the page's JSON says so
            progress = await (await client.get(f"{created.url.path}/progress")).json()
            if progress["state"] == "done":
                break
            await asyncio.sleep(0.1)
        assert progress["state"] == "done" and progress["sent"] == 2
        await asyncio.sleep(0.5)  # time for a duplicate, if there were one
        assert len(harness.server.sent_to(GROUP)) == 1
        assert not harness.server.sent_to(OTHER)  # teachers were not chosen
        page = await (await client.get(created.url.path)).text()
        assert "Родители 1А" in page and "доставлено" in page
    finally:
        await worker.stop(wait=5)
        await client.close()


async def test_a_long_delivery_table_says_how_much_is_shown_and_pages_on(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """1203 recipients: the table showed the first 500 and said nothing; now it says which
    rows of how many are shown and links the next and previous 500."""
    async with sessionmaker() as session:
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", "Привет").to_json(),
            audiences="parents", tags="", include_private=True, state=BroadcastState.DONE,
            scheduled_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        session.add_all(
            Delivery(
                broadcast_id=broadcast.id,
                chat_id=700_000 + n,
                is_private=True,
                status="sent",
                updated_at=NOW,
            )
            for n in range(1203)
        )
        await session.commit()
        broadcast_id = broadcast.id
    await sign_in(client, panel_settings, clock)

    def rows(html: str) -> list[str]:
        return re.findall(r"<tr><td>(\d+)", html)

    first = await (await client.get(f"/web/broadcasts/{broadcast_id}")).text()
    assert "Показаны получатели 1–500 из 1203" in first
    assert len(rows(first)) == 500 and rows(first)[0] == "700000"
    assert f'href="/web/broadcasts/{broadcast_id}?page=2"' in first
    assert "?page=0" not in first

    last = await (await client.get(f"/web/broadcasts/{broadcast_id}?page=3")).text()
    assert "Показаны получатели 1001–1203 из 1203" in last
    assert len(rows(last)) == 203 and rows(last)[-1] == "701202"
    assert f'href="/web/broadcasts/{broadcast_id}?page=2"' in last and "?page=4" not in last

    for wrong in ("0", "99", "abc", "-1"):  # a hand-typed page: the nearest real one
        page = await client.get(f"/web/broadcasts/{broadcast_id}?page={wrong}")
        assert page.status == 200


async def test_two_chats_of_one_title_are_two_sections_of_who_acknowledged(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker
) -> None:
    """«Родители 1А» of two schools in Telegram and one in MAX: three lists, each headed by
    the title and where the chat is, not one list of everybody."""
    same = [(GROUP, "supergroup"), (OTHER, "group"), (MAX_GROUP, "chat")]
    async with sessionmaker() as session:
        session.add_all(Chat(id=chat_id, kind=kind, title="Родители 1А") for chat_id, kind in same)
        broadcast = Broadcast(
            author_id=ADMIN.id, content=Content("text", "Привет", ack=True).to_json(),
            audiences="parents", tags="", include_private=False, state=BroadcastState.DONE,
            scheduled_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(broadcast)
        await session.flush()
        for n, (chat_id, _) in enumerate(same):
            session.add(Ack(broadcast_id=broadcast.id, chat_id=chat_id, user_id=10 + n,
                            user_name=f"Мама {n}", at=NOW))  # fmt: skip
        await session.commit()
        broadcast_id = broadcast.id
    await sign_in(client, panel_settings, clock)
    html = await (await client.get(f"/web/broadcasts/{broadcast_id}")).text()
    assert "<h3>Родители 1А (Telegram, супергруппа) — 1</h3>" in html
    assert "<h3>Родители 1А (Telegram, группа) — 1</h3>" in html
    assert "<h3>Родители 1А (MAX, группа) — 1</h3>" in html
