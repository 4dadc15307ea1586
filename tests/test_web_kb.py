"""«База знаний» in the web panel over real HTTP, with the real bot polling the fake Telegram
server on the same FaqService: the checker refuses a broken answer next to its field, a save is
what the next parent gets, history says who changed what, revert brings a version back, and a
question the bot did not understand becomes a sample question in one click.

Each test builds its own FaqService: saving changes the live knowledge base.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot import texts
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.learning import attach_question, refresh
from bot.services.staff.web_sessions import make_token
from storage.db import SessionMaker
from storage.models import FaqEntryVersion, FaqQuery
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, BotHarness, process_env
from tests.fakes.telegram_api import FakeUser
from tests.helpers.panel import EVIL

Client = TestClient[web.Request, web.Application]
SECOND = FakeUser(id=2005, first_name="Ольга", last_name="Петрова")
SHOES = "нужна ли сменная обувь на занятиях"
CONTACTS = "/web/kb/entry/moc.contacts"
ROOT = Path(__file__).resolve().parent.parent


async def sign_in(client: Client, settings: Settings) -> str:
    token = make_token(settings, ADMIN.id, "Анна Методист", SystemClock().now())
    assert (await client.get("/web/login", params={"t": token})).status == 200
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/web/kb")).text())
    assert found is not None
    return found.group(1)


def form(csrf: str, faq: FaqService, entry_id: str, **changes: str) -> dict[str, str]:
    entry = faq.kb.entries[entry_id]
    values = {
        "csrf": csrf,
        "entry_id": entry_id,
        "title": entry.title,
        "answer": entry.answer,
        "questions": "\n".join(entry.questions),
        "links": "\n".join(f"{link.title} | {link.url}" for link in entry.links),
        "related": ", ".join(entry.related),
        "action": "save",
    }
    return values | changes


async def versions(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FaqEntryVersion)) or 0)


async def test_kb_pages_need_a_session_and_the_csrf_token(
    client: Client, settings: Settings, faq: FaqService
) -> None:
    for path in ("/web/kb", CONTACTS, "/web/kb/history", "/web/kb/unanswered", "/web/kb/new"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/web/signin"
    assert (await client.post(CONTACTS, data={"answer": "x"})).status == 403
    csrf = await sign_in(client, settings)
    data = form(csrf, faq, "moc.contacts", answer="Новый ответ")
    del data["csrf"]
    for path in (CONTACTS, "/web/kb/check", "/web/kb/revert/1", "/web/kb/new"):
        assert (await client.post(path, data=data)).status == 403
    assert faq.version == 0


async def test_a_broken_answer_is_refused_next_to_its_field(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings)
    before = faq.kb.entries["moc.contacts"].answer
    page = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Звоните: {moc_fax}")
    )
    assert page.status == 422
    html = await page.text()
    field = re.search(r'<ul class="field-errors" id="err-answer"[^>]*>(.*?)</ul>', html, re.S)
    assert field is not None and "неизвестный плейсхолдер {moc_fax}" in field.group(1)
    assert "Звоните: {moc_fax}" in html  # the typed text is kept in the form
    assert await versions(sessionmaker) == 0 and faq.version == 0
    assert faq.kb.entries["moc.contacts"].answer == before

    checked = await client.post(
        "/web/kb/check", data=form(csrf, faq, "moc.contacts", answer="Строка<br>вторая")
    )
    result = await checked.json()
    assert any("<br>" in m for m in result["errors"]["answer"])
    few = await client.post("/web/kb/check", data=form(csrf, faq, "moc.contacts", questions="а"))
    assert "не меньше 3" in " ".join((await few.json())["errors"]["questions"])


async def test_save_reaches_the_next_parent_history_and_revert(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    original = (await learn.say(PARENT, "контакты моц")).text
    csrf = await sign_in(client, settings)
    new = "<b>Новые контакты</b>: звоните {moc_phone}, пишите в бот."
    preview = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer=new, action="check")
    )
    html = await preview.text()
    assert preview.status == 200 and "<b>Новые контакты</b>: звоните +7 (900) 123-45-67" in html
    assert faq.version == 0  # «Проверить» saves nothing

    saved = await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer=new))
    assert "Сохранено" in await saved.text() and str(saved.url).endswith("done=saved")
    answer = await learn.say(SECOND, "контакты моц")
    assert answer.text == f"Новые контакты: звоните {settings.moc_phone}, пишите в бот."

    second = "Только почта: пишите нам."
    await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer=second))
    assert (await learn.say(PARENT, "контакты моц")).text == second
    history = await (await client.get(f"{CONTACTS}/history")).text()
    assert history.count("Анна Методист (id 1000)") == 2 and "ответ" in history
    first_row = re.findall(r'action="/web/kb/revert/(\d+)"', history)
    assert len(first_row) == 1  # the newest one is in force, the older can come back
    back = await client.post(f"/web/kb/revert/{first_row[0]}", data={"csrf": csrf})
    assert "Версия возвращена" in await back.text() and "возврат к" in await back.text()
    assert (await learn.say(SECOND, "контакты моц")).text.startswith("Новые контакты")

    reset = await client.post(f"{CONTACTS}/reset", data={"csrf": csrf})
    assert reset.status == 200 and "как в файле" in await reset.text()
    assert (await learn.say(PARENT, "контакты моц")).text == original
    assert faq.version == 4


async def test_user_text_is_escaped_on_every_kb_page(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    async with sessionmaker() as session:
        session.add(FaqQuery(user_id=PARENT.id, text=f"вопрос {EVIL}", outcome="unknown"))
        await session.commit()
    csrf = await sign_in(client, settings)
    entry = faq.kb.entries["moc.contacts"]
    questions = "\n".join((*entry.questions, f"а можно {EVIL}"))
    refused = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer=f"Ответ {EVIL}", title=EVIL)
    )
    assert refused.status == 422  # <script> is no Telegram HTML: the checker says so
    saved = await client.post(
        CONTACTS,
        data=form(
            csrf, faq, "moc.contacts", title=f"Контакты {EVIL}", questions=questions,
            answer="Ответ &lt;script&gt;alert(1)&lt;/script&gt; <i>курсив</i>",
        ),
    )  # fmt: skip
    assert saved.status == 200
    pages = [
        await refused.text(),
        await saved.text(),
        await (await client.get("/web/kb", params={"q": "script"})).text(),
        await (await client.get("/web/kb", params={"try": EVIL})).text(),
        await (await client.get("/web/kb/history")).text(),
        await (await client.get("/web/kb/unanswered")).text(),
    ]
    for html in pages:
        assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<i>курсив</i>" in pages[1]  # Telegram HTML is shown as formatting


async def unanswered(sessionmaker: SessionMaker, text: str) -> int:
    async with sessionmaker() as session:
        row = await Repositories(session).faq_log.add(PARENT.id, text, "unknown", None, 0.0)
        await session.commit()
        return row.id


async def test_attach_an_unanswered_question_and_the_next_parent_is_answered(
    learn: BotHarness,
    client: Client,
    settings: Settings,
    faq: FaqService,
    sessionmaker: SessionMaker,
) -> None:
    first = await learn.say(PARENT, SHOES)
    assert texts.BTN_ASK_SHORT in first.inline_texts  # not understood
    await learn.dp.workflow_data["querylog"].flush()
    csrf = await sign_in(client, settings)
    listing = await (await client.get("/web/kb/unanswered")).text()
    found = re.search(r'action="/web/kb/unanswered/(\d+)/attach"', listing)
    assert found is not None and SHOES in listing
    done = await client.post(
        f"/web/kb/unanswered/{found.group(1)}/attach",
        data={"csrf": csrf, "entry_id": "moc.contacts"},
    )
    assert "Вопрос добавлен к статье" in await done.text()
    assert str(done.url).endswith(f"{CONTACTS}?done=attached")
    answer = await learn.say(SECOND, SHOES)
    assert settings.moc_phone in answer.text
    history = await (await client.get(f"{CONTACTS}/history")).text()
    assert f"добавлен вопрос «{SHOES}»" in history

    again = await client.post(
        f"/web/kb/unanswered/{found.group(1)}/attach",
        data={"csrf": csrf, "entry_id": "moc.what"},
    )
    assert again.status == 422 and "уже ведёт к" in await again.text()


async def test_one_question_asked_many_times_does_not_push_the_others_off_the_list(
    client: Client, settings: Settings, sessionmaker: SessionMaker
) -> None:
    """QA: the page read the newest 40 askings, then merged repeats — a question asked 40
    times in a morning hid every other unanswered question of the week."""
    await unanswered(sessionmaker, "где взять справку для бассейна")
    for _ in range(45):
        await unanswered(sessionmaker, "когда откроют запись в кванториум")
    await sign_in(client, settings)
    listing = await (await client.get("/web/kb/unanswered")).text()
    assert listing.count("когда откроют запись в кванториум") >= 1
    assert "где взять справку для бассейна" in listing


async def test_a_new_entry_from_an_unanswered_question(
    learn: BotHarness,
    client: Client,
    settings: Settings,
    faq: FaqService,
    sessionmaker: SessionMaker,
) -> None:
    dog = "можно ли привести на занятие собаку-поводыря"
    query_id = await unanswered(sessionmaker, dog)
    csrf = await sign_in(client, settings)
    blank = await (await client.get("/web/kb/new", params={"from": str(query_id)})).text()
    assert f">{dog}</textarea>" in blank
    data = {
        "csrf": csrf, "category": "moc", "title": "Можно ли прийти с собакой-поводырём?",
        "answer": "Да, можно. Предупредите педагога: {moc_phone}",
        "questions": f"{dog}\nпускают ли с собакой поводырем\nсобака-поводырь на занятиях",
        "links": "", "related": "", "action": "save",
    }  # fmt: skip
    created = await client.post("/web/kb/new", data=data)
    assert "Статья создана" in await created.text()
    assert re.search(r"/web/kb/entry/moc\.web\d+\?done=created$", str(created.url))
    answer = await learn.say(SECOND, dog)
    assert answer.text == f"Да, можно. Предупредите педагога: {settings.moc_phone}"


async def test_another_instance_serves_the_saved_version_and_skips_a_broken_row(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings)
    await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Версия из панели."))
    other = FaqService(None, settings.placeholders())  # another instance, its own matcher
    async with sessionmaker() as session:
        assert await refresh(other, Repositories(session), every=0, wait=True)
    assert other.kb.entries["moc.contacts"].answer == "Версия из панели."
    assert other.matcher.search("контакты моц").match is not None

    async with sessionmaker() as session:  # a row nobody checked (a hand-made SQL insert)
        latest = (await session.scalars(select(FaqEntryVersion))).one()
        session.add(
            FaqEntryVersion(
                entry_id="moc.contacts", action="edit", active=True, category="moc",
                audience="all", title="x", answer="{moc_fax}", questions=["контакты моц"],
                links=[], related=[], summary="", kb_version=9, staff_id=1, staff_name="x",
            )
        )  # fmt: skip
        repo = Repositories(session)
        await repo.faq_kb.bump()
        await session.commit()
        assert await refresh(other, repo, every=0, wait=True)
    assert latest.answer == "Версия из панели."
    yaml_answer = FaqService(None).kb.entries["moc.contacts"].answer
    assert other.kb.entries["moc.contacts"].answer == yaml_answer  # left out, bot goes on
    assert other.version == 2


async def test_two_staff_editing_one_entry_the_second_save_is_refused(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    csrf = await sign_in(client, settings)
    opened = await (await client.get(CONTACTS)).text()
    base = re.search(r'name="base" value="(\d+)"', opened)
    assert base is not None and base.group(1) == "0"
    first = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Первый.", base=base.group(1))
    )
    assert "Сохранено" in await first.text()
    late = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Второй.", base=base.group(1))
    )
    assert late.status == 422 and "Пока вы правили, статью сохранил(а) Анна Методист" in (
        await late.text()
    )
    assert faq.kb.entries["moc.contacts"].answer == "Первый." and await versions(sessionmaker) == 1
    fresh = re.search(r'name="base" value="(\d+)"', await (await client.get(CONTACTS)).text())
    assert fresh is not None and fresh.group(1) != "0"
    again = await client.post(
        CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Второй.", base=fresh.group(1))
    )
    assert "Сохранено" in await again.text()


async def test_faq_staff_prints_entries_saved_in_the_panel(
    client: Client, settings: Settings, faq: FaqService, db_url: str
) -> None:
    csrf = await sign_in(client, settings)
    await client.post(CONTACTS, data=form(csrf, faq, "moc.contacts", answer="Из панели."))
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "faq", "staff"],
        cwd=ROOT, env=process_env(db_url), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [entry] = yaml.safe_load(done.stdout)["panel"]
    assert entry["id"] == "moc.contacts" and entry["answer"] == "Из панели."
    assert entry["questions"] == list(faq.kb.entries["moc.contacts"].questions)


def test_the_preview_keeps_telegram_formatting_and_escapes_everything_else() -> None:
    from handlers.web.kb_preview import telegram_html

    shown = telegram_html(
        '<b>Жирный</b> <a href="https://x.org/?a=1&amp;b=2">ссылка</a> <script>alert(1)</script>'
        '<a href="javascript:alert(1)">плохая</a> <img src=x onerror=alert(1)> <i>не закрыт'
        " <tg-spoiler>тайна</tg-spoiler> a &lt; b <br/>"
    )
    assert shown.startswith("<b>Жирный</b> ")
    assert '<a href="https://x.org/?a=1&amp;b=2" rel="noopener noreferrer">ссылка</a>' in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "javascript" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and "<img" not in shown
    assert '<span class="spoiler">тайна</span>' in shown and "a &lt; b &lt;br/&gt;" in shown
    assert shown.endswith("</i>")  # an unclosed tag is closed, the page stays well-formed


async def test_a_question_attached_in_the_chat_while_the_editor_is_open_is_kept(
    client: Client, settings: Settings, faq: FaqService, sessionmaker: SessionMaker
) -> None:
    """Staff attach a parent's question in the bot («➕ В базу») while a colleague has the
    same entry open in the panel: the colleague's save keeps the question they never saw."""
    csrf = await sign_in(client, settings)
    opened = await (await client.get(CONTACTS)).text()
    fields = {k: re.search(rf'name="{k}" value="(\d+)"', opened) for k in ("base", "seen")}
    assert all(fields.values())
    async with sessionmaker() as session:
        await attach_question(
            faq, Repositories(session), settings.placeholders(), "moc.contacts", SHOES, ADMIN.id
        )
    assert SHOES in faq.kb.entries["moc.contacts"].questions
    stale = form(csrf, faq, "moc.contacts", answer="Новый ответ.")
    stale["questions"] = "\n".join(q for q in stale["questions"].split("\n") if q != SHOES)
    stale |= {k: m.group(1) for k, m in fields.items() if m}
    saved = await client.post(CONTACTS, data=stale)
    assert "Сохранено" in await saved.text()
    entry = faq.kb.entries["moc.contacts"]
    assert entry.answer == "Новый ответ." and SHOES in entry.questions
    # a question the editor saw and deleted stays deleted
    again = await (await client.get(CONTACTS)).text()
    newer = {k: re.search(rf'name="{k}" value="(\d+)"', again) for k in ("base", "seen")}
    seen = form(csrf, faq, "moc.contacts")
    seen["questions"] = "\n".join(q for q in seen["questions"].split("\n") if q != SHOES)
    seen |= {k: m.group(1) for k, m in newer.items() if m}
    assert "Сохранено" in await (await client.post(CONTACTS, data=seen)).text()
    assert SHOES not in faq.kb.entries["moc.contacts"].questions
