"""Texts of the staff side of events: the new-event and edit dialogs, lists, exports, report.

Also the messages of bot.core.dates, because a date typed by staff is read in these dialogs and in
scheduled broadcasts alike. Templates are Telegram HTML; values go in through bot.core.markup.fill.
"""

from __future__ import annotations

from typing import Final

# --- reading dates (bot.core.dates)
# ----------------------------------------------------------------
DATE_UNREADABLE: Final = (
    "Не понял дату и время. Напишите, например: <i>25.12.2026 15:00</i>, <i>25.12 15:00</i>, "
    "<i>2026-12-25 15:00</i>, <i>завтра 10:00</i>, <i>послезавтра в 9:30</i>, "
    "<i>в понедельник 10:00</i>."
)
DATE_NO_TIME: Final = (
    "Не хватает времени. Напишите дату и время вместе, например: <i>{day} 10:00</i>."
)
DATE_NO_DAY: Final = (
    "Не хватает даты. Напишите дату и время вместе, например: <i>25.12 {time}</i> или "
    "<i>завтра {time}</i>."
)
DATE_NO_SUCH_DAY: Final = "Такой даты нет: {day}. Проверьте число и месяц."
DATE_NO_SUCH_TIME: Final = "Такого времени нет: {time}. Часы — от 0 до 23, минуты — от 00 до 59."
DATE_BAD_YEAR: Final = "Проверьте год: {year}."
DATE_GAP: Final = "В поясе {zone} времени {moment} не бывает (перевод часов). Укажите другое."
DATE_PAST: Final = "Это время уже прошло ({moment}). Нужна дата в будущем."
HELD_LEFT_OUT: Final = (
    "Прошедшее занятие нельзя убрать из списка: {moments}. Вместе с ним пропали бы отметки "
    "о присутствии. Напишите все занятия — и прошедшие (как были или с исправленным "
    "временем), и те, что впереди."
)
DATE_PAST_NO_YEAR: Final = (
    "Это время уже прошло ({moment}). Нужна дата в будущем; если имеется в виду {day} "
    "следующего года — напишите дату с годом."
)
DAY_UNREADABLE: Final = (
    "Не понял дату. Напишите, например: <i>01.09.2026</i>, <i>2026-09-01</i> или "
    "<i>1 сентября 2026</i>."
)

# --- buttons ----------------------------------------------------------------------------------
BTN_ONE_SESSION: Final = "Одно занятие"
BTN_MINUTES: Final = "{minutes} мин"
BTN_NO_DEADLINE: Final = "Без срока"
BTN_SKIP: Final = "Пропустить"
BTN_NO_DESCRIPTION: Final = "Без описания"
BTN_PUBLISH: Final = "✅ Опубликовать"
BTN_DISCARD: Final = "Отмена"
BTN_EXCEL: Final = "📥 Excel"
BTN_CSV: Final = "CSV"
BTN_TO_CARD: Final = "« К мероприятию"
BTN_PREV: Final = "« Назад"
BTN_NEXT: Final = "Дальше »"
BTN_CANCEL_EVENT_YES: Final = "Да, отменить мероприятие"
BTN_CANCEL_EVENT_NO: Final = "Нет, оставить"
BTN_ATTENDED: Final = "✅ {name}"
BTN_NOT_ATTENDED: Final = "⬜ {name}"

FIELD_LABELS: Final[dict[str, str]] = {
    "title": "Название",
    "starts": "Дата и время",
    "duration": "Длительность",
    "place": "Место / ссылка",
    "capacity": "Число мест",
    "deadline": "Срок записи",
    "description": "Описание",
}

