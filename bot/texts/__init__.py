"""Every user-facing phrase of the bot, in one place (Russian).

Templates are Telegram HTML. Values put into them go through `html.quote` at the call site
(see `bot.core.markup.q`), never here, so a template stays readable.
"""

from __future__ import annotations

from typing import Final

ROLE_TITLES: Final = {
    "parent": "Родитель",
    "teacher": "Педагог",
    "director": "Руководитель организации",
    "staff": "Сотрудник МОЦ",
}

# Reply-keyboard buttons (also matched as text by handlers).
BTN_FAQ: Final = "📚 Частые вопросы"
BTN_ASK: Final = "🙋 Спросить специалиста"
BTN_CONTACTS: Final = "📇 Контакты МОЦ"
BTN_MY_DATA: Final = "🔒 Мои данные"
BTN_ROLE: Final = "👤 Сменить роль"
BTN_TICKETS: Final = "📨 Обращения"
BTN_ADMIN: Final = "🛠 Панель МОЦ"

BTN_BACK: Final = "« Назад"
BTN_CATEGORIES: Final = "📚 Все темы"
BTN_ASK_INLINE: Final = "Не нашли ответ? Спросить специалиста"
BTN_ASK_SHORT: Final = "🙋 Спросить специалиста"
BTN_REPLY: Final = "✍️ Ответить"
BTN_CLOSE: Final = "✅ Закрыть"
BTN_DRAFT: Final = "📝 В черновики FAQ"
BTN_WITHDRAW: Final = "Отозвать обращение"
BTN_SOLVED: Final = "👍 Вопрос решён"
BTN_FOLLOW_UP: Final = "Задать уточняющий вопрос"
BTN_FORGET: Final = "🗑 Удалить мои данные"
BTN_FORGET_YES: Final = "Да, удалить всё"
BTN_FORGET_NO: Final = "Нет, оставить"
BTN_CANCEL: Final = "Отмена"
# paging of long lists (events, FAQ drafts): each page is one message, edited in place
BTN_PREV_PAGE: Final = "« Назад"
BTN_MORE_PAGE: Final = "Дальше »"

WELCOME: Final = (
    "Здравствуйте, {name}! Это бот «<b>{moc_name}</b>».\n\n"
    "Помогу разобраться с сертификатом дополнительного образования и Навигатором, "
    "подскажу, куда обратиться, а если не знаю ответа — передам вопрос специалисту МОЦ.\n\n"
    "Кто вы? Так я буду показывать то, что нужно именно вам."
)
ROLE_SAVED: Final = (
    "Готово, вы — <b>{role}</b>.\n\n"
    "Просто напишите вопрос своими словами, например: <i>как активировать сертификат</i>. "
    "Или откройте «Частые вопросы» в меню ниже."
)
ROLE_STAFF_ONLY: Final = (
    "Роль «Сотрудник МОЦ» доступна только сотрудникам из списка администраторов."
)
MENU: Final = "Главное меню. Напишите вопрос или выберите раздел ниже."
HELP: Final = (
    "<b>Что я умею</b>\n"
    "• Отвечаю на вопросы о сертификате и Навигаторе — пишите своими словами, "
    "можно с ошибками.\n"
    "• «Частые вопросы» — все темы по разделам.\n"
    "• «Спросить специалиста» — вопрос уйдёт сотруднику МОЦ, ответ придёт сюда же.\n"
    "• «Мероприятия» — семинары и мастер-классы для педагогов и запись на них; «Мои записи» — "
    "ваши записи, отмена и подтверждение участия.\n"
    "• «Мои данные» — что бот о вас хранит, отзыв согласия и удаление по запросу.\n\n"
    "Команды: /menu — меню, /ask — вопрос специалисту, /cancel — отменить действие, "
    "/events — мероприятия, /my_events — мои записи, /profile — профиль педагога, "
    "/my_data — мои данные, /withdraw_consent — отозвать согласие, /forget_me — удалить все "
    "данные, /move — перенести данные в другой мессенджер (например, в MAX), "
    "/role — сменить роль."
)
HELP_ADMIN: Final = (
    "\n\n<b>Для сотрудников МОЦ</b>\n"
    "/tickets — открытые обращения\n"
    "/faq_stats — что спрашивают и на что бот не ответил (30 дней); «➕» добавит вопрос в базу\n"
    "/faq_drafts — черновики новых ответов\n"
    "/reload_faq — перечитать базу ответов без перезапуска\n"
    "/new_event — новое мероприятие\n"
    "/report — отчёт за учебный год (Excel); <code>/report 2026</code> — за календарный год, "
    "<code>/report 2025-2026</code> — за учебный, <code>/report 01.09.2025 31.05.2026</code> — "
    "за период\n"
    "/broadcast — новая рассылка, /broadcasts — ход, отмена и перенос рассылок\n"
    "/chats — чаты и аудитории; в группе: /bind parents|directors|teachers|staff [тег], "
    "/unbind, /tag, /untag"
)
CANCELLED: Final = "Действие отменено. Чем ещё помочь?"
NOTHING_TO_CANCEL: Final = "Отменять нечего. Напишите вопрос или откройте меню."
# «стоп», «отмена» typed with no dialog open (the FAQ said «не нашёл», offering to pass «стоп»
# on to a specialist); under it: «📚 Все темы»
NOTHING_TO_CANCEL_TYPED: Final = (
    "Отменять нечего. Напишите вопрос своими словами или выберите тему кнопкой ниже."
)

