"""Outside QA of the staff panel over real HTTP: what a МОЦ staff member does on a work PC
(a long answer, HTML and emoji typed in, a colleague answering the same ticket in the bot, a
parent who has gone with /forget_me) and what an attacker tries (other objects' ids, forged
query strings, path traversal)."""

from __future__ import annotations

import re

import aiohttp

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.staff.web_sessions import make_token
from storage.db import SessionMaker
from storage.models import TicketStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT
from tests.helpers.events import seed_event
from tests.helpers.panel import Client, RecordingMessenger, sign_in, ticket
from tests.helpers.panel import client as client  # a fixture
from tests.helpers.panel import clock as clock  # a fixture
from tests.helpers.panel import messenger as messenger  # a fixture
from tests.helpers.panel import panel_settings as panel_settings  # a fixture


def _to_parent(messenger: RecordingMessenger) -> str:
    return "\n".join(text for chat, text in messenger.sent if chat == PARENT.id)


async def test_a_5000_character_answer_reaches_the_parent_whole(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Расскажите подробно про все кружки 🙏")
    csrf = await sign_in(client, panel_settings, clock)
    page = await (await client.get(f"/web/tickets/{ticket_id}")).text()
    limit = re.search(r'<textarea[^>]*maxlength="(\d+)"', page)
    assert limit is None or int(limit.group(1)) >= 5000  # the browser would cut a paste
    long = ("Кружок «Робототехника» 🤖 — по средам. " * 130)[:4990] + " КОНЕЦ ✅"
    done = await client.post(f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": long})
    assert "Ответ отправлен" in await done.text()
    assert "КОНЕЦ ✅" in _to_parent(messenger)  # nothing silently cut off


async def test_an_answer_over_the_limit_is_refused_and_kept_not_cut(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Какие документы нужны?")
    csrf = await sign_in(client, panel_settings, clock)
    huge = "Паспорт, СНИЛС, справка. " * 600 + "ХВОСТ"  # 15 000 characters, a paste gone wrong
    refused = await client.post(
        f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": huge}
    )
    shown = await refused.text()
    assert refused.status == 400 and "слишком длинный" in shown
    assert "ХВОСТ</textarea>" in shown  # the typed text is still there to shorten
    assert messenger.sent == []  # not a cut half sent to the parent


async def test_html_and_markdown_in_an_answer_reach_the_parent_as_typed(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Где кабинет?")
    csrf = await sign_in(client, panel_settings, clock)
    typed = '**Каб. 5** <a href="http://evil">тут</a> & _этаж_ 2 😊'
    await client.post(f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": typed})
    sent = _to_parent(messenger)
    assert '&lt;a href="http://evil"&gt;тут&lt;/a&gt; &amp; _этаж_ 2 😊' in sent
    assert "**Каб. 5**" in sent and "<a " not in sent
    page = await (await client.get(f"/web/tickets/{ticket_id}")).text()
    assert "&lt;a href=" in page and '<a href="http://evil"' not in page


HOSTILE = '"><script>alert(1)</script>🙂'


async def test_hostile_addresses_and_queries_are_russian_pages_with_text_escaped(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
) -> None:
    await sign_in(client, panel_settings, clock)
    ticket_id = await ticket(sessionmaker, "Вопрос")
    gets = [
        ("/web/tickets", {"status": HOSTILE, "page": "99999", "done": "closed", "n": "9" * 30}),
        (f"/web/tickets/{ticket_id}", {"done": HOSTILE}),
        ("/web/kb", {"q": HOSTILE, "try": HOSTILE}),
        ("/web/kb/entry/%2e%2e%2f%2e%2e%2fetc%2fpasswd", {}),
        (f"/web/kb/entry/{HOSTILE}", {}),
        (f"/web/kb/entry/{HOSTILE}/history", {}),
        ("/web/kb/history", {"page": HOSTILE}),
        ("/web/kb/unanswered", {"page": "-5"}),
        ("/web/events", {"page": "0", "status": HOSTILE, "q": HOSTILE, "kind": HOSTILE}),
        ("/web/chats", {"q": HOSTILE, "tag": HOSTILE, "kind": HOSTILE, "page": HOSTILE}),
        ("/web/report", {"first": HOSTILE, "last": "31.02.2027"}),
        ("/web/report.xlsx", {"first": HOSTILE, "last": HOSTILE}),
        ("/web/summary", {"days": HOSTILE}),
        ("/web/broadcasts", {"page": HOSTILE, "state": HOSTILE}),
        ("/web/broadcasts/files/%2e%2e%2fsecret", {}),
        ("/web/staff", {"done": HOSTILE}),
        ("/web/static/nothing.css", {}),
        ("/web/events/1/participants.csv", {}),
    ]
    for path, params in gets:
        response = await client.get(path, params=params)
        shown = await response.text()
        assert response.status < 500, (path, shown)
        assert "<script>alert(1)" not in shown, path
        assert "Not Found" not in shown and "Internal Server Error" not in shown, (path, shown)
        assert "SecretStr" not in shown and "class Settings" not in shown, path


async def test_a_colleague_removed_while_signed_in_can_send_nothing_more(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    colleague = 5555
    async with sessionmaker() as session:
        await Repositories(session).staff.add(colleague, ADMIN.id, clock.now())
        await session.commit()
    ticket_id = await ticket(sessionmaker, "Когда родительское собрание?")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as other:  # the colleague's own browser
        link = make_token(panel_settings, colleague, "Ольга 🌸", clock.now())
        async with other.get(client.make_url("/web/login"), params={"t": link}) as entered:
            assert entered.status == 200
        async with other.get(client.make_url(f"/web/tickets/{ticket_id}")) as opened:
            found = re.search(r'name="csrf" value="([^"]+)"', await opened.text())
        assert found is not None

        owner_csrf = await sign_in(client, panel_settings, clock)
        removed = await client.post(
            "/web/staff/remove", data={"csrf": owner_csrf, "person": str(colleague)}
        )
        assert "Сотрудник удалён" in await removed.text()

        async with other.post(
            client.make_url(f"/web/tickets/{ticket_id}/answer"),
            data={"csrf": found[1], "text": "Завтра в 18:00."},
            allow_redirects=False,
        ) as refused:
            assert refused.status == 403 and "Войдите через /web" in await refused.text()
        async with other.get(client.make_url("/web/tickets"), allow_redirects=False) as page:
            assert page.status == 303 and page.headers["Location"] == "/web/signin"
    assert messenger.sent == []


async def test_a_refused_form_names_each_box_as_its_own_form_did(client: Client) -> None:
    """After the session ended, the knowledge base's «Заголовок» came back as «Название»."""
    typed = {"csrf": "old", "title": "Как записаться в кружок?", "answer": "Через Навигатор."}
    refused = await client.post("/web/kb/new", data=typed)
    shown = await refused.text()
    assert refused.status == 403 and "<label>Заголовок<textarea" in shown
    assert "Название" not in shown and "Как записаться в кружок?" in shown
    refused = await client.post("/web/events/new", data={"csrf": "old", "title": "Семинар"})
    assert "<label>Название<textarea" in await refused.text()  # an event's form says so


async def test_the_same_short_answer_to_a_follow_up_question_is_sent_again(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    """«Да.» to the question and «Да.» to the parent's next question in the same ticket are two
    answers: the second was taken for a double click, not sent, and the page said «отправлен»."""
    ticket_id = await ticket(sessionmaker, "Можно прийти в пятницу?")
    csrf = await sign_in(client, panel_settings, clock)

    async def answer_from_a_fresh_page() -> str:
        page = await (await client.get(f"/web/tickets/{ticket_id}")).text()
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
        done = await client.post(
            f"/web/tickets/{ticket_id}/answer", data={**fields, "csrf": csrf, "text": "Да."}
        )
        return await done.text()

    assert "Ответ отправлен" in await answer_from_a_fresh_page()
    async with sessionmaker() as session:  # the parent asks again in the same ticket
        repo = Repositories(session)
        found = await repo.tickets.get(ticket_id)
        assert found is not None
        await repo.tickets.add_message(
            found, PARENT.id, "А в субботу тоже можно?", from_staff=False, delivered=True
        )
        await repo.commit()
    assert "Ответ отправлен" in await answer_from_a_fresh_page()
    answers = [text for chat, text in messenger.sent if chat == PARENT.id and "Да." in text]
    assert len(answers) == 2  # both questions answered


async def test_russian_emoji_and_markup_in_every_form_are_no_server_error(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
) -> None:
    csrf = await sign_in(client, panel_settings, clock)
    odd = "Ёлка 🎄 <b>жирно</b> **звёзды** _курсив_ &amp; \u200b\u202e"
    posts = [
        ("/web/events/new", {"title": odd, "kind": odd, "place": odd, "dates": odd}),
        ("/web/kb/new", {"title": odd, "answer": odd, "questions": odd, "id": odd}),
        ("/web/broadcasts/preview", {"text": odd, "tags": odd, "when": odd}),
        ("/web/broadcasts", {"text": odd, "tags": odd, "when": odd, "draft": odd}),
        ("/web/chats/1/tags", {"tags": odd}),
        ("/web/report", {"first": odd, "last": odd}),
        ("/web/tickets/close", {"id": odd}),
        ("/web/staff/invite", {"note": odd}),
    ]
    for path, form in posts:
        response = await client.post(path, data={**form, "csrf": csrf})
        shown = await response.text()
        assert response.status < 500, (path, shown)
        assert "<b>жирно</b>" not in shown, path
        assert "Not Found" not in shown and "Method Not Allowed" not in shown, (path, shown)


async def test_every_form_posted_empty_is_no_server_error(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
) -> None:
    csrf = await sign_in(client, panel_settings, clock)
    ticket_id = await ticket(sessionmaker, "Вопрос")
    event_id = await seed_event(sessionmaker)
    paths = [
        "/web/broadcasts", "/web/broadcasts/preview", "/web/broadcasts/1/cancel",
        "/web/chats/import", "/web/chats/1/bind", "/web/chats/1/tags", "/web/chats/1/unbind",
        "/web/events/import", "/web/events/new", f"/web/events/{event_id}/attendance",
        f"/web/events/{event_id}/cancel", f"/web/events/{event_id}/close",
        f"/web/events/{event_id}/edit", "/web/kb/check", "/web/kb/new",
        "/web/kb/entry/moc.contacts", "/web/kb/entry/moc.contacts/reset", "/web/kb/revert/1",
        "/web/kb/unanswered/1/attach", "/web/report", "/web/staff/invite", "/web/staff/remove",
        "/web/tickets/close", f"/web/tickets/{ticket_id}/answer",
        f"/web/tickets/{ticket_id}/close",
    ]  # fmt: skip
    for path in paths:
        response = await client.post(path, data={"csrf": csrf})
        shown = await response.text()
        assert response.status < 500, (path, shown)
        assert "Not Found" not in shown and "Method Not Allowed" not in shown, (path, shown)


async def test_an_answer_held_on_a_ticket_answered_and_closed_meanwhile_is_kept(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    """The colleague answered and closed it in the bot: the held answer must stay on the
    page with its button, not vanish with the form of a closed ticket."""
    ticket_id = await ticket(sessionmaker, "Можно перенести занятие?")
    csrf = await sign_in(client, panel_settings, clock)
    async with sessionmaker() as session:
        repo = Repositories(session)
        found = await repo.tickets.get(ticket_id)
        assert found is not None
        await repo.tickets.add_message(
            found, 1001, "Да, на четверг.", from_staff=True, delivered=True
        )
        await repo.tickets.set_status(ticket_id, TicketStatus.CLOSED)
        await repo.commit()
    typed = "Перенесём на пятницу 🙂"
    held = await client.post(
        f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "seen": "0", "text": typed}
    )
    shown = await held.text()
    assert "уже ответили" in shown and f"{typed}</textarea>" in shown
    assert "Отправить ответ" in shown
    assert messenger.sent == []
