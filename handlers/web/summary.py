"""«Сводка»: questions per day (answered / suggested / not understood), top topics, the latest
questions the bot did not understand, open tickets and time to the first answer, registrations
by event kind and by month, broadcasts delivered / blocked / acknowledged.

By default each part has its rolling window (14, 30 or 90 days back from now); a methodist
filling a yearly form picks the calendar year or the school year (1 September – 31 August)
instead, named as /report names them («2026», «2025-2026», bot.services.reports.period), and
every part then counts those days in the МОЦ's zone (questions by month, not by day).

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
from handlers.web.summary_period import Span, chosen, per_month, period_choices, spans_for
from storage.repositories import Repositories
from storage.repositories.panel_stats import PanelStatsRepo
from storage.repositories.reports import ReportRepo
from storage.repositories.staff import owner_ids

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


async def first_answers(
    repo: Repositories,
    now: datetime,
    span: Span | None = None,
    owners: frozenset[int] = frozenset(),
) -> dict[str, object]:
    since, until = (span.start, span.end) if span else (now - timedelta(TICKET_DAYS), None)
    delays = await PanelStatsRepo(repo.session).first_answer_delays(since, until, owners)
    seconds = [d.total_seconds() for d in delays]
    return {
        "answered": len(seconds),
        "median": duration(timedelta(seconds=statistics.median(seconds)) if seconds else None),
        "mean": duration(timedelta(seconds=statistics.fmean(seconds)) if seconds else None),
    }


async def registration_charts(
    repo: Repositories, now: datetime, tz: ZoneInfo, span: Span | None = None
) -> list[Markup]:
    """By kind and by the month registrations were made: events of the period, or (no period)
    of the past and next year."""
    start, end = (span.start, span.end) if span else (now - YEAR, now + YEAR)
    data = await ReportRepo(repo.session).collect(start, end, tz=tz)
    kinds = [(KIND_LABELS.get(k.kind, k.kind), k.registrations) for k in data.by_kind]
    months = [(f"{MONTHS[m.month - 1]} {m.year}", m.registrations) for m in data.by_month[-12:]]
    return [
        charts.bars(kinds, "Записи по видам мероприятий", "#6a1b9a"),
        charts.bars(months, "Записи по месяцам", "#00838f"),
    ]


async def summary(request: web.Request) -> web.Response:
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    today = now.astimezone(settings.tz).date()
    span = chosen(request.query.get("period", ""), today, settings.tz)
    r = repo(request)
    # staff's own questions and tickets (their tests) are left out, as in the yearly report
    owners, _ = await owner_ids(r.session, settings.admin_ids, settings.max_admin_ids)
    since, until = (span.start, span.end) if span else (now - timedelta(days=DAYS), None)
    rows = await r.faq_log.outcomes_after(since, until, owners)
    if span is None:
        days = per_day(rows, settings.tz, today, DAYS)
        chart, counts = charts.daily_questions(days), days
    else:
        counts = per_day(rows, settings.tz, span.last, (span.last - span.first).days + 1)
        chart = charts.bars(per_month(counts), "Вопросы боту по месяцам")
    topics_from = span.start if span else now - timedelta(TOPIC_DAYS)
    topics = await r.faq_log.top_entries_since(topics_from, 10, until, owners)
    entries = (await request.app[FAQ].get()).kb.entries  # staff read titles, not entry ids
    topics = [(entries[i].title if i in entries else i, n) for i, n in topics]
    stats = PanelStatsRepo(r.session)
    delivered = await stats.delivery_totals(
        span.start if span else now - timedelta(BROADCAST_DAYS), until
    )
    by_kind, by_month = await registration_charts(r, now, settings.tz, span)
    values = page(
        request,
        chart=chart,
        series=charts.SERIES,
        totals={attr: sum(int(getattr(d, attr)) for d in counts) for attr, _, _ in charts.SERIES},
        tickets=await r.tickets.count_by_status(owners),
        unanswered=await r.faq_log.unanswered_since(since, 10, until, owners),
        spans=spans_for(span, (DAYS, TOPIC_DAYS, TICKET_DAYS, BROADCAST_DAYS)),
        period=span.typed if span else "", choices=period_choices(today),
        topics_chart=charts.bars(topics, "Самые частые темы вопросов", "#2e7d32"),
        first=await first_answers(r, now, span, owners),
        by_kind=by_kind, by_month=by_month,
        broadcasts_chart=charts.bars(
            [(label, delivered.get(key, 0)) for key, label in BROADCAST_ROWS], "Рассылки"
        ),
    )  # fmt: skip
    return aiohttp_jinja2.render_template("summary.html", request, values)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/summary", summary)