# --- the new-event dialog ---------------------------------------------------------------------
ASK_TITLE: Final = (
    "➕ <b>Новое мероприятие</b>\n\n"
    "Напишите <b>название</b> (до {limit} символов). /cancel — выйти без сохранения."
)
ASK_KIND: Final = "Выберите <b>вид</b> мероприятия:"
ASK_STARTS: Final = (
    "Когда <b>начало</b>? Время — по часовому поясу МОЦ ({zone}).\n"
    "Например: <i>25.12.2026 15:00</i>, <i>25.12 15:00</i>, <i>завтра 10:00</i>, "
    "<i>в понедельник 10:00</i>."
)
ASK_SESSIONS: Final = (
    "Мастерская может идти несколькими занятиями. Первое: <b>{first}</b>.\n"
    "Напишите даты и время <b>следующих занятий</b> через запятую или с новой строки "
    "(например: <i>01.04 15:00, 08.04 15:00</i>) или нажмите «Одно занятие»."
)
ASK_DURATION: Final = (
    "<b>Длительность</b> одного занятия в минутах (от 1 до 1440): выберите или напишите."
)
ASK_FORMAT: Final = "<b>Формат</b> проведения:"
ASK_PLACE_OFFLINE: Final = "<b>Адрес</b>: где пройдёт мероприятие (улица, дом, кабинет)."
ASK_PLACE_ONLINE: Final = (
    "<b>Ссылка</b> на онлайн-встречу (начинается с http:// или https://). Педагоги увидят её "
    "только после записи."
)
ASK_CAPACITY: Final = "Сколько <b>мест</b>? Целое число больше нуля."
ASK_DEADLINE: Final = (
    "До какого момента идёт <b>запись</b>? Дата и время не позже начала ({start}), "
    "или «Без срока» — запись до начала."
)
ASK_DESCRIPTION: Final = (
    "<b>Описание</b> для педагогов (до {limit} символов): о чём, для кого, что взять с собой. "
    "Или «Пропустить»."
)
PREVIEW: Final = (
    "👀 <b>Так карточку увидят педагоги:</b>\n\n{card}\n\n──────────\n{extra}Опубликовать?"
)
PREVIEW_LINK: Final = "Ссылка (видна только записавшимся): {link}\n"
PREVIEW_HINT: Final = "Проверьте карточку выше и нажмите «Опубликовать» или «Отмена»."
CARD_TOO_LONG: Final = (
    "Карточка получается длиннее, чем помещается в одно сообщение ({length} из {limit} знаков). "
    "Сократите описание."
)
PUBLISHED: Final = "✅ Опубликовано, мероприятие №{id}."
DRAFT_DISCARDED: Final = "Черновик удалён, ничего не опубликовано."
ALREADY_DONE: Final = "Этот черновик уже опубликован или удалён."
STEP_PASSED: Final = "Этот шаг уже пройден."
STARTS_NOW_PAST: Final = (
    "Пока вы заполняли, время начала прошло. Укажите дату и время заново — остальное я запомнил."
)

# --- wrong input ------------------------------------------------------------------------------
SEND_TEXT: Final = "Пришлите, пожалуйста, текстом (или /cancel, чтобы выйти)."
TITLE_BAD: Final = "Название — от 1 до {limit} символов (сейчас {length}). Попробуйте ещё раз."
TITLE_COMMAND: Final = "Это похоже на команду. Напишите название мероприятия словами."
KIND_BAD: Final = "Выберите вид кнопкой ниже."
FORMAT_BAD: Final = "Выберите формат кнопкой: «Очно» или «Онлайн»."
DURATION_BAD: Final = (
    "Длительность — целое число минут от 1 до 1440, например <i>90</i>. Попробуйте ещё раз."
)
PLACE_EMPTY: Final = "Напишите адрес — педагоги должны знать, куда прийти."
PLACE_NO_LINK: Final = (
    "Для онлайн-формата нужна ссылка, начинающаяся с http:// или https://, например "
    "<i>https://telemost.yandex.ru/j/123</i>."
)
PLACE_TOO_LONG: Final = "Слишком длинно: до {limit} символов (сейчас {length})."
CAPACITY_NOT_NUMBER: Final = "Число мест — целое число цифрами, например <i>30</i>."
CAPACITY_NOT_POSITIVE: Final = "Мест должно быть больше нуля."
CAPACITY_TOO_BIG: Final = "Слишком много мест: не больше {limit}."
CAPACITY_BELOW_TAKEN: Final = (
    "Уже занято мест: {taken}. Меньше поставить нельзя — сначала кто-то должен отменить запись."
)
DEADLINE_AFTER_START: Final = (
    "Запись не может заканчиваться позже начала ({start}). Укажите время не позже начала."
)
DEADLINE_CONFLICT: Final = (
    "Срок записи ({deadline}) позже нового начала ({start}). Сначала измените срок записи."
)
SESSION_BEFORE_FIRST: Final = "Занятие {moment} раньше первого ({first}) — укажите более позднее."
SESSION_TWICE: Final = "Время {moment} указано дважды."
SESSIONS_TOO_MANY: Final = "Слишком много занятий: не больше {limit}."
DESCRIPTION_TOO_LONG: Final = "Описание — до {limit} символов (сейчас {length}). Сократите его."

