"""The staff web panel over real HTTP (aiohttp test server): sign-in links, sessions, CSRF,
escaping, and answering / closing tickets through the same delivery as the staff chat."""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq.daily import per_day
from bot.services.staff.web_sessions import make_token
from handlers.web.charts import daily_questions
from storage.db import SessionMaker
from storage.models import FaqQuery, Ticket, User
from tests.conftest import ADMIN, PARENT, make_settings
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    EVIL,
    NOW,
    Client,
    RecordingMessenger,
    client,
    client_for,
    clock,
    messenger,
    panel_settings,
    sign_in,
    ticket,
)


async def test_without_a_session_every_page_sends_to_the_bot(client: Client) -> None:
    for path in ("/web/", "/web/tickets", "/web/tickets/1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303  # the bare /web goes on to /web/tickets first
        assert response.headers["Location"] in ("/web/signin", "/web/tickets")
    page = await client.get("/web/tickets")
    assert str(page.url).endswith("/web/signin")
    assert "/web" in await page.text() and "Войдите через бота" in await page.text()
    posted = await client.post("/web/tickets/close", data={"id": "1"})
    assert posted.status == 403


async def test_the_static_folder_and_a_missing_file_show_the_panels_own_page(
    client: Client,
) -> None:
    """/web/static/ (the folder) showed aiohttp's English «403: Forbidden», a missing file an
    empty 404: staff now get the panel's Russian «no such page», and the files still load."""
    for path in ("/web/static/", "/web/static/panel.cs", "/web/static/css/panel.css"):
        response = await client.get(path)
        shown = await response.text()
        assert response.status == 404, path
        assert "Такой страницы в панели нет" in shown and "Forbidden" not in shown, (path, shown)
    css = await client.get("/web/static/panel.css")
    assert css.status == 200 and css.content_type == "text/css"
    assert "box-sizing" in await css.text()


async def test_a_forged_cookie_is_no_session(client: Client) -> None:
    client.session.cookie_jar.update_cookies({"moc_panel": "made-up"})
    response = await client.get("/web/tickets", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/web/signin"


async def test_session_cookie_attributes_and_expiry(
    client: Client,
    panel_settings: Settings,
    clock: FrozenClock,
) -> None:
    token = make_token(panel_settings, ADMIN.id, "Анна", clock.now())
    entered = await client.get("/web/login", params={"t": token})
    cookie = entered.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/web" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    assert (await client.get("/web/tickets", allow_redirects=False)).status == 200
    clock.advance(timedelta(hours=12, minutes=1))
    expired = await client.get("/web/tickets", allow_redirects=False)
    assert expired.status == 303 and expired.headers["Location"] == "/web/signin"


async def test_secure_cookie_under_https(
    db_path: Path, sessionmaker: SessionMaker, clock: FrozenClock, messenger: RecordingMessenger
) -> None:
    settings = make_settings(db_path, web_public_url="https://moc.example.org")
    client = await client_for(settings, sessionmaker, messenger, clock)
    try:
        token = make_token(settings, ADMIN.id, "Анна", clock.now())
        entered = await client.get("/web/login", params={"t": token})
        assert entered.status == 200 and "Secure" in entered.headers["Set-Cookie"]
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("used", "уже использована"),
        ("expired", "устарела"),
        ("forged", "повреждена"),
        ("other_secret", "повреждена"),
        ("garbage", "повреждена"),
        ("not_staff", "только для сотрудников"),
    ],
)
async def test_sign_in_links_that_open_nothing(
    client: Client,
    panel_settings: Settings,
    db_path: Path,
    clock: FrozenClock,
    case: str,
    reason: str,
) -> None:
    token = make_token(panel_settings, ADMIN.id, "Анна", clock.now())
    if case == "used":
        assert (await client.get("/web/login", params={"t": token})).status == 200
        client.session.cookie_jar.clear()
    elif case == "expired":
        clock.advance(timedelta(minutes=10, seconds=1))
    elif case == "forged":  # another staff id under the old signature
        signature = token.partition(".")[2]
        other = make_token(panel_settings, PARENT.id, "x", clock.now()).partition(".")[0]
        token = f"{other}.{signature}"
    elif case == "garbage":
        token = "ж.ж"
    elif case == "other_secret":
        token = make_token(make_settings(db_path, web_secret="guess"), ADMIN.id, "А", NOW)
    else:
        token = make_token(panel_settings, PARENT.id, "Мария", clock.now())
    response = await client.get("/web/login", params={"t": token})
    assert response.status == 403
    assert reason in await response.text()
    assert "Set-Cookie" not in response.headers
    assert (await client.get("/web/tickets", allow_redirects=False)).status == 303