FAQ_CATEGORIES: Final = "📚 <b>Частые вопросы</b>\nВыберите тему:"
FAQ_TOPICS: Final = "<b>{title}</b>\nВыберите вопрос:"
FAQ_SUGGEST: Final = "Возможно, вы имели в виду:"
FAQ_NO_WORDS: Final = (  # under it: «📚 Все темы» (MAX has no menu to point at)
    "Напишите, пожалуйста, вопрос словами — например: <i>как активировать сертификат</i>. "
    "Или выберите тему кнопкой ниже."
)
FAQ_UNKNOWN: Final = (
    "Я не нашёл точного ответа на этот вопрос. Могу передать его специалисту МОЦ — "
    "ответ придёт сюда же. Или посмотрите все темы — кнопка ниже."
)
FAQ_UNKNOWN_TOPICS: Final = (
    "Точного ответа на этот вопрос я не нашёл. Может быть, подойдёт одна из этих статей? "
    "Если нет — передам вопрос специалисту МОЦ, ответ придёт сюда же."
)
FAQ_STALE_BUTTON: Final = "Этот раздел обновился — вот все темы заново."  # shown with them

ASK_PROMPT: Final = (
    "Напишите ваш вопрос одним сообщением — я передам его специалисту МОЦ. "
    "Ответ придёт в этот чат.\n\n/cancel — передумали"
)
ASK_REPROMPT: Final = "Пришлите, пожалуйста, вопрос текстом (или /cancel, чтобы отменить)."
ASK_TOO_LONG: Final = (
    "Сообщение очень длинное ({length} символов) — специалисту можно отправить до {limit}. "
    "Сократите его или пришлите главное: подробности можно дописать следующими сообщениями.\n\n"
    "/cancel — передумали"
)
# when the answer comes: the МОЦ's hours if the region set them (MOC_HOURS), else no promise
_WHEN: Final = (
    "Ответ придёт сюда же[[if hours]]; обычно отвечаем в рабочее время ({hours})"
    "[[else]], как только специалист ответит[[end]]."
)
TICKET_CREATED: Final = (
    "Передал ваш вопрос специалисту МОЦ. Номер обращения: <b>№{id}</b>.\n" + _WHEN
)
TICKET_QUEUED: Final = (
    "Принял ваш вопрос, номер обращения: <b>№{id}</b>. Передам его специалисту МОЦ в ближайшее "
    "время. " + _WHEN
)
TICKET_APPENDED: Final = "Добавил это к обращению <b>№{id}</b>. Специалист увидит всё вместе."
TICKET_ALREADY_OPEN: Final = (  # as TICKET_CREATED: where and when the answer comes
    "У вас уже есть открытое обращение <b>№{id}</b> — добавил вопрос туда. Специалист увидит "
    "всё вместе. " + _WHEN
)
TICKET_SAME_OPEN: Final = (
    "Этот вопрос уже у специалиста: обращение <b>№{id}</b>. Ответ придёт сюда же."
)
TICKET_WITHDRAWN: Final = "Обращение №{id} отозвано. Если вопрос останется — пишите."
TICKET_ALREADY_CLOSED_USER: Final = "Обращение №{id} уже закрыто — отзывать нечего."
# a picture staff answered with, copied to the asker under their answer
TICKET_ANSWER_PICTURE: Final = "📎 К ответу на обращение №{id}"
TICKET_ANSWER: Final = "💬 <b>Ответ специалиста МОЦ</b> на обращение №{id}:\n\n{text}"
TICKET_CLOSED_USER: Final = "Обращение №{id} закрыто. Если остались вопросы — напишите."
TICKET_THANKS: Final = "Рады помочь! Если появятся вопросы — пишите."
TICKET_FOLLOW_UP: Final = "Напишите уточняющий вопрос — он попадёт в обращение №{id}."
TICKET_NOT_YOURS: Final = "Это обращение уже недоступно."

