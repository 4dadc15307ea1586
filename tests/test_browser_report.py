"""«Отчёт» in a real browser: headless Chromium from Debian (/usr/bin/chromium) driven by
Playwright, against the real bot polling the fake Telegram server.

Events with registrations and attendance are written through the repositories; a staff member
signs in with /web, opens «Отчёт» (the current academic year, as /report without dates), sees
the numbers, types a wrong date and a reversed period (told next to the field, what was typed
kept), switches to last year and downloads the workbook, opened with openpyxl. A visitor who is
not staff gets the panel's usual refusal. Without Chromium the tests skip (fail under CI).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot import texts
from bot.services.reports.period import academic_year
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, TEACHER, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.browser import DOCS, browser_or_skip, chromium, login_link, signed_in
from tests.helpers.browser import panel as panel  # a fixture
from tests.helpers.browser import settings as settings  # a fixture
from tests.helpers.events import register, seed_event, seed_teacher

OTHER = FakeUser(id=2003, first_name="Ольга", last_name="Кузнецова")
THIRD = FakeUser(id=2004, first_name="Инна", last_name="Белова")
FOURTH = FakeUser(id=2005, first_name="Зоя", last_name="Орлова")
SCREENSHOT = DOCS / "web-report.png"
SCHOOL, HOUSE = "МБОУ СОШ № 1", "МАУ ДО «ЦДТ» <b>Радуга</b>"


async def attended(sm: SessionMaker, reg_id: int) -> None:
    async with sm() as session:
        repo = Repositories(session)
        assert await repo.events.mark_attended(reg_id, True)
        await repo.commit()


async def seed_year(harness: BotHarness) -> tuple[date, date]:
    """This academic year: a seminar that has taken place (two teachers of two organisations,
    one came) and a cancelled one that does not count; last year: a master class (one came).
    Returns last academic year's first and last day."""
    sm, tz = harness.sessionmaker, harness.settings.tz
    now = datetime.now(UTC)
    first, _ = academic_year(now.astimezone(tz).date())
    year_start = datetime.combine(first, time(0, 1), tz).astimezone(UTC)
    await seed_teacher(sm, TEACHER, "Сидоров Пётр Ильич", SCHOOL)
    await seed_teacher(sm, OTHER, "Кузнецова Ольга Ивановна", HOUSE)
    await seed_teacher(sm, THIRD, "Белова Инна Сергеевна", SCHOOL)
    held = await seed_event(sm, starts_at=max(now - timedelta(days=3), year_start))
    reg, _ = await register(sm, held, TEACHER)
    await attended(sm, reg)
    await register(sm, held, OTHER)
    dropped = await seed_event(
        sm, starts_at=max(now - timedelta(days=2), year_start), status="cancelled"
    )
    await register(sm, dropped, THIRD)
    last_first, last_last = first.replace(year=first.year - 1), first - timedelta(days=1)
    before = datetime.combine(last_first + timedelta(days=40), time(10), tz).astimezone(UTC)
    old = await seed_event(sm, starts_at=before, kind="master_class", title="Мастер-класс")
    reg, _ = await register(sm, old, THIRD)
    await attended(sm, reg)
    return last_first, last_last


async def figure(page: object, name: str) -> str:
    return str(await page.locator(f"#fig-{name}").inner_text()).strip()  # type: ignore[attr-defined]


async def test_staff_read_the_report_change_the_period_and_download_it(
    harness: BotHarness, panel: None, tmp_path: Path
) -> None:
    async_playwright = browser_or_skip()
    last_first, last_last = await seed_year(harness)
    link = await login_link(harness, ADMIN)

    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page(
            viewport={"width": 390, "height": 900}, accept_downloads=True
        )
        await page.goto(link)
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.get_by_role("link", name="Отчёт").click()
        await page.wait_for_url("**/web/report")
        # the current academic year, as /report without dates
        first, last = academic_year(datetime.now(harness.settings.tz).date())
        assert await page.get_by_label("С (включительно)").input_value() == f"{first:%d.%m.%Y}"
        assert await page.get_by_label("По (включительно)").input_value() == f"{last:%d.%m.%Y}"
        assert [await figure(page, n) for n in ("events", "registrations", "attended")] == [
            "1", "2", "1",
        ]  # fmt: skip
        assert await figure(page, "teachers") == "2"
        assert await figure(page, "organisations") == "2"
        kinds = page.locator("#kinds tbody tr")
        assert await kinds.count() == 1
        assert (await kinds.first.inner_text()).split("\t") == ["Семинар", "1", "1", "2", "1"]
        assert HOUSE in await page.locator("#organisations").inner_text()  # text, not markup
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        # a date that does not exist: said next to the field, what was typed is kept
        await page.get_by_label("С (включительно)").fill("31.02.2026")
        await page.get_by_role("button", name="Показать").click()
        error = page.locator("#err-first")
        await error.wait_for(timeout=15_000)
        assert "Такой даты нет: 31.02.2026" in await error.inner_text()
        assert await page.get_by_label("С (включительно)").input_value() == "31.02.2026"
        assert await page.locator("#fig-events").count() == 0
        # the period backwards
        await page.get_by_label("С (включительно)").fill(f"{last_last:%d.%m.%Y}")
        await page.get_by_label("По (включительно)").fill(f"{last_first:%d.%m.%Y}")
        await page.get_by_role("button", name="Показать").click()
        await page.locator("#err-last").wait_for(timeout=15_000)
        assert "Конец периода раньше начала" in await page.locator("#err-last").inner_text()
        typed = await page.get_by_label("По (включительно)").input_value()
        assert typed == f"{last_first:%d.%m.%Y}"

        # last academic year: the master class only
        await page.get_by_label("С (включительно)").fill(f"{last_first:%d.%m.%Y}")
        await page.get_by_label("По (включительно)").fill(last_last.isoformat())
        await page.get_by_role("button", name="Показать").click()
        await page.get_by_text(f"с {last_first:%d.%m.%Y} по {last_last:%d.%m.%Y}").wait_for()
        assert [await figure(page, n) for n in ("events", "registrations", "attended")] == [
            "1", "1", "1",
        ]  # fmt: skip
        assert "Мастер-класс" in await page.locator("#kinds").inner_text()

        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Скачать Excel").click()
        download = await waiting.value
        expected = f"Отчёт-{last_first.isoformat()}-{last_last.isoformat()}.xlsx"
        assert download.suggested_filename == expected
        saved = tmp_path / "report.xlsx"
        await download.save_as(saved)

    book = load_workbook(saved)
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}
    assert (summary["Мероприятий"], summary["Присутствовали"]) == (1, 1)
    kinds_sheet = list(book["По видам"].iter_rows(values_only=True))
    assert kinds_sheet[1][:2] == ("Мастер-класс", 1)


