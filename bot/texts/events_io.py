"""Texts of importing a plan again and exporting it (the CLI and the web panel; plain text)."""

from __future__ import annotations

from typing import Final

# the fields a re-import may change, as a methodist reads them in the report
FIELD_NAMES: Final[dict[str, str]] = {
    "title": "название", "starts": "время", "duration": "длительность", "place": "место",
    "capacity": "число мест", "deadline": "окончание записи", "description": "описание",
    "organiser": "организатор", "speaker": "ведущий", "audience": "аудитория",
}  # fmt: skip
NO_SUCH_ID: Final = (
    "мероприятия с id {id} нет — уберите id из строки, чтобы добавить его как новое"
)
SAME_EVENT: Final = "то же мероприятие {id}, что в строке {line}"
CANCELLED: Final = "мероприятие {id} отменено — изменить его нельзя"
FIXED_FIELD: Final = (
    "{what} мероприятия {id} не меняется ни в панели, ни в файле (сейчас «{now}») — "
    "отмените его и добавьте новое"
)
UPDATE: Final = "строка {line}: мероприятие {id} — изменится: {fields}"
UPDATED: Final = "строка {line}: мероприятие {id} — изменено: {fields}"
TOLD: Final = "; уведомление о новом времени или месте получат записанные и ожидающие: {n}"
SUMMARY: Final = "Обновлено {updated}, без изменений {unchanged}, новых {new}."
DRY_SUMMARY: Final = (
    "Проверка без записи (--dry-run): будет обновлено {updated}, без изменений {unchanged}, "
    "новых {new}. Ничего не записано."
)
NOTHING_SAVED: Final = "Ничего не импортировано: строк с ошибками — {n}."
EXPORTED: Final = "Выгружено мероприятий: {n} → {path}"
EXPORT_NONE: Final = "Предстоящих мероприятий нет — в файле только строка заголовков."
# several dates in one row: the panel's form allows them only for a workshop, so does the file
ONE_DATE_ONLY: Final = (
    "— несколько дат только у педагогической мастерской (серии занятий), а здесь вид "
    "«{kind}»: оставьте одну дату или укажите вид «Педагогическая мастерская»"
)