STAFF_TICKET: Final = (
    "📨 <b>Обращение №{id}</b> · {status}\n"
    "От: {name}{username} · {role} · {channel}, id <code>{user_id}</code>\n\n"
    "{body}\n\n"
    "<i>{hint}</i>"
)
# above a post the Telegram staff chat refused (STAFF_CHAT_ID), sent to each staffer instead
STAFF_ROOM_REFUSED: Final = (
    "⚠️ Бот не может писать в чат сотрудников ({why}), поэтому это сообщение пришло вам лично.\n\n"
)
STAFF_ROOM_TOPIC_CLOSED: Final = (
    "в группе-форуме закрыта тема «General» — откройте её или дайте боту право управлять темами"
)
STAFF_ROOM_NO_RIGHTS: Final = (
    "бота удалили из чата или запретили ему писать — верните его и проверьте STAFF_CHAT_ID"
)
# a question longer than one post (a long message the messenger split): the rest follows
STAFF_TICKET_CONTINUED: Final = "\n\n(продолжение — следующим сообщением)"
STAFF_TICKET_MORE: Final = "📨 <b>Обращение №{id}</b>, продолжение ({n} из {total}):\n\n{text}"
# how to answer a ticket post: MAX staff answer through «Ответить» only (no reply there)
STAFF_TICKET_HINT: Final = "Ответьте на это сообщение (Reply) или нажмите «Ответить»."
STAFF_TICKET_HINT_MAX: Final = "Нажмите «Ответить» и напишите ответ следующим сообщением."
STAFF_FOLLOW_UP: Final = "➕ <b>Обращение №{id}</b>, дополнение от {name}:\n\n{text}"
STAFF_REPLY_PROMPT: Final = (
    '<a href="tg://user?id={user_id}">{staff}</a>, напишите ответ на обращение №{id} одним '
    "сообщением: следующее ваше сообщение в этом чате получит автор обращения. "
    "/cancel — отменить."
)
STAFF_REPLY_PROMPT_AT: Final = (
    "@{username}, напишите ответ на обращение №{id} одним сообщением: следующее ваше "
    "сообщение в этом чате получит автор обращения. /cancel — отменить."
)
# «Ответить» pressed again on the ticket whose answer is awaited (a double tap): a notice on
# the button, not a second prompt
STAFF_REPLY_WAITING: Final = "Жду ваш ответ на обращение №{id}: напишите его следующим сообщением."
# the answer after «Ответить» from someone removed from staff meanwhile: not sent
STAFF_ANSWER_NOT_STAFF: Final = (
    "Ответ не отправлен: вы больше не сотрудник МОЦ. Если это ошибка, обратитесь к владельцу бота."
)
STAFF_DELIVERED: Final = "✅ Ответ на обращение №{id} доставлен. Ответил(а): {staff}."
STAFF_NOT_DELIVERED: Final = (
    "⚠️ Ответ на обращение №{id} не доставлен: пользователь заблокировал бота или удалил чат. "
    "Ответ сохранён в обращении."
)
STAFF_TICKET_CLOSED: Final = "Обращение №{id} закрыто ({staff})."
# who closed it, on a closed ticket's card, when it was not staff: «Вопрос решён» or withdrawn
CLOSED_BY_ASKER: Final = "автор обращения"
# a ticket worked in the web panel, told to the staff chat (or the admins) where it was posted
STAFF_PANEL_ANSWER: Final = (
    "🖥 Ответ на обращение №{id} из веб-панели {outcome}. Ответил(а): {staff}.\n\n{text}"
)
PANEL_DELIVERED: Final = "доставлен"
PANEL_NOT_DELIVERED: Final = "не доставлен (пользователь недоступен), сохранён в обращении"
STAFF_ANSWERED_NOTE: Final = "✅ На обращение №{id} ответил(а) {staff}:\n\n{text}"
STAFF_PANEL_CLOSED: Final = "Обращение №{id} закрыто в веб-панели ({staff})."
STAFF_TICKET_GONE: Final = "Обращение не найдено (возможно, пользователь удалил свои данные)."
STAFF_ANSWER_NEEDS_TEXT: Final = (
    "Такой ответ пользователю не передать: пришлите текст, изображение или файл (документом; "
    "подпись к нему — текст ответа). Голосовые, видео, стикеры и геопозиция не пересылаются."
)
# the answer's text when staff sent only a picture or a file, which follows it
STAFF_ANSWER_ONLY_PICTURE: Final = "📎 Изображение — в следующем сообщении."
STAFF_ANSWER_ONLY_FILE: Final = "📎 Файл — в следующем сообщении."
STAFF_PICTURE_NOT_SENT: Final = (
    "⚠️ Текст ответа на обращение №{id} доставлен, а изображение — нет: мессенджер пользователя "
    "его не принял. Опишите, что на нём, словами."
)
STAFF_ALREADY_CLOSED: Final = "Обращение №{id} уже закрыто."
# «Ответить» on a card of a ticket closed since, a reply to that card, or the answer typed
# after «Ответить» once a colleague or the asker closed it (either messenger): nothing is sent
# (the panel offers no answer to a closed ticket either)
STAFF_CLOSED_NO_REPLY: Final = (
    "Обращение №{id} уже закрыто — отвечать не нужно. Если у автора остались вопросы, "
    "он напишет снова — придёт новое обращение."
)
STAFF_DRAFT_SAVED: Final = (
    "Черновик №{draft} для FAQ сохранён из обращения №{id}. "
    "Список — /faq_drafts, выгрузка — <code>python -m bot faq drafts</code>."
)
STAFF_DRAFT_NO_ANSWER: Final = "Сначала ответьте на обращение — в черновик попадёт ваш ответ."
STAFF_NO_OPEN: Final = "Открытых обращений нет 🎉"
STAFF_OPEN_LIST: Final = "<b>Открытые обращения</b> ({count}):"
STAFF_STATUS: Final = {"open": "🟡 ждёт ответа", "answered": "🟢 отвечено", "closed": "⚪ закрыто"}

