"""Texts of the staff side of broadcasts: the compose dialog, the list, «Ознакомлен».

Telegram HTML. Values go in through `bot.core.markup.fill` (escaped) at the call site; where a
template is filled with `str.format`, the caller passes pieces it already escaped or built
from these texts. The CLI_* messages are plain text for a terminal.
"""

from __future__ import annotations

from typing import Final

from bot.texts import BTN_BROADCAST as BTN_BROADCAST

AUDIENCE_LABELS: Final = {
    "parents": "Родители",
    "directors": "Руководители",
    "teachers": "Педагоги",
    "staff": "Сотрудники",
}
STATE_LABELS: Final = {
    "scheduled": "🕒 запланирована",
    "sending": "⏳ отправляется",
    "done": "✅ отправлена",
    "cancelled": "❌ отменена",
    "missed": "⚠️ пропущена (бот был выключен)",
    "held": "⏸ прервана, ждёт решения автора",
}

# --- compose: the message ---------------------------------------------------------------------
ASK_CONTENT: Final = (
    "📣 <b>Новая рассылка</b>\n\n"
    "Пришлите сообщение для рассылки — текст (можно с форматированием), фото или документ с "
    "подписью. Можно переслать готовое сообщение.\n\n/cancel — отменить."
)
CONTENT_WRONG_KIND: Final = (
    "Для рассылки пришлите текст, фото или документ (стикеры, голосовые и видео не подходят)."
)
CONTENT_TOO_LONG: Final = (
    "{what}: {length} символов, а Telegram пропускает не больше {limit}. "
    "Сократите или разделите на части и пришлите первую часть заново — остальные можно "
    "разослать отдельно."
)
CONTENT_COMMAND: Final = (
    "Это похоже на команду, а не на текст рассылки. Пришлите сообщение для рассылки или "
    "/cancel, чтобы выйти."
)
# a document sent in Telegram that the MAX side of the broadcast could not fetch
CONTENT_TOO_BIG_FOR_MAX: Final = (
    "Файл — {size} МБ, а из Telegram бот может взять для MAX файл не больше {limit} МБ: "
    "группы и подписчики в MAX его не получат. Сожмите или разделите файл и пришлите заново "
    "либо выложите его на сайт и добавьте ссылку кнопкой."
)
ALBUM_PART_TOO_BIG: Final = (
    "Этот файл альбома — {size} МБ, а из Telegram бот может взять для MAX файл не больше "
    "{limit} МБ, поэтому в рассылку он не войдёт. Остальные файлы альбома войдут."
)
WHAT_TEXT: Final = "Текст слишком длинный"
WHAT_CAPTION: Final = "Подпись к файлу слишком длинная"
CONTENT_PROBLEMS: Final = (
    "Такое сообщение Telegram не примет:\n{problems}\n\nПришлите исправленное."
)

# --- compose: audience and tags ---------------------------------------------------------------
ASK_AUDIENCE: Final = (
    "Кому отправить? Отметьте одну или несколько аудиторий.\n\n"
    "Получателей сейчас: <b>{count}</b> (группы, каналы и подписчики в личке)."
)
BTN_ALL: Final = "Все"
BTN_NEXT: Final = "Далее →"
AUDIENCE_NONE_PICKED: Final = "Отметьте хотя бы одну аудиторию."
# the final report of a broadcast that found nobody when its time came (checked when it was
# planned: since then its groups were unbound, untagged or removed the bot, people unsubscribed)
NOBODY: Final = (
    "⚠️ Рассылка №{id} никому не отправлена: когда пришло её время, в её аудиториях и тегах "
    "не было ни одного чата и подписчика — группу отвязали, сняли с неё тег или удалили из неё "
    "бота. Чаты и их аудитории — /chats."
)
AUDIENCE_EMPTY: Final = "В выбранных аудиториях нет ни одного чата — некому отправить."
ASK_TAGS: Final = (
    "Выбрано: <b>{audiences}</b>, получателей: <b>{count}</b>.\n\n"
    "Сузить по тегам? Напишите теги через запятую, например <i>школа5, район-север</i> "
    "(получат чаты хотя бы с одним из них), или нажмите «Без тегов»."
)
BTN_NO_TAGS: Final = "Без тегов"
BTN_BACK_AUDIENCE: Final = "« Аудитории"
TAGS_BAD: Final = "Теги — слова до 64 символов через запятую, например <i>школа5, район-север</i>."
TAGS_EMPTY: Final = (
    "С тегами <b>{tags}</b> в выбранных аудиториях нет ни одного чата. Напишите другие теги, "
    "нажмите «Без тегов» или вернитесь к аудиториям."
)

