"""Texts of the events feature for teachers (the admin side lives in events_admin.py)."""

from __future__ import annotations

from typing import Final

from bot.texts import BTN_EVENTS as BTN_EVENTS
from bot.texts import BTN_MY_EVENTS as BTN_MY_EVENTS
from bot.texts import BTN_PROFILE as BTN_PROFILE

BTN_REGISTER: Final = "✅ Записаться"
BTN_WAITLIST: Final = "⏳ Встать в лист ожидания"
BTN_CANCEL_REG: Final = "❌ Отменить запись"
BTN_CANCEL_YES: Final = "Да, отменить"
BTN_LEAVE_WAITLIST: Final = "❌ Выйти из листа ожидания"  # instead of «Отменить запись»
BTN_LEAVE_YES: Final = "Да, выйти"
BTN_CANCEL_NO: Final = "Нет, оставить"
BTN_ICS: Final = "🗓 В календарь (.ics)"
BTN_PROOF: Final = "📄 Подтверждение участия"
BTN_TO_LIST: Final = "« К списку"
BTN_KIND_ALL: Final = "Все типы"
BTN_MONTH_ALL: Final = "Все месяцы"
BTN_FILTER_KIND: Final = "🏷 Тип: {value}"
BTN_FILTER_MONTH: Final = "📆 Месяц: {value}"
BTN_PROFILE_EDIT: Final = "✏️ Изменить профиль"
BTN_ORG_OTHER: Final = "Другая — напишу сам(а)"
BTN_SHARE_PHONE: Final = "📱 Отправить мой номер"
BTN_CONSENT_YES: Final = "✅ Согласен(на)"
BTN_CONSENT_NO: Final = "Не согласен(на)"
BTN_MAIL_YES: Final = "Да, присылать"
BTN_MAIL_NO: Final = "Нет, спасибо"

LIST_TITLE: Final = "📅 <b>Ближайшие мероприятия</b>"
LIST_EMPTY: Final = "Подходящих мероприятий пока нет. Загляните позже или сбросьте фильтры."
LIST_LINE: Final = "{when} · {kind}{meeting}\n<b>{title}</b> · {seats}"
MEETING_OF: Final = " · занятие {number} из {total}"  # a workshop's meeting shown in a list
PICK_KIND: Final = "Выберите тип мероприятия:"
PICK_MONTH: Final = "Выберите месяц:"
ASKED_DAY_TITLE: Final = "📅 <b>Мероприятия {day}</b>"  # «15.12» or «завтра» typed
ASKED_DAY_NONE: Final = "На {day} мероприятий нет."

CARD: Final = (
    "<b>{title}</b>\n"
    "{kind} · {format}\n\n"
    "🕒 {when}\n"
    "⏱ Длительность: {duration}\n"
    "{place_line}\n"
    "{extra}"
    "{seats}"
    "{deadline}"
    "{status}"
)
PLACE_OFFLINE: Final = "📍 {place}"
PLACE_ONLINE_HIDDEN: Final = "💻 Онлайн — ссылка придёт после записи"
PLACE_ONLINE: Final = "💻 Ссылка: {place}"
SESSIONS: Final = "Занятия серии:\n{lines}\n"
ORGANISER: Final = "Организатор: {value}\n"
SPEAKER: Final = "Ведущий: {value}\n"
AUDIENCE: Final = "Для кого: {value}\n"
DESCRIPTION: Final = "\n{value}\n\n"
SEATS_LINE: Final = "👥 {seats}\n"
SEATS_LEFT: Final = "осталось {left} из {capacity}"
SEATS_NONE: Final = "мест нет — можно встать в лист ожидания"
SEATS_FULL: Final = "мест нет"  # to who already has a place or a turn, or cannot join
STAFF_QUEUE: Final = " · в листе ожидания: {count}"  # staff cards, after the seats
DEADLINE: Final = "Запись до {when}\n"
DEADLINE_PASSED: Final = "Запись закончилась {when}\n"
EVENT_PAST: Final = "Мероприятие состоялось."
PAST_LINE: Final = "🏁 " + EVENT_PAST + "\n"  # instead of seats and the deadline once it is over
STAFF_PAST_LINE: Final = "🏁 " + EVENT_PAST + " Пришли {attended} из {registered} записанных.\n"
STAFF_PAST_NOBODY: Final = "🏁 " + EVENT_PAST + " Записавшихся не было.\n"
YOUR_STATUS: Final = "\n<b>Вы: {status}</b>"
STATUS_REGISTERED: Final = "записаны ✅"
STATUS_WAITING: Final = "в листе ожидания ({position}-й в очереди)"
STATUS_ATTENDED: Final = "участвовали ✅"
STATUS_ENDED_UNMARKED: Final = "прошло; присутствие пока не отмечено"
STATUS_WAS_REGISTERED: Final = "были записаны; присутствие пока не отмечено"
EVENT_CLOSED: Final = "\n<i>Запись закрыта.</i>"
EVENT_CANCELLED: Final = "\n<i>Мероприятие отменено.</i>"