async def test_a_period_too_long_is_refused_with_the_typed_dates_kept(
    harness: BotHarness, panel: None
) -> None:
    async with signed_in(harness, ADMIN) as page:
        await page.goto(page.url.replace("/web/tickets", "/web/report"))
        await page.get_by_label("С (включительно)").fill("01.09.2016")
        await page.get_by_label("По (включительно)").fill("31.08.2026")
        await page.get_by_role("button", name="Показать").click()
        await page.locator("#err-last").wait_for(timeout=15_000)
        assert "Период длиннее 5 лет" in await page.locator("#err-last").inner_text()
        assert await page.get_by_label("С (включительно)").input_value() == "01.09.2016"
        await page.get_by_label("С (включительно)").fill("вчера")
        await page.get_by_role("button", name="Показать").click()
        await page.get_by_text("Не понял дату").wait_for(timeout=15_000)
        assert await page.get_by_label("С (включительно)").input_value() == "вчера"
        # the download of a refused period goes back to the form, which says why
        response = await page.goto(page.url.replace("/web/report?", "/web/report.xlsx?"))
        assert response is not None and response.status == 400
        await page.locator("#err-first").wait_for()


async def test_a_visitor_who_is_not_staff_is_refused_the_report(
    harness: BotHarness, panel: None
) -> None:
    async_playwright = browser_or_skip()
    await seed_year(harness)
    assert (await harness.say(TEACHER, "/web")).text == texts.ADMIN_ONLY  # no link for them
    base = harness.settings.panel_url
    async with async_playwright() as playwright, chromium(playwright) as browser:
        page = await browser.new_page()
        for address in ("/web/report", "/web/report.xlsx?first=2020-09-01&last=2021-08-31"):
            response = await page.goto(base + address)
            assert response is not None
            await page.wait_for_url("**/web/signin", timeout=15_000)
            assert "xlsx" not in (response.headers.get("content-type") or "")
            assert await page.locator("#fig-events").count() == 0
        # the same address opens the report once staff sign in: the refusal was the guard's
        await page.goto(await login_link(harness, ADMIN))
        await page.wait_for_url("**/web/tickets", timeout=15_000)
        await page.goto(base + "/web/report")
        assert await figure(page, "events") == "1"


async def test_organisations_are_counted_alike_on_the_page_and_in_the_workbook(
    harness: BotHarness, panel: None, tmp_path: Path
) -> None:
    """Two named organisations and two teachers who named none: «Организаций» is 2 on the
    page and in the workbook; «не указана» is a row after the organisations in both."""
    sm, now = harness.sessionmaker, datetime.now(UTC)
    year_start, _ = academic_year(now.astimezone(harness.settings.tz).date())
    tz = harness.settings.tz
    starts = max(now - timedelta(days=1), datetime.combine(year_start, time(0, 1), tz))
    held = await seed_event(sm, starts_at=starts)
    teachers = [(TEACHER, SCHOOL), (OTHER, HOUSE), (THIRD, ""), (FOURTH, " ")]
    for n, (user, organisation) in enumerate(teachers):
        await seed_teacher(sm, user, f"Педагог {n}", organisation)
        await register(sm, held, user)
    async with signed_in(harness, ADMIN) as page:
        await page.goto(page.url.replace("/web/tickets", "/web/report"))
        figure_shown = await figure(page, "organisations")
        assert figure_shown == "2 (и участников без указанной организации: 2)"
        rows = page.locator("#organisations tbody tr")
        shown = [(await rows.nth(i).inner_text()).split("\t") for i in range(await rows.count())]
        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Скачать Excel").click()
        saved = tmp_path / "report.xlsx"
        await (await waiting.value).save_as(saved)
    assert shown[-1] == ["не указана", "2"] and len(shown) == 3
    book = load_workbook(saved)
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True) if row}
    assert summary["Организаций"] == 2 and summary["Участников без указанной организации"] == 2
    sheet = [list(row) for row in book["По организациям"].iter_rows(min_row=2, values_only=True)]
    assert sheet == [[name, int(count)] for name, count in shown]
    assert book["По организациям"].auto_filter.ref == "A1:B3"  # sorting keeps «не указана» out