# --- compose: button, ack, time ---------------------------------------------------------------
ASK_BUTTON: Final = (
    "Добавить кнопку под сообщением?\n\n"
    "• «Записаться на мероприятие» — выберите мероприятие из списка;\n"
    "• своя ссылка — напишите <i>Надпись | https://адрес</i>;\n"
    "• или «Без кнопки»."
)
BTN_EVENT_BUTTON: Final = "📅 Записаться на мероприятие"
BTN_NO_BUTTON: Final = "Без кнопки"
BUTTON_BAD: Final = (
    "Не понял кнопку. Напишите так: <i>Подробнее | https://example.org/news</i> — надпись до "
    "64 символов, затем «|» и ссылка, начинающаяся с https://, не длиннее 2048 символов."
)
ASK_EVENT: Final = "Выберите мероприятие — кнопка откроет его карточку с записью:"
NO_EVENTS: Final = "Ближайших мероприятий нет. Напишите свою кнопку или нажмите «Без кнопки»."
EVENT_BUTTON_LABEL: Final = "📝 Записаться"
ASK_ACK: Final = (
    "Добавить кнопку «✅ Ознакомлен»? Получатели отметятся, а вы увидите, кто прочитал."
)
BTN_ACK_ON: Final = "Да, с «Ознакомлен»"
BTN_ACK_OFF: Final = "Нет"
ASK_WHEN: Final = (
    "Когда отправить? Нажмите «Сейчас» или напишите дату и время (по времени МОЦ), например "
    "<i>завтра 10:00</i> или <i>25.12.2026 15:00</i>."
)
BTN_NOW: Final = "Сейчас"
ASK_REPEAT: Final = "Повторять рассылку?"
BTN_REPEAT_NONE: Final = "Не повторять"
BTN_REPEAT_WEEKLY: Final = "Каждую неделю"

# --- compose: preview and confirm -------------------------------------------------------------
PREVIEW_SUMMARY: Final = (
    "☝️ Так сообщение увидят получатели.\n\n"
    "Получателей: <b>{count}</b> · {when} · {repeat}\n"
    "Аудитории: {audiences}{tags}"
)
PREVIEW_TAGS: Final = " · теги: {tags}"
WHEN_NOW: Final = "сейчас"
REPEAT_NONE: Final = "без повтора"
REPEAT_WEEKLY: Final = "каждую неделю"
BTN_TEST: Final = "🧪 Отправить тест себе"
BTN_CONFIRM_NOW: Final = "✅ Отправить"
BTN_CONFIRM_AT: Final = "✅ Запланировать"
BTN_CHANGE_WHEN: Final = "🕒 Изменить время"
BTN_CANCEL: Final = "Отмена"
TEST_SENT: Final = "Тест отправлен вам в личные сообщения."
TEST_FAILED: Final = "Тест не отправился: {error}"
CREATE_FAILED: Final = (
    "Рассылка не создана: {error}\n\nИсправьте и нажмите «{confirm}» снова или «Отмена»."
)
# a file of the draft was deleted while it waited (composing.create): no other takes its place
FILE_GONE: Final = (
    "файла рассылки больше нет на сервере, другой на его место не подставлен. "
    "Нажмите «Отмена» и пришлите файл заново: /broadcast"
)
PROGRESS_NOW: Final = "⏳ Рассылка начнётся через несколько секунд…"
PROGRESS_AT: Final = (
    "🕒 Рассылка запланирована на {moment}. Когда она начнётся, здесь будет видно, как идёт "
    "отправка."
)
# a scheduled broadcast cancelled or moved before it started: its progress message says so
PROGRESS_CANCELLED: Final = "⛔ Рассылка №{id} отменена ({who}), ничего не отправлено."
PROGRESS_MOVED: Final = (
    "🕒 Рассылка №{id} перенесена на {moment}. Когда она начнётся, здесь будет видно, как идёт "
    "отправка."
)
# the progress message is sent before this one (the broadcast row needs its id): it is above
CREATED_NOW: Final = "✅ Рассылка №{id} поставлена в очередь. Ход отправки — в сообщении выше."
CREATED_AT: Final = "✅ Рассылка №{id} запланирована на {moment}{repeat}."
CREATED_REPEAT: Final = ", повтор каждую неделю"
SIGNUP_BUTTON_DROPPED: Final = (
    "\nКнопку «📝 Записаться» я убрал: запись на мероприятие к этому времени уже закрыта."
)
SIGNUP_DROPPED_AT_SEND: Final = (
    "ℹ️ Рассылка №{id} ушла без кнопки «📝 Записаться»: запись на «{title}» уже закрыта."
)
SIGNUP_DROPPED_WEEKLY: Final = " В следующие недели она тоже пойдёт без кнопки."
DIALOG_CANCELLED: Final = "Рассылка отменена, ничего не отправлено."
DIALOG_STALE: Final = "Этот черновик рассылки уже закрыт. Начните заново: /broadcast"
DRAFT_STALE: Final = (  # a button of a closed draft while another one is open
    "Это кнопка от прежнего черновика рассылки, он уже закрыт — здесь ничего не изменилось. "
    "Текущий черновик — в последних сообщениях."
)
REPROMPT_BUTTONS: Final = "Нажмите одну из кнопок выше или /cancel, чтобы выйти."
# a Telegram album carries no buttons: they come right after it, in a reply to it
ALBUM_BUTTONS: Final = "👆 К объявлению выше"
ALBUM_PART_LEFT_OUT: Final = (
    "Этот файл альбома не войдёт в рассылку: в ней могут быть фото и документы, не видео "
    "и не музыка. Остальные файлы альбома войдут.\n\n"
    "Продолжайте кнопками выше или /cancel, чтобы начать заново."
)
ALBUM_CAPTION_LEFT_OUT: Final = (
    "Подпись ещё одного файла альбома не поместилась: у рассылки одна подпись до {limit} "
    "символов. Файл войдёт в рассылку без неё."
)
PREVIEW_ALBUM: Final = "\n📎 Альбом, файлов: {count} (кнопки в Telegram — следующим сообщением)"