REGISTERED: Final = (
    "🎉 Вы записаны: <b>{title}</b>\n🕒 {when}\n{place}\n\n"
    "{reminders}Отменить запись можно в «Мои записи»."
)
CLASH: Final = (
    "\n\n⚠️ В это же время у вас другая запись:\n{lines}\n"
    "Если пойдёте сюда, отмените ту запись в «Мои записи» — место достанется другому."
)
CLASH_LINE: Final = "• {when} — «{title}»"
REMINDERS_PROMISE: Final = "Напомню {leads}. "  # in REGISTERED: the reminders still ahead
WAITING: Final = (
    "Мест пока нет — вы в листе ожидания (<b>{position}-й</b>) на «{title}». "
    "Если кто-то отменит запись, я сразу запишу вас и сообщу. Выйти из листа ожидания можно "
    "в «Мои записи»."
)
ALREADY: Final = "Вы уже записаны на это мероприятие."
ALREADY_WAITING: Final = "Вы уже в листе ожидания на это мероприятие."
REG_CLOSED: Final = "Запись на это мероприятие закрыта."
REG_DEADLINE: Final = "Запись закончилась {when}. Если очень нужно — напишите специалисту МОЦ."
ICS_NOT_REGISTERED: Final = (
    "Файл для календаря — только записавшимся на мероприятие. Сначала запишитесь."
)
REG_PAST: Final = "Это мероприятие уже прошло."
REG_UNDER_WAY: Final = "Мероприятие уже идёт — записаться на него нельзя."
EVENT_UNDER_WAY: Final = "\n<i>" + REG_UNDER_WAY + "</i>"  # on the card
REG_EVENT_OFF: Final = "Мероприятие отменено организаторами — записаться на него нельзя."
EVENT_GONE: Final = "Мероприятие не найдено — возможно, его удалили. Откройте список заново."
PROMOTED: Final = (
    "🎉 Освободилось место — вы записаны на <b>{title}</b>!\n🕒 {when}\n{place}\n{soon}"
    "Если не сможете прийти, отмените запись в «Мои записи»."
)
# a seat in a series under way (left by someone who deleted their data): it is for the meetings
# ahead, and a registration is not cancelled once the series has begun (CANCEL_STARTED)
PROMOTED_UNDER_WAY: Final = (
    "🎉 Освободилось место — вы записаны на оставшиеся занятия <b>{title}</b>!\n🕒 {when}\n"
    "{place}\n{soon}Если не сможете прийти, сообщите организаторам."
)
STARTS_SOON: Final = "⏰ Начало через {left}.\n"
CANCEL_CONFIRM: Final = "Отменить запись на «{title}»?"
CANCELLED: Final = "Запись на «{title}» отменена."
LEAVE_CONFIRM: Final = (
    "Выйти из листа ожидания на «{title}»? Если место освободится, его получит следующий "
    "в очереди."
)
LEFT_WAITLIST: Final = "Вы вышли из листа ожидания на «{title}»."
CANCELLED_LATE: Final = (
    "Запись на «{title}» отменена. Срок записи уже прошёл — мы отметили это, "
    "чтобы организаторы знали о свободном месте."
)
NOT_CANCELLED: Final = "Эта запись уже отменена."
CANCEL_STARTED: Final = "Мероприятие уже началось — отменить запись нельзя."
CANCEL_EVENT_OFF: Final = "Мероприятие отменено организаторами — отменять запись не нужно."
ICS_EVENT_OFF: Final = "Мероприятие отменено организаторами — добавлять его в календарь не нужно."

MY_EMPTY: Final = "У вас нет записей на мероприятия. Откройте «Мероприятия», чтобы записаться."
MY_TITLE: Final = "📝 <b>Ваши записи</b>"
MY_LINE: Final = "{when}{meeting} — <b>{title}</b>\n{status}"

PROOF: Final = (
    "📄 <b>Подтверждение участия</b>\n\n"
    "{name} ({organisation}) принял(а) участие в мероприятии «{title}» ({kind}), "
    "{dates}, {hours} ч.\n\n"
    "Организатор: {moc}.\nНомер записи: {reg_id}. Документ для портфолио (аттестация) — "
    "файлом ниже: распечатайте его, подпись и печать поставят в МОЦ."
)
PROOF_NOT_YET: Final = (
    "Подтверждение появится после того, как специалист отметит ваше присутствие."
)
PROOF_NO_PROFILE: Final = (  # an alert: at most 200 characters
    "Подтверждение выдаётся на ФИО, а их у бота нет: согласие на обработку данных отозвано. "
    "Если снова дадите согласие при записи на мероприятие, его можно будет получить."
)
# callback alerts: plain text, at most 200 characters
PROOF_EVENT_OFF: Final = "Мероприятие отменено — подтверждения участия по нему нет."
PROOF_JUST_SENT: Final = "Подтверждение уже отправлено — документ выше в чате."
PROOF_AFTER_END: Final = "Подтверждение будет доступно после окончания мероприятия ({when})."
FILE_PROOF: Final = "podtverzhdenie-{title}-{reg}.docx"  # the registration's number: staff
FILE_ICS: Final = "{title}-{day}.ics"  # Latin (bot.core.filenames): «seminar-…-15.12.2026.ics»
FILE_ICS_UNTITLED: Final = "meropriyatie"  # a title with no letter or digit (emoji only)
PROOF_CAPTION: Final = "📄 Подтверждение участия: «{title}», {dates}"  # under the DOCX

