"""«Сводка»: questions per day (answered / suggested / not understood), top topics, the latest
questions the bot did not understand, open tickets and time to the first answer, registrations
by event kind and by month, broadcasts delivered / blocked / acknowledged.

Every number is read through repositories; every chart is server-side SVG (handlers.web.charts).
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from bot.services.faq.daily import per_day
from bot.texts.events_labels import KIND_LABELS
from handlers.web import charts
from handlers.web.context import CLOCK, FAQ, SETTINGS, page, repo
from storage.repositories import Repositories
from storage.repositories.panel_stats import PanelStatsRepo
from storage.repositories.reports import ReportRepo

DAYS = 14
TOPIC_DAYS = 30
TICKET_DAYS = 90
BROADCAST_DAYS = 90
YEAR = timedelta(days=365)
MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
BROADCAST_ROWS = (
    ("sent", "доставлено"), ("blocked", "заблокировали"), ("failed", "ошибки"),
    ("acknowledged", "ознакомились"),
)  # fmt: skip


def duration(delta: timedelta | None) -> str:
    """«2 ч 05 мин», «15 мин»; «—» when there is nothing to measure."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} дн {hours} ч"
    return f"{hours} ч {minutes:02d} мин" if hours else f"{minutes} мин"


async def first_answers(repo: Repositories, now: datetime) -> dict[str, object]:
    delays = await PanelStatsRepo(repo.session).first_answer_delays(now - timedelta(TICKET_DAYS))
    seconds = [d.total_seconds() for d in delays]
    return {
        "answered": len(seconds),
        "median": duration(timedelta(seconds=statistics.median(seconds)) if seconds else None),
        "mean": duration(timedelta(seconds=statistics.fmean(seconds)) if seconds else None),
    }


async def registration_charts(repo: Repositories, now: datetime, tz: ZoneInfo) -> list[Markup]:
    """By kind and by the month registrations were made, events of the past and next year."""
    data = await ReportRepo(repo.session).collect(now - YEAR, now + YEAR, tz=tz)
    kinds = [(KIND_LABELS.get(k.kind, k.kind), k.registrations) for k in data.by_kind]
    months = [(f"{MONTHS[m.month - 1]} {m.year}", m.registrations) for m in data.by_month[-12:]]
    return [
        charts.bars(kinds, "Записи по видам мероприятий", "#6a1b9a"),
        charts.bars(months, "Записи по месяцам", "#00838f"),
    ]


async def summary(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    since = now - timedelta(days=DAYS)
    r = repo(request)
    rows = await r.faq_log.outcomes_after(since)
    days = per_day(rows, settings.tz, now.astimezone(settings.tz).date(), DAYS)
    topics = await r.faq_log.top_entries_since(now - timedelta(TOPIC_DAYS), limit=10)
    entries = (await request.app[FAQ].get()).kb.entries  # staff read titles, not entry ids
    topics = [(entries[i].title if i in entries else i, n) for i, n in topics]
    delivered = await PanelStatsRepo(r.session).delivery_totals(now - timedelta(BROADCAST_DAYS))
    by_kind, by_month = await registration_charts(r, now, settings.tz)
    values = page(
        request,
        chart=charts.daily_questions(days),
        series=charts.SERIES,
        totals={attr: sum(int(getattr(d, attr)) for d in days) for attr, _, _ in charts.SERIES},
        tickets=await r.tickets.count_by_status(),
        unanswered=await r.faq_log.unanswered_since(since, limit=10),
        days=DAYS, topic_days=TOPIC_DAYS, ticket_days=TICKET_DAYS,
        broadcast_days=BROADCAST_DAYS,
        topics_chart=charts.bars(topics, "Самые частые темы вопросов", "#2e7d32"),
        first=await first_answers(r, now),
        by_kind=by_kind, by_month=by_month,
        broadcasts_chart=charts.bars(
            [(label, delivered.get(key, 0)) for key, label in BROADCAST_ROWS], "Рассылки"
        ),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("summary.html", request, values)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/summary", summary)