# --- from an event card -----------------------------------------------------------------------
EVENT_GONE: Final = "Мероприятие не найдено или отменено."
ANNOUNCE_SHUT: Final = (
    "Запись на это мероприятие уже не идёт (оно началось или прошло, или истёк срок записи) — "
    "анонс позвал бы записаться туда, куда нельзя."
)
ANNOUNCE: Final = (
    "📣 <b>{title}</b>\n\n🗓 {when}\n{place}\n👥 Места: {seats}\n\nЗапись — по кнопке ниже."
)
ANNOUNCE_STARTED: Final = "Анонс мероприятия готов — осталось выбрать, кому его отправить."

# --- /broadcasts --------------------------------------------------------------------------------
LIST_TITLE: Final = "📣 <b>Последние рассылки</b>"
LIST_EMPTY: Final = "Рассылок пока не было. Новая — /broadcast"
LIST_LINE: Final = (
    "<b>№{id}</b> · {state} · {when}{repeat}\n<i>{preview}</i>\n"
    "Доставлено {sent} из {total} · заблокировали {blocked} · ошибок {failed} · "
    "{waiting} {pending}"
)
LIST_REPEAT: Final = " · 🔁 еженедельно"
BTN_CANCEL_ONE: Final = "❌ №{id} Отменить"
BTN_MOVE_ONE: Final = "🕒 №{id} Перенести"
BTN_ACKS_ONE: Final = "👀 №{id} Кто ознакомился"
NOT_FOUND: Final = "Рассылка №{id} не найдена."
CANCELLED_ONE: Final = "❌ Рассылка №{id} отменена ({who})."
CANCELLED_WEEKLY: Final = (
    " Еженедельные повторы тоже прекращены: если они ещё нужны, создайте рассылку заново."
)
ALREADY_CANCELLED: Final = "Рассылка №{id} уже отменена."
CANNOT_CANCEL: Final = "Рассылку №{id} уже не отменить: она {state}."

# --- a half-sent broadcast paused too long (broadcasts.paused) --------------------------------
HELD_ASK: Final = (
    "⏸ Рассылка №{id} прервалась {since}: бот был выключен или перезапускался. Доставлено "
    "{sent} из {total}, остальным {pending} она ещё не ушла.\n\n"
    "Прошло много времени: если в ней есть «завтра», дата или срок, дослать её сейчас может "
    "только запутать. Досылать?"
)
HELD_PROGRESS: Final = "⏸ Рассылка №{id} прервалась и ждёт решения: досылать ли остальным."
BTN_RESUME: Final = "▶️ Досылать"
BTN_DROP: Final = "⛔ Не досылать"
RESUMED: Final = "▶️ Рассылка №{id} досылается ({who}). Отчёт придёт, когда она закончится."
DROPPED: Final = (
    "⛔ Рассылка №{id} не будет дослана ({who}). Сколько сообщений успело уйти — в отчёте ниже."
)
DROPPED_NEXT_WEEK: Final = " Еженедельные повторы идут дальше: следующая отправка {moment}."
CANNOT_DECIDE: Final = "Решение по рассылке №{id} уже принято: она {state}."
ASK_MOVE: Final = (
    "На когда перенести рассылку №{id}? Напишите дату и время, например <i>завтра 10:00</i>. "
    "/cancel — оставить как есть."
)
MOVED: Final = "🕒 Рассылка №{id} перенесена на {moment}."
CANNOT_MOVE: Final = "Рассылку №{id} уже не перенести: она {state}."
ACKS_TITLE: Final = "👀 <b>Кто ознакомился с рассылкой №{id}</b>"
ACKS_CHAT: Final = "\n<b>{title}</b> — {count}:\n{names}"
ACKS_NONE: Final = "\nПока никто не отметился."
ACKS_PENDING: Final = "\n<b>Не отметились в личных сообщениях</b> — {count}:\n{names}"
ACKS_MORE: Final = "…и ещё {count}"
ACKS_UNSUBSCRIBED: Final = "(отписался(-ась) от новостей; имя не хранится)"
PRIVATE_CHATS: Final = "Личные сообщения"
ACKS_SAME_TITLE: Final = "{title} ({where})"  # two chats of one title: where each one is
# /forget_me of someone a list names: the list is rewritten from what the bot still holds
ACKS_REFRESHED: Final = (
    "\n<i>🔄 Список обновлён: участник удалил свои данные (/forget_me, 152-ФЗ).</i>"
)
ACKS_CUT: Final = "\n…полный список — кнопка «Кто ознакомился» в /broadcasts или веб-панель."
ACKS_PART_GONE: Final = "👀 Список по рассылке №{id} стал короче и уместился выше."
NO_ACK_BUTTON: Final = "В рассылке №{id} не было кнопки «Ознакомлен»."