PROFILE_START: Final = "Шаг 2 из 5. Напишите <b>фамилию, имя и отчество</b>."
PROFILE_NAME_BAD: Final = (
    "Пожалуйста, напишите ФИО полностью буквами, например: <i>Иванова Мария Петровна</i> "
    "(до {limit} символов)."
)
PROFILE_ORG: Final = "Шаг 3 из 5. Выберите вашу <b>организацию</b> или напишите её название."
PROFILE_ORG_TYPE: Final = "Шаг 3 из 5. Напишите название вашей <b>организации</b>."
PROFILE_ORG_BAD: Final = "Название организации — от 3 до {limit} символов. Попробуйте ещё раз."
PROFILE_POSITION: Final = "Шаг 4 из 5. Ваша <b>должность</b>? Выберите или напишите."
PROFILE_POSITION_BAD: Final = "Должность — от 3 до {limit} символов. Попробуйте ещё раз."
PROFILE_CONTACT: Final = (
    "Шаг 5 из 5. Телефон или e-mail для связи. Можно нажать кнопку ниже, "
    "чтобы отправить номер из Telegram."
)
PROFILE_CONTACT_TAKEN: Final = "Контакт: {c}"
PROFILE_CONTACT_BAD: Final = (
    "Не получилось распознать телефон или e-mail. Примеры: <i>+7 900 123-45-67</i>, "
    "<i>8 (900) 1234567</i>, <i>name@mail.ru</i>."
)
CONSENT: Final = (
    "Для записи нужны ваши данные — один раз, дальше я их запомню. Сначала — согласие: "
    "без него я ничего не спрашиваю и не сохраняю.\n\n"
    "Шаг 1 из 5. <b>Согласие на обработку персональных данных</b>\n\n"
    "{moc}[[if address]] ({address})[[end]] будет хранить ваши ФИО, организацию, должность "
    "и контакт, чтобы записывать вас на мероприятия, напоминать о них, вести списки "
    "участников и выдавать подтверждения участия (152-ФЗ «О персональных данных»). Данные не "
    "передаются третьим лицам. Согласие действует до его отзыва; отозвать его можно в любой "
    "момент: /withdraw_consent (или кнопка «Отозвать согласие» в /my_data) — ФИО и контакт "
    "будут удалены, записи на предстоящие мероприятия отменены. Удалить все данные — "
    "/forget_me.\n\n"
    "Версия текста: {version}."
)
CONSENT_PRESS: Final = (
    "Нажмите «✅ Согласен(на)» или «Не согласен(на)» выше. Пока согласия нет, я ничего "
    "о вас не сохраняю — и то, что вы сейчас написали, тоже."
)
CONSENT_REFUSED: Final = (
    "Понимаю. Без согласия записать вас в боте не получится[[if phone]] — можно записаться "
    "по телефону МОЦ: {phone}[[end]]. Ваши данные не сохранены."
)
CONSENT_REFUSED_EDIT: Final = (
    "Хорошо, профиль не изменён: остаются прежние данные и согласие, которое вы дали раньше. "
    "Посмотреть их — /my_data, отозвать согласие — /withdraw_consent, удалить всё — /forget_me."
)
MAILING: Final = (
    "И последнее (по желанию): присылать вам анонсы новых мероприятий МОЦ? "
    "Отписаться можно в любой момент."
)
PROFILE_SAVED: Final = "Профиль сохранён."
PROFILE_SHOW: Final = (
    "🪪 <b>Ваш профиль</b>\n"
    "ФИО: {name}\nОрганизация: {organisation}\nДолжность: {position}\nКонтакт: {contact}\n"
    "Анонсы мероприятий: {mailing}"
)
PROFILE_NONE: Final = "Профиля пока нет — он появится при первой записи на мероприятие."
PROFILE_DIALOG_STALE: Final = "Анкета устарела — начните запись заново."
# notices on a pressed button (plain text, up to 200 characters): the form is already open
FORM_OPEN: Final = "Анкета уже открыта — ответьте на вопрос выше."
FORM_OPEN_OTHER: Final = (
    "Анкета уже открыта — ответьте на вопрос выше. После неё запишу вас на «{title}». "
    "На другие мероприятия — кнопкой «Записаться», уже без анкеты."
)

POSITIONS: Final = (
    "Педагог дополнительного образования",
    "Методист",
    "Заместитель директора",
    "Директор",
    "Учитель",
    "Воспитатель",
    "Педагог-организатор",
)

WEEKDAYS: Final = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
