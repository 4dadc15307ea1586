"""Texts of the web panel's «Мероприятия» page that the bot's dialog has no twin for
(plain text: the page template escapes them)."""

from __future__ import annotations

from typing import Final

KIND_BAD: Final = "Выберите вид мероприятия из списка."
FORMAT_BAD: Final = "Выберите формат: очно или онлайн."
ONE_DATE_ONLY: Final = (
    "Несколько дат — только для педагогической мастерской (серии занятий). "
    "Укажите одну дату или выберите этот вид."
)
NOTICES: Final = {
    "created": "Мероприятие №{n} опубликовано: педагоги видят его в боте.",
    "saved": "Изменения сохранены.",
    "saved_notified": "Изменения сохранены; участникам отправляется уведомление (рассылок: {n}).",
    "unchanged": "Ничего не изменилось.",
    "marked": "Присутствие сохранено: отмечено {n}.",
    "cancelled": "Мероприятие отменено; уведомлений поставлено в очередь: {n}.",
    "already_cancelled": "Мероприятие уже отменено.",
    "confirm": "Чтобы отменить мероприятие, поставьте галочку «Да, отменить».",
    "imported": "Импортировано мероприятий: {n}.",
}