async def test_staff_removed_from_admin_ids_is_refused_at_once(
    client: Client,
    panel_settings: Settings,
    db_path: Path,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    token = make_token(panel_settings, ADMIN.id, "Анна", clock.now())
    await sign_in(client, panel_settings, clock)
    # the same deployment after ADMIN_IDS lost Анна (the secret unchanged)
    demoted = make_settings(db_path, web_secret="panel-test-secret", admin_ids="42")
    later = await client_for(demoted, sessionmaker, messenger, clock)
    try:
        later.session.cookie_jar.update_cookies(client.session.cookie_jar.filter_cookies(
            client.make_url("/web/")
        ))  # fmt: skip
        refused = await later.get("/web/tickets", allow_redirects=False)
        assert refused.status == 303 and refused.headers["Location"] == "/web/signin"
        link = await later.get("/web/login", params={"t": token})
        assert link.status == 403 and "только для сотрудников" in await link.text()
    finally:
        await later.close()


async def test_post_without_the_csrf_token_is_forbidden(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "когда запись?")
    csrf = await sign_in(client, panel_settings, clock)
    path = f"/web/tickets/{ticket_id}/answer"
    for form in ({"text": "ответ"}, {"text": "ответ", "csrf": "wrong"}):
        response = await client.post(path, data=form, allow_redirects=False)
        assert response.status == 403
    assert (await client.post("/web/logout", allow_redirects=False)).status == 403
    assert messenger.sent == []
    ok = await client.post(path, data={"text": "ответ", "csrf": csrf}, allow_redirects=False)
    assert ok.status == 303


async def test_user_text_is_shown_escaped(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
) -> None:
    ticket_id = await ticket(sessionmaker, f"вопрос {EVIL}", name=EVIL)
    await sign_in(client, panel_settings, clock)
    for path in ("/web/tickets", f"/web/tickets/{ticket_id}"):
        html = await (await client.get(path)).text()
        assert "<script>" not in html
        assert "&lt;script&gt;" in html


async def test_answer_close_and_bulk_close_reach_the_parent(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    first = await ticket(sessionmaker, "первый вопрос")
    csrf = await sign_in(client, panel_settings, clock)
    page = await client.post(
        f"/web/tickets/{first}/answer", data={"text": "Да, <b>можно</b>.", "csrf": csrf}
    )
    assert "Ответ отправлен" in await page.text()
    text = [text for chat, text in messenger.sent if chat == PARENT.id][-1]
    assert f"обращение №{first}" in text
    assert "Да, &lt;b&gt;можно&lt;/b&gt;." in text  # typed text goes as text, not markup
    async with sessionmaker() as session:
        answered = await session.get(Ticket, first)
        assert answered is not None and answered.status == "answered"
        assert answered.answered_by == ADMIN.id

    second, third = await ticket(sessionmaker, "второй"), await ticket(sessionmaker, "третий")
    listing = await client.get("/web/tickets", params={"status": "answered"})
    assert f"№{first}" in await listing.text()
    done = await client.post(
        "/web/tickets/close", data=[("csrf", csrf), ("id", str(second)), ("id", str(third))]
    )
    assert "Закрыто обращений: 2" in await done.text()
    closed_notes = [
        text for chat, text in messenger.sent if chat == PARENT.id and "закрыто" in text
    ]
    assert len(closed_notes) == 2
    again = await client.post(f"/web/tickets/{second}/close", data={"csrf": csrf})
    assert "Закрыто обращений: 0" in await again.text()
    closed = await client.get("/web/tickets", params={"status": "closed"})
    assert f"№{second}" in await closed.text() and f"№{third}" in await closed.text()


async def test_logout_ends_the_session(
    client: Client,
    panel_settings: Settings,
    clock: FrozenClock,
) -> None:
    csrf = await sign_in(client, panel_settings, clock)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/web/"))["moc_panel"]
    out = await client.post("/web/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    client.session.cookie_jar.update_cookies({"moc_panel": cookie.value})  # a copy kept
    response = await client.get("/web/tickets", allow_redirects=False)
    assert response.status == 303


async def test_summary_draws_questions_per_day(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
) -> None:
    assert (await client.get("/web/summary", allow_redirects=False)).status == 303
    await ticket(sessionmaker, "вопрос")  # the parent exists now
    async with sessionmaker() as session:
        for days_ago, outcome, text in [
            (0, "answer", "как получить сертификат"),
            (0, "unknown", f"непонятно {EVIL}"),
            (1, "suggest", "навигатор"),
            (30, "unknown", "давний вопрос"),  # outside the chart's 14 days
        ]:
            session.add(
                FaqQuery(
                    user_id=PARENT.id,
                    text=text,
                    outcome=outcome,
                    created_at=NOW - timedelta(days=days_ago),
                )
            )
        await session.commit()
    await sign_in(client, panel_settings, clock)
    html = await (await client.get("/web/summary")).text()
    assert html.count("<rect") == 3 and "<svg" in html
    assert "ответил: 1" in html and "не понял: 1" in html and "Открытых: 1" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "давний вопрос" not in html


def test_per_day_buckets_local_days_and_keeps_empty_ones() -> None:
    tz = ZoneInfo("Asia/Kamchatka")  # UTC+12: 13:00 UTC is already tomorrow there
    rows = [
        (datetime(2026, 12, 4, 13, 0, tzinfo=UTC), "answer"),
        (datetime(2026, 12, 4, 11, 0, tzinfo=UTC), "offtopic"),
        (datetime(2026, 12, 4, 11, 0, tzinfo=UTC), "smalltalk"),
    ]
    days = per_day(rows, tz, date(2026, 12, 5), 3)
    assert [d.day.day for d in days] == [3, 4, 5]
    assert (days[1].not_understood, days[1].answered, days[1].total) == (1, 0, 1)
    assert days[2].answered == 1 and days[0].total == 0
    assert "<rect" in daily_questions(days) and "<rect" not in daily_questions(days[:1])


async def test_staff_page_lists_admin_ids(
    db_path: Path, sessionmaker: SessionMaker, clock: FrozenClock, messenger: RecordingMessenger
) -> None:
    settings = make_settings(db_path, admin_ids=f"{ADMIN.id},77", web_secret="s")
    async with sessionmaker() as session:
        session.add(User(id=ADMIN.id, first_name=EVIL, username="anna_moc"))
        await session.commit()
    client = await client_for(settings, sessionmaker, messenger, clock)
    try:
        assert (await client.get("/web/staff", allow_redirects=False)).status == 303
        await sign_in(client, settings, clock)
        html = await (await client.get("/web/staff")).text()
        assert "&lt;script&gt;" in html and "<script>" not in html and "@anna_moc" in html
        assert "id 77" in html and "ещё не писал(а) боту" in html
        assert html.count("вошёл(ла) в панель") == 1
    finally:
        await client.close()