# --- «Ознакомлен» -------------------------------------------------------------------------------
ACK_THANKS: Final = "Спасибо, отмечено ✅"
ACK_AGAIN: Final = "Вы уже отметились 👍"
ACK_PREVIEW: Final = "Это предпросмотр: в настоящей рассылке здесь сохранится отметка."
ACK_GONE: Final = "Эта рассылка удалена."
# a forged press: the broadcast had no «Ознакомлен», or never came to the chat pressed in
ACK_NO_BUTTON: Final = "В этой рассылке нет отметки «Ознакомлен»."
ACK_NOT_HERE: Final = "Эта рассылка не приходила в этот чат: отметка не сохранена."
ACK_REFUSALS: Final = {
    "gone": ACK_GONE, "no_button": ACK_NO_BUTTON, "not_delivered": ACK_NOT_HERE,
}  # fmt: skip

# --- command line -------------------------------------------------------------------------------
CLI_NO_FILE: Final = "не удалось прочитать {path}: {reason}"
CLI_BAD_DATE: Final = "дата «{value}» не подходит: нужен формат ГГГГ-ММ-ДД ЧЧ:ММ (время МОЦ)"
CLI_BAD_TAG: Final = "тег «{tag}» не подходит: буквы, цифры, «-», «.» или «_», до 64 символов"
CLI_PAST: Final = "время {moment} уже прошло"
CLI_BAD_YEAR: Final = "дата «{value}»: проверьте год — не дальше {years} лет от нынешнего"
CLI_NOT_FOUND: Final = "рассылка №{id} не найдена"
CLI_NOT_CANCELLED: Final = "рассылку №{id} не отменить: она {state}"
CLI_WHO: Final = "из командной строки"  # who cancelled, in the progress message
# a broadcast without an author (the CLI, an events import): its outcome goes to the bot's log
UNATTENDED: Final = "Рассылка №{id} без автора (командная строка или импорт мероприятий): {text}"
UNATTENDED_HELD: Final = (
    "{text} Решение из командной строки: python -m bot broadcast resume {id} — досылать, "
    "python -m bot broadcast cancel {id} — не досылать."
)
CLI_CREATED: Final = "Рассылка №{id} создана, отправка: {when}"
CLI_NOW: Final = "сейчас (отправит запущенный бот)"
CLI_HOW_TO_SEE: Final = (
    "Итог рассылки: python -m bot broadcast status {id} (или запускайте create с --wait — "
    "команда дождётся конца отправки и напечатает итог); запущенный бот пишет итог в свой журнал."
)
CLI_WAITING: Final = "Жду, пока запущенный бот отправит рассылку №{id}… (Ctrl+C — не ждать)"
CLI_STILL_SCHEDULED: Final = (
    "Рассылка №{id} ещё не началась: её время не подошло или бот не запущен. "
    "Итог: python -m bot broadcast status {id}"
)
CLI_RESUMED: Final = "Рассылка №{id}: остальным досылается (её отправит запущенный бот)"
CLI_NOT_HELD: Final = "рассылка №{id} не ждёт решения: она {state}"
# a broadcast's state in the CLI's errors (plain words: «она done» told nobody anything)
CLI_STATES: Final = {
    "scheduled": "ещё не начиналась",
    "sending": "уже отправляется",
    "done": "уже отправлена",
    "cancelled": "отменена",
    "missed": "пропущена (бот был выключен в её время)",
    "held": "прервана и ждёт решения («broadcast resume» или «broadcast cancel»)",
}
CLI_NOTICES: Final = (
    "Уведомления записанным (рассылки {ids}) отправит запущенный бот; итог каждой: "
    "python -m bot broadcast status N, он же — в журнале бота."
)