ADMIN_ONLY: Final = "Эта команда только для сотрудников МОЦ."
FAQ_RELOADED: Final = "База ответов перечитана: {entries} ответов в {categories} разделах."
FAQ_RELOAD_FAILED: Final = (
    "Не удалось перечитать базу, работает прежняя версия:\n<code>{error}</code>"
)
FAQ_STATS: Final = (
    "<b>Вопросы за 30 дней</b>\n"
    "Всего: {total} · ответил сам: {answered} · предложил варианты: {suggested} · "
    "не понял: {unknown} · не по теме: {offtopic}\n\n"
    "<b>Популярные темы</b>\n{top}\n\n<b>Без ответа (последние)</b>\n{missed}"
)
FAQ_STATS_NOW_ANSWERED: Final = " — ✅ теперь бот отвечает: {title}"
FAQ_DRAFTS_EMPTY: Final = "Черновиков пока нет."
FAQ_DRAFT_LINE: Final = "<b>№{id}</b> (обращение №{ticket})\nВ: {question}\nО: {answer}"

MY_DATA: Final = (
    "🔒 <b>Что бот хранит о вас</b>\n"
    "• {messenger} id: <code>{id}</code>\n"
    "• Имя из {messenger}: {name}\n"
    "• Роль: {role}\n"
    "• Профиль педагога: {profile}\n"
    "{draft}"
    "• Записей на мероприятия: {registrations}\n"
    "• Выданных документов об участии: {documents}\n"
    "• Обращений к специалистам: {tickets}\n"
    "{files}"
    "• Записанных вопросов (для улучшения ответов): {queries}\n"
    "• Ваших вопросов, которые сотрудники добавили в базу ответов как образец: {samples}\n"
    "• Подписки на новости: {subscriptions}\n"
    "• Отметок «Ознакомлен» под рассылками: {acks}\n"
    "• Рассылок, доставленных вам лично: {deliveries}\n"
    "• Групп, куда вы добавили бота: {groups}\n"
    "• Сообщений бота вам, ещё ждущих отправки: {outbox}\n"
    "{move_code}"
    "• Согласия: {consents}\n"
    "• С нами с {since}\n\n"
    "Данные нужны только чтобы отвечать вам. Удалить их можно кнопкой ниже или /forget_me. "
    "После удаления остаётся запись о согласии (ваш id, версия текста, когда согласие "
    "дано и когда отозвано): закон (152-ФЗ) требует хранить её как доказательство. "
    "Записи на прошедшие мероприятия, отметки присутствия и выданные документы остаются "
    "в отчётах МОЦ только числом — без id, имени и контактов."
)
MY_DATA_MOVE_CODE: Final = "• Код переноса данных (/move, хранится только хеш): до {until}\n"
# pictures, files and voice messages kept (by the messenger's file link) for «Отправить
# специалисту» under the bot's offer; they go with /forget_me
MY_DATA_FILES: Final = (
    "• Ваших фото, файлов и голосовых, которые бот помнит, чтобы передать специалисту: {count}\n"
)
MY_DATA_NO_NAME: Final = (
    "не храним (сохраняем, только когда вы обращаетесь к специалисту, — чтобы он видел, "
    "кто спрашивает, — или подписываетесь на новости)"
)
# answers of a profile form still open (kept in the dialog's state until the last step)
MY_DATA_DRAFT: Final = "• Анкета, которую вы заполняете (ещё не сохранена): {answers}\n"
MY_DATA_CONSENT: Final = "\n   — {kind} (версия {version}), дано {given}{withdrawn}"
MY_DATA_WITHDRAWN: Final = ", отозвано {when}"
CONSENT_KINDS: Final = {
    "personal_data": "на обработку персональных данных",
    "mailing": "на рассылку",
}
FORGET_CONFIRM: Final = (
    "Удалить всё, что бот о вас хранит: профиль педагога, записи на мероприятия, обращения, "
    "подписки, отметки «Ознакомлен», учёт доставленных вам рассылок и историю вопросов? "
    "Это нельзя отменить. Записи на предстоящие мероприятия будут отменены; прошедшие "
    "останутся в отчётах МОЦ только числом, без id и имени. Группы, куда вы добавили бота, "
    "останутся, но без отметки, что их добавили вы. Согласие на обработку данных будет "
    "отозвано; останется только запись о нём (id, версия, даты)."
)
STAFF_TICKET_FORGOTTEN: Final = (
    "📨 <b>Обращение №{id}</b> · ⚪ удалено: автор удалил свои данные (/forget_me, 152-ФЗ)."
)
# /forget_me deletes this account only: the bot does not know a person's account in the
# other messenger it serves (/move links none), so the person hears what stays there
FORGET_ELSEWHERE: Final = (
    "\n\nУдаляются данные только этого аккаунта {here}. Если вы пишете боту МОЦ и в {other}, "
    "данные того аккаунта останутся — чтобы удалить и их, отправьте /forget_me боту в {other}."
)
FORGOTTEN_ELSEWHERE: Final = (
    "\n\nУдалены данные только этого аккаунта {here}. Если вы пишете боту МОЦ и в {other}, "
    "там всё осталось (профиль, записи, обращения, согласие) — удалить это можно командой "
    "/forget_me в {other}."
)
FORGOTTEN: Final = "Готово: ваши данные удалены. Чтобы снова пользоваться ботом, нажмите /start."
FORGOTTEN_ALREADY: Final = (
    "Ваши данные уже удалены — удалять нечего. Чтобы снова пользоваться ботом, нажмите /start."
)
FORGET_KEPT: Final = "Хорошо, ничего не удаляю."

