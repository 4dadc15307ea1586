"""«Отчёт»: the period report on a page — the headline numbers a methodist copies into the
МОЦ's yearly report — and the same Excel workbook /report sends in the bot.

The period is read, the numbers counted and the workbook built by bot.services.reports.period
(as /report in Telegram and MAX); this module only reads the form and shows the result. The
form is a GET (nothing changes), so a period can be bookmarked and the download is a plain link.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.services.events.whole_form import plain
from bot.services.reports import period as report
from bot.services.reports.yearly import channel_summary, hours_minutes, organisations, period_label
from bot.texts import events_admin as t
from bot.texts.chats import CHANNEL_TITLES
from bot.texts.events_labels import KIND_LABELS
from handlers.web.context import CLOCK, SETTINGS, XLSX, page, repo

TYPED_MAX = 40  # longer is no date; the form keeps this much of what was typed
SHOWN = "%d.%m.%Y"


def _today(request: web.Request) -> date:
    return request.app[CLOCK].now().astimezone(request.app[SETTINGS].tz).date()


def _typed(request: web.Request) -> dict[str, str]:
    return {name: request.query.get(name, "").strip()[:TYPED_MAX] for name in ("first", "last")}


def _period(request: web.Request) -> tuple[dict[str, str], report.Period | None, dict[str, str]]:
    """What the form shows, the period it names (None: see the problems by field)."""
    typed = _typed(request)
    period, problems = report.read_period(typed["first"], typed["last"], _today(request))
    if period is not None and not typed["last"]:  # the default or a period typed in «с»:
        typed = {"first": period[0].strftime(SHOWN), "last": period[1].strftime(SHOWN)}
    return typed, period, {name: plain(text) for name, text in problems.items()}


async def report_page(request: web.Request) -> web.Response:
    typed, period, problems = _period(request)
    values = page(request, typed=typed, problems=problems, data=None)
    if period is None:
        return aiohttp_jinja2.render_template("report.html", request, values, status=400)
    first, last = period
    data = await report.report_data(
        repo(request), request.app[SETTINGS], first, last, request.app[CLOCK].now()
    )
    values.update(
        data=data, label=period_label(first, last), kinds=KIND_LABELS,
        organisations=organisations(data), channels=channel_summary(data),
        period={"first": first.isoformat(), "last": last.isoformat()},
        median=hours_minutes(data.activity.median_first_answer if data.activity else None),
        channel_titles=CHANNEL_TITLES,
    )  # fmt: skip
    return aiohttp_jinja2.render_template("report.html", request, values)


async def report_xlsx(request: web.Request) -> web.Response:
    """The workbook of /report; a period the form would refuse goes back to the form."""
    _, period, _ = _period(request)
    if period is None:  # the page says what is wrong, by field
        raise web.HTTPSeeOther(f"/web/report?{urlencode(_typed(request))}")
    first, last = period
    data = await report.report_data(
        repo(request), request.app[SETTINGS], first, last, request.app[CLOCK].now()
    )
    made = report.report_file(data, first, last, request.app[SETTINGS])
    russian = t.FILE_REPORT_RU.format(first=first.isoformat(), last=last.isoformat())
    disposition = f"attachment; filename=\"{made.filename}\"; filename*=UTF-8''{quote(russian)}"
    return web.Response(
        body=made.data, content_type=XLSX, headers={"Content-Disposition": disposition}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/report", report_page)
    app.router.add_get("/report.xlsx", report_xlsx)
