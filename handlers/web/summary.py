"""«Сводка»: questions per day (answered / suggested / not understood) as an SVG chart, the
open tickets, and the latest questions the bot did not understand."""

from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.services.faq.daily import per_day
from handlers.web import charts
from handlers.web.context import CLOCK, SETTINGS, page, repo

DAYS = 14


async def summary(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    since = now - timedelta(days=DAYS)
    rows = await repo(request).faq_log.outcomes_after(since)
    days = per_day(rows, settings.tz, now.astimezone(settings.tz).date(), DAYS)
    values = page(
        request,
        chart=charts.daily_questions(days),
        series=charts.SERIES,
        totals={attr: sum(int(getattr(d, attr)) for d in days) for attr, _, _ in charts.SERIES},
        tickets=await repo(request).tickets.count_by_status(),
        unanswered=await repo(request).faq_log.unanswered_since(since, limit=10),
        days=DAYS,
    )
    return aiohttp_jinja2.render_template("summary.html", request, values)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/summary", summary)
