"""Which typed messages open the events list instead of the FAQ (bot/services/events/asked.py).

The list is the right answer for a plan asked by day or month and for a teacher's «запишите
меня»; a question about what surrounds an event (its document, a reminder, a past one) or a
wish that is not a sign-up must stay the FAQ's, or the person gets a list they did not ask for.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.events.asked import Asked, asked

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("15.12", None, Asked(day=date(2026, 12, 15))),
        ("семинары 20 января", None, Asked(day=date(2027, 1, 20))),
        ("какие мастер-классы будут в феврале", None, Asked(month=202702, kind="master_class")),
        ("запишите меня", "teacher", Asked()),
        ("хочу на вебинар", None, Asked(kind="webinar")),
        ("мероприятия в марте", None, Asked(month=202703)),
        ("семинары и вебинары в марте", None, Asked(month=202703)),  # two kinds: all
    ],
)
def test_plans_and_sign_ups_open_the_list(text: str, role: str | None, expected: Asked) -> None:
    assert asked(text, NOW, TZ, role) == expected


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("справка за семинар в ноябре так и не пришла", None),
        ("где скачать сертификат за мастер-класс в сентябре", "teacher"),
        ("семинар сегодня будет? напоминание не пришло", "teacher"),
        ("хочу поговорить со специалистом", "teacher"),
        ("хочу пожаловаться на педагога", "teacher"),
        ("запишите на шахматы по серту можно?", "teacher"),
        ("кружок в декабре", None),
        ("запишите меня", "parent"),
    ],
)
def test_questions_around_events_stay_the_faqs(text: str, role: str | None) -> None:
    assert asked(text, NOW, TZ, role) is None