TOO_LONG: Final = (
    "Сообщение очень длинное ({length} символов). Пожалуйста, сформулируйте вопрос короче — "
    "до {limit} символов, или нажмите «Спросить специалиста»."
)
THROTTLED: Final = "Вы пишете очень быстро 🙂 Подождите пару секунд, и я отвечу."
STALE_BUTTON: Final = "Кнопка устарела. Откройте /menu."
ERROR: Final = "Извините, что-то пошло не так. Мы уже разбираемся — попробуйте ещё раз чуть позже."
ADMIN_ERROR: Final = "⚠️ Ошибка при обработке обновления {update_id}: <code>{error}</code>"
ADMIN_GROUP_ADDED: Final = "Бота добавили в чат «{title}» (id <code>{chat_id}</code>)."

CONTACTS: Final = (
    "📇 <b>{moc_name}</b>\n"
    "Адрес: {moc_address}\n"
    "Телефон: {moc_phone}\n"
    "E-mail: {moc_email}\n"
    "Часы работы: {moc_hours}\n"
    "Сайт: {moc_site}\n"
    "Навигатор: {navigator_url}\n"
    "[[if not moc_contacts]]Телефон и почту МОЦ в бот пока не внесли — задайте вопрос через "
    "«Спросить специалиста».[[end]]"
)

