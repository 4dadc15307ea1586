"""The period typed into the panel's «Отчёт»: read as staff write dates, checked field by field
(the messages the page shows next to each field), the academic year when both are empty."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.reports.period import period_refusal, read_period

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("first", "last", "period"),
    [
        ("", "", (date(2026, 9, 1), date(2027, 8, 31))),  # as /report without dates
        ("01.09.2025", "31.08.2026", (date(2025, 9, 1), date(2026, 8, 31))),
        ("1.9.25", "2026-08-31", (date(2025, 9, 1), date(2026, 8, 31))),
        ("1 сентября 2025 г.", " 31 Августа 2026 ", (date(2025, 9, 1), date(2026, 8, 31))),
        ("05.05.2026", "05.05.2026", (date(2026, 5, 5), date(2026, 5, 5))),  # one day
        ("01.09.2020", "31.08.2025", (date(2020, 9, 1), date(2025, 8, 31))),  # five years
        ("29.02.2024", "28.02.2029", (date(2024, 2, 29), date(2029, 2, 28))),
    ],
)
def test_a_period_is_read(first: str, last: str, period: tuple[date, date]) -> None:
    assert read_period(first, last, TODAY) == (period, {})


@pytest.mark.parametrize(
    ("first", "last", "field", "says"),
    [
        ("31.02.2026", "01.03.2026", "first", "Такой даты нет: 31.02.2026"),
        ("вчера", "01.03.2026", "first", "Не понял дату"),
        ("01.03.2026", "", "last", "Укажите дату"),
        ("01.03.2026", "01.02.2026", "last", "Конец периода раньше начала"),
        ("01.09.2020", "01.09.2025", "last", "Период длиннее 5 лет"),
        ("29.02.2024", "01.03.2029", "last", "Период длиннее 5 лет"),
        ("01.09.1026", "01.09.2025", "first", "Проверьте год: 1026"),
    ],
)
def test_a_wrong_period_is_told_by_field(first: str, last: str, field: str, says: str) -> None:
    period, problems = read_period(first, last, TODAY)
    assert period is None
    assert says in problems[field]


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [
        (date(2020, 9, 1), date(2025, 8, 31), None),  # five years: a report
        (date(2020, 9, 1), date(2025, 9, 1), "Период длиннее 5 лет: укажите период покороче."),
        (date(2026, 3, 1), date(2026, 2, 1), "Конец периода раньше начала: проверьте даты."),
    ],
)
def test_one_rule_for_the_panel_report_and_the_cli(
    first: date, last: date, says: str | None
) -> None:
    """The panel's form says what `period_refusal` says, which /report and the CLI use too."""
    assert period_refusal(first, last) == says
    _, problems = read_period(f"{first:%d.%m.%Y}", f"{last:%d.%m.%Y}", TODAY)
    assert problems.get("last") == says
