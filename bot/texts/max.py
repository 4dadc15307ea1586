"""Texts only the MAX adapter says (everything else is shared with Telegram)."""

from __future__ import annotations

from typing import Final

from bot.texts.chats import SUBSCRIBE_PICK_ROLE

ROLE_PROMPT: Final = "Кто вы?"
ROLE_SAVED: Final = (  # MAX has no «Частые вопросы» menu: the topics are the buttons under it
    "Готово, вы — <b>{role}</b>.\n\n"
    "Просто напишите вопрос своими словами, например: <i>как активировать сертификат</i>. "
    "Или выберите раздел ниже."
)
HELP_MAX: Final = (
    "<b>Что я умею</b>\n"
    "• Отвечаю на вопросы о сертификате и Навигаторе — пишите своими словами.\n"
    "• /faq — частые вопросы по разделам.\n"
    "• /ask — вопрос специалисту МОЦ, ответ придёт сюда же; /contacts — контакты МОЦ.\n"
    "• /events — мероприятия для педагогов; /my_events — ваши записи; /profile — ваш профиль.\n"
    "• /subscribe — новости МОЦ в этот чат; /unsubscribe — отписаться.\n"
    "• /my_data — что бот о вас хранит; /withdraw_consent — отозвать согласие на обработку "
    "персональных данных (ФИО и телефон); /forget_me — удалить все данные.\n"
    "• /move — перенести профиль и записи в другой мессенджер (или сюда — кодом из /move там).\n"
    "• /role — сменить роль, /cancel — отменить действие."
)
CANCELLED: Final = "Действие отменено. Чем ещё помочь?"  # Telegram's words, with the menu
# the question for a specialist: Telegram's «/cancel — передумали» is a tap there; a command
# in a MAX message is plain text, so the way out is the «Отмена» button under these
ASK_PROMPT: Final = (
    "Напишите ваш вопрос одним сообщением — я передам его специалисту МОЦ. "
    "Ответ придёт в этот чат.\n\nПередумали — нажмите «Отмена»."
)
ASK_REPROMPT: Final = "Пришлите, пожалуйста, вопрос текстом (или нажмите «Отмена»)."
ASK_TOO_LONG: Final = (
    "Сообщение очень длинное ({length} символов) — специалисту можно отправить до {limit}. "
    "Сократите его или пришлите главное: подробности можно дописать следующими сообщениями.\n\n"
    "Передумали — нажмите «Отмена»."
)
# «Отмена» under an old prompt: the question was sent or the wait cancelled since
ASK_NOT_WAITING: Final = "Я уже не жду вопроса — отменять нечего."
# MAX has no reply-keyboard menu: where Telegram's texts send people to «Частые вопросы» or
# «меню», these point at the «📚 Все темы» button they come with (or the topics themselves)
NOTHING_TO_CANCEL: Final = (
    "Отменять нечего. Напишите вопрос своими словами или откройте темы ниже."
)
# MAX shows no command list and «/start» in a message is no button: the word it reads
FORGOTTEN: Final = "Готово: ваши данные удалены. Чтобы снова пользоваться ботом, напишите «старт»."
FORGOTTEN_ALREADY: Final = (
    "Ваши данные уже удалены — удалять нечего. Чтобы снова пользоваться ботом, напишите «старт»."
)
STAFF_ANSWER_PROMPT: Final = (
    "Напишите ответ на обращение №{id} следующим сообщением — он уйдёт автору. /cancel — отмена."
)
# «Отмена» under the prompt once the wait is over (answered, cancelled, 30 minutes, another
# ticket's «Ответить» pressed since): nothing to cancel, said on the button
STAFF_ANSWER_NOT_WAITING: Final = "Ответ на обращение №{id} уже не ожидается — отменять нечего."
KB_FIND_PROMPT: Final = (  # Telegram's FIND_PROMPT asks for a reply; MAX has no ForceReply
    "Напишите id статьи (например <code>certificate.get</code>) или пару слов из её "
    "заголовка. /cancel — отменить."
)
PROFILE_CONTACT: Final = (  # as Telegram's (bot.texts.events), with MAX's button named
    "Шаг 5 из 5. Телефон или e-mail для связи. Можно нажать кнопку ниже, "
    "чтобы отправить номер из MAX."
)
PROFILE_PRESS: Final = "Нажмите одну из кнопок выше."
EDIT_DROPPED: Final = "Изменение отменено, мероприятие осталось как было."
STAFF_HELP_MAX: Final = (
    "\n\n<b>Сотрудникам МОЦ</b>\n"
    "• /tickets — открытые обращения карточками: «Ответить», «Закрыть», «В черновики FAQ», "
    "«В базу».\n"
    "• /faq_stats — что спрашивают и на что бот не ответил (30 дней); «➕» добавит вопрос в "
    "базу.\n"
    "• /faq_drafts — черновики новых ответов; /reload_faq — перечитать базу ответов без "
    "перезапуска.\n"
    "• /new_event — новое мероприятие; под карточкой — «Изменить», «Закрыть запись» (и "
    "«Открыть запись» до начала), «Отменить мероприятие», участники и присутствие.\n"
    "• /report — отчёт за учебный год (Excel); <code>/report 2026</code> — за календарный год, "
    "<code>/report 2025-2026</code> — за учебный, <code>/report 01.09.2025 31.05.2026</code> — "
    "за период.\n"
    "• /broadcast — новая рассылка (текст, аудитории, время, предпросмотр); /broadcasts — "
    "последние рассылки, отмена запланированной.\n"
    "• /chats — чаты для рассылок: куда они приходят и из каких чатов бота удалили.\n"
    "• /staff — сотрудники МОЦ; /invite — пригласить сотрудника; /web — вход в веб-панель."
)
TICKETS_MORE: Final = (  # /tickets shows the oldest cards; a long queue is the panel's
    "Показаны {shown} самых давних. Остальные — в веб-панели (/web) → «Обращения»."
)
BROADCASTS_EMPTY: Final = "Рассылок пока не было. Новая — /broadcast"
BROADCASTS_IN_PANEL: Final = "\n\nНовая рассылка — текстом, фото или документом — /broadcast."
# the compose dialog in MAX (handlers.max.broadcast_compose); its other questions are Telegram's
BROADCAST_ASK_TEXT: Final = (
    "📣 <b>Новая рассылка</b>\n\n"
    "Пришлите текст рассылки одним сообщением (до {limit} символов) или фото либо документ "
    "(до 10 МБ) с подписью до 1024 символов.\n\n«Отмена» или /cancel — выйти."
)
BROADCAST_TOO_LONG: Final = (
    "Текст рассылки — {length} символов, а MAX пропускает не больше {limit}. Сократите его "
    "или разделите на части и пришлите первую часть заново — остальные можно разослать "
    "отдельно."
)
BROADCAST_TEXT_ONLY: Final = (
    "Для рассылки пришлите текст, фото или документ (стикеры, контакты и видео не подходят) "
    "или нажмите «Отмена»."
)
BROADCAST_FILE_TOO_BIG: Final = (
    "Файл больше 10 МБ ({size}): Telegram не примет его от бота. Уменьшите файл и пришлите "
    "заново или нажмите «Отмена»."
)
BROADCAST_FILE_NOT_FETCHED: Final = (
    "Не получилось получить файл из MAX. Пришлите его ещё раз или нажмите «Отмена»."
)
BROADCAST_FILE_GONE: Final = "Файл рассылки не найден: начните заново — /broadcast."
BROADCAST_SAMPLE_BUTTONS: Final = "☝️ Под файлом будут кнопки:"
BTN_NEW_BROADCAST: Final = "✏️ Новая рассылка"
# PATCH /me/commands: the «/» hints in a MAX dialog (one list for everyone, at most 32, a
# description 1–128 characters). Staff commands are not listed: a parent would press them and
# hear «только для сотрудников»; staff find theirs in /help.
COMMANDS: Final = {
    "start": "Начать / выбрать роль",
    "faq": "Частые вопросы по разделам",
    "ask": "Задать вопрос специалисту",
    "events": "Мероприятия для педагогов",
    "my_events": "Мои записи на мероприятия",
    "profile": "Мой профиль педагога",
    "contacts": "Контакты МОЦ",
    "subscribe": "Подписаться на новости МОЦ",
    "unsubscribe": "Отписаться от новостей",
    "my_data": "Мои данные",
    "move": "Перенести данные в другой мессенджер",
    "help": "Что умеет бот",
    "cancel": "Отменить текущее действие",
}
STAFF_COMMAND_IN_GROUP: Final = (  # MAX has no staff group: the desk is the private dialog
    "Здесь эту команду не выполню: ответ увидят все участники группы. "
    "Напишите мне /{command} в личном чате."
)
# a press nobody handles: the notification cannot be a /menu link in MAX; «меню» typed is read
STALE_BUTTON: Final = "Кнопка устарела. Напишите «меню» — пришлю свежие кнопки."
STALE_BUTTON_GROUP: Final = "Кнопка устарела."  # in a group «меню» is nobody's command
SUBSCRIBE_NEED_ROLE: Final = SUBSCRIBE_PICK_ROLE  # news go by role; the buttons come with it
FILE_NOT_SENT: Final = (  # MAX refused the upload through every retry
    "Не получилось отправить файл: MAX сейчас не принимает вложения. "
    "Попробуйте ещё раз через несколько минут."
)