STAFF_WITHDRAWN: Final = "↩️ Обращение №{id} отозвано пользователем."

BTN_EVENTS: Final = "📅 Мероприятия"
BTN_MY_EVENTS: Final = "📝 Мои записи"
BTN_PROFILE: Final = "🪪 Мой профиль"
BTN_SUBSCRIBE: Final = "🔔 Подписаться на новости"
BTN_BROADCAST: Final = "📣 Рассылка"
MENU_BUTTONS: Final = frozenset(
    {
        BTN_FAQ,
        BTN_ASK,
        BTN_CONTACTS,
        BTN_MY_DATA,
        BTN_ROLE,
        BTN_TICKETS,
        BTN_ADMIN,
        BTN_EVENTS,
        BTN_MY_EVENTS,
        BTN_PROFILE,
        BTN_SUBSCRIBE,
        BTN_BROADCAST,
    }
)
UNKNOWN_COMMAND: Final = "Такой команды нет. Что я умею — /help."
DIALOG_RESET: Final = "Начнём сначала 🙂 Повторите, пожалуйста, вопрос или откройте /menu."
TICKET_NO_STAFF: Final = (
    "Сохранил ваш вопрос (обращение <b>№{id}</b>), но сейчас не удалось передать его "
    "специалисту. Мы ответим здесь, как только сможем[[if phone]]; если вопрос срочный — "
    "позвоните: {phone}[[end]]."
)