# --- editing ----------------------------------------------------------------------------------
EDIT_PICK: Final = "✏️ Что изменить в «{title}»?"
EDIT_ASK_TITLE: Final = "Новое <b>название</b> (до {limit} символов)."
EDIT_ASK_STARTS: Final = (
    "Новые дата и время начала (часовой пояс МОЦ: {zone}). Сейчас: <b>{current}</b>.\n"
    "Для серии занятий — все даты через запятую."
)
FEWER_MEETINGS: Final = (
    "⚠️ Занятий станет меньше: было {before}, станет {after} ({now}). Записанным придёт "
    "уведомление, а убранные занятия исчезнут из их календарей.\n"
    "Если так и нужно — отправьте этот же ответ ещё раз. Если переносите одно занятие — "
    "напишите все даты через запятую, и те, что не меняются."
)
EDIT_ASK_CURRENT: Final = "\n\nСейчас: {value}"
EDIT_SAVED: Final = "✅ Сохранено: {field}."
EDIT_NOTIFIED: Final = (
    "🔔 Участникам отправляется уведомление (рассылка {ids}); отчёт о доставке придёт сюда."
)
EDIT_CANCELLED_EVENT: Final = "Мероприятие отменено — изменить его уже нельзя."
CHANGED_TIME: Final = (
    "🔔 <b>Изменилось время</b> мероприятия «{title}».\nТеперь: {when}\n\n"
    "Если не сможете прийти, отмените запись в «Мои записи»."
)
CHANGED_PLACE: Final = "🔔 <b>Изменилось место</b> мероприятия «{title}» ({when}).\n{place}"
CHANGED_TIME_AND_PLACE: Final = (
    "🔔 <b>Изменились время и место</b> мероприятия «{title}».\nТеперь: {when}\n{place}\n\n"
    "Если не сможете прийти, отмените запись в «Мои записи»."
)

# --- status changes ---------------------------------------------------------------------------
CLOSED_OK: Final = "Запись на «{title}» закрыта."
CLOSE_NOT_OPEN: Final = "Запись уже закрыта или мероприятие отменено."
ZONE_MOSCOW: Final = "по московскому времени"
ZONE_LOCAL: Final = "по местному времени (МСК{diff})"
REOPENED_OK: Final = "Запись на «{title}» снова открыта."
REOPEN_NOT_CLOSED: Final = "Запись не закрыта или мероприятие отменено."
REOPEN_STARTED: Final = "Мероприятие уже началось — открыть запись нельзя."
CANCEL_CONFIRM: Final = (
    "🚫 Отменить мероприятие «{title}» ({when})?\n"
    "Записанным и ожидающим ({count}) придёт уведомление."
)
CANCELLED_OK: Final = "Мероприятие «{title}» отменено."
NOTICES_QUEUED: Final = (
    "\n🔔 Записанным и ожидающим отправляется уведомление (рассылка {ids}); "
    "отчёт о доставке придёт сюда."
)
ALREADY_CANCELLED: Final = "Мероприятие уже отменено."
CANCEL_HELD: Final = (
    "Мероприятие уже началось — отменить его нельзя: участникам ушло бы «Мероприятие "
    "отменено», а из отчёта пропали бы их отметки."
)
EVENT_CANCELLED_NOTICE: Final = (
    "🚫 <b>Мероприятие отменено</b>: «{title}» ({when}).\n"
    "Приносим извинения. Другие мероприятия — в разделе «Мероприятия»."
)
EVENT_MISSING: Final = "Мероприятие не найдено — возможно, его удалили."

