"""Server-side SVG charts: no chart library, no JavaScript; every label is escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.services.faq.daily import DayCounts

SERIES = (  # (attribute, colour, legend)
    ("answered", "#2e7d32", "ответил"),
    ("suggested", "#f9a825", "предложил статьи"),
    ("not_understood", "#c62828", "не понял"),
)
WIDTH, HEIGHT, BOTTOM, LEFT = 640, 260, 34, 40


def daily_questions(days: list[DayCounts]) -> Markup:
    """Stacked bars per day; scales to the container width (viewBox)."""
    top = max((d.total for d in days), default=0) or 1
    plot_h = HEIGHT - BOTTOM - 10
    step = (WIDTH - LEFT) / max(len(days), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-label="Вопросы по дням: ответил, предложил статьи, не понял">',
        f'<text x="0" y="20" class="axis">{top}</text>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#c5cdd8"/>',
    ]
    for index, day in enumerate(days):
        x, y = LEFT + index * step + step * 0.15, float(HEIGHT - BOTTOM)
        for attr, colour, legend in SERIES:
            value = int(getattr(day, attr))
            if value:
                h = value / top * plot_h
                y -= h
                title = escape(f"{day.day:%d.%m}: {legend} — {value}")
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{title}</title></rect>'
                )
        if (len(days) - 1 - index) % max(len(days) // 7, 1) == 0:  # today always labelled
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" class="axis">{escape(f"{day.day:%d.%m}")}'
                "</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


ROW_H, LABEL_W = 34, 250


def bars(rows: list[tuple[str, int]], aria: str, colour: str = "#1f4e8c") -> Markup:
    """Horizontal bars, one row per (label, value): top topics, months, kinds, outcomes.

    Long labels are cut (the full one is in the bar's <title>); an empty list gives an empty
    chart with a «нет данных» line rather than no element at all.
    """
    top = max((value for _, value in rows), default=0) or 1
    height = max(len(rows), 1) * ROW_H + 8
    span = WIDTH - LABEL_W - 60
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(aria)}">'
    ]
    if not rows:
        parts.append('<text x="0" y="24" class="axis">нет данных</text>')
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_H
        width = max(value / top * span, 2.0) if value else 0.0
        short = label if len(label) <= 24 else label[:23] + "…"
        title = f"<title>{escape(f'{label}: {value}')}</title>"
        parts.append(f'<text x="0" y="{y + 22}" class="axis">{escape(short)}{title}</text>')
        if value:
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + 4}" width="{width:.1f}" height="{ROW_H - 10}" '
                f'fill="{colour}">{title}</rect>'
            )
        parts.append(
            f'<text x="{LABEL_W + width + 8:.1f}" y="{y + 22}" class="axis">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
