"""Russian names of event kinds, formats and statuses, shared by messages, exports and reports.

The database keeps the stable English values (storage.models enums); everything a person reads
goes through these tables, so a wording change is made once.
"""

from __future__ import annotations

from typing import Final

KIND_LABELS: Final[dict[str, str]] = {
    "seminar": "Семинар",
    "master_class": "Мастер-класс",
    "workshop": "Педагогическая мастерская",
    "methodical_meeting": "Методическое объединение",
    "round_table": "Круглый стол",
    "conference": "Конференция",
    "webinar": "Вебинар",
    "contest": "Профессиональный конкурс",
}

FORMAT_LABELS: Final[dict[str, str]] = {
    "offline": "Очно",
    "online": "Онлайн",
}

# Status of an event (EventStatus).
STATUS_LABELS: Final[dict[str, str]] = {
    "published": "Запись открыта",
    "closed": "Запись закрыта",
    "cancelled": "Отменено",
}

# Status of one teacher's registration (RegistrationStatus), as lists and exports show it.
REGISTRATION_STATUS_LABELS: Final[dict[str, str]] = {
    "registered": "записан",
    "waiting": "в листе ожидания",
    "cancelled": "отменил",
    "attended": "присутствовал",
}