# --- participants (plain text: the list is split into messages first, then escaped whole) -----
PEOPLE_HEAD: Final = "👥 Участники: «{title}» — {when}\nЗанято мест: {taken} из {capacity}"
PEOPLE_NONE: Final = "Пока никто не записался."
PEOPLE_LINE: Final = "{n}. {name} — {organisation}, {position}, {contact} — {status}"
PEOPLE_WAITING: Final = "Лист ожидания ({count}):"
PEOPLE_WAITING_LINE: Final = "{n}-й: {name} — {organisation}, {position}, {contact}"
PEOPLE_CANCELLED: Final = "Отменили запись: {count}"
NO_PROFILE: Final = "профиль не заполнен"
NO_NAME: Final = "без ФИО (согласие отозвано)"  # a past seat kept only to be counted
EXPORT_CAPTION: Final = "Участники: «{title}»"
FILE_PEOPLE: Final = "uchastniki-{id}.{ext}"

# --- attendance -------------------------------------------------------------------------------
ATTEND_MEETING: Final = " (занятие {n} из {total})"
ATTEND_HEAD: Final = (
    "☑️ <b>Присутствие</b>: «{title}» — {when}\n"
    "Нажмите на участника, чтобы отметить или снять отметку. Страница {page} из {pages}."
)
ATTEND_NONE: Final = "Отмечать некого: на мероприятие пока никто не записан."
ATTEND_TOO_EARLY: Final = "Отмечать присутствие можно после начала мероприятия ({when})."
ATTEND_EVENT_OFF: Final = "Мероприятие отменено — отмечать присутствие нельзя."
ATTEND_INACTIVE: Final = "Эта запись отменена или в листе ожидания — отметить нельзя."
ATTEND_ON: Final = "Отмечен(а) как присутствовавший(ая)."
ATTEND_OFF: Final = "Отметка снята."

# --- the period report ------------------------------------------------------------------------
REPORT_USAGE: Final = (
    "Отчёт за период: <code>/report ДД.ММ.ГГГГ ДД.ММ.ГГГГ</code> или "
    "<code>/report ГГГГ-ММ-ДД ГГГГ-ММ-ДД</code> (даты включительно), например "
    "<code>/report 01.09.2025 31.08.2026</code>; за учебный год — <code>/report 2025-2026</code>, "
    "за календарный — <code>/report 2026</code>. Без дат — текущий учебный год."
)
REPORT_DAY: Final = {"first": "Начало периода: {problem}", "last": "Конец периода: {problem}"}
REPORT_CAPTION: Final = (
    "📊 Отчёт {period}: мероприятий {events}, записей {registrations}, участников {people}, "
    "присутствовали {attended}, выдано документов об участии {documents}."
)
# after the caption when events of the period are still ahead: they are not counted as held
REPORT_PLANNED: Final = " Запланировано (ещё не проведены, не входят в отчёт): {planned}."
FILE_REPORT: Final = "otchet-{first}-{last}.xlsx"
FILE_REPORT_RU: Final = "Отчёт-{first}-{last}.xlsx"  # the panel's download (filename*)
# the period typed into the panel's «Отчёт» (bot.services.reports.period.read_period)
PERIOD_EMPTY: Final = "Укажите дату — или оставьте пустыми обе: тогда отчёт за учебный год."
PERIOD_REVERSED: Final = "Конец периода раньше начала: проверьте даты."
PERIOD_TOO_LONG: Final = "Период длиннее {years} лет: укажите период покороче."

# For the admins' command menu (bot.texts.commands.ADMIN_COMMANDS); not registered from here.
COMMANDS: Final[dict[str, str]] = {
    "new_event": "Новое мероприятие",
    "report": "Отчёт за учебный год (Excel)",
}
