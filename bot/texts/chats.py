"""Texts of the chat registry and of private subscriptions (Russian, Telegram HTML).

Values are escaped at the call site (bot.core.markup.fill / q); templates here stay readable.
"""

from __future__ import annotations

from typing import Final

from bot.texts import BTN_SUBSCRIBE as BTN_SUBSCRIBE

AUDIENCE_TITLES: Final = {
    "parents": "Родители",
    "directors": "Руководители",
    "teachers": "Педагоги",
    "staff": "Сотрудники МОЦ",
}
# "chat" is a MAX group (MAX calls groups chats); a chat's messenger is told apart by its id
KIND_TITLES: Final = {
    "group": "группа", "supergroup": "супергруппа", "channel": "канал", "chat": "группа",
}  # fmt: skip
# «добавили в …»: the accusative case
KIND_INTO: Final = {
    "group": "группу", "supergroup": "супергруппу", "channel": "канал", "chat": "группу",
}  # fmt: skip
# «удалили из …»: the genitive case
KIND_FROM: Final = {
    "group": "группы", "supergroup": "супергруппы", "channel": "канала", "chat": "группы",
}  # fmt: skip
CHANNEL_TITLES: Final = {"tg": "Telegram", "max": "MAX"}

BTN_BOUND: Final = "✅ {title}"

# --- the bot was added to a chat (told to every admin privately) ---
ADDED: Final = (
    "➕ Бота добавили в {kind} <code>{title}</code> (id <code>{chat_id}</code>).\n"
    "Добавил(а): <code>{who}</code>.\n\n"
)
# what follows ADDED/ADDED_MAX: a new chat is asked for its audience (then how to bind from
# inside); a bound chat the bot was removed from and added back kept its audiences
ADDED_PICK: Final = (
    "Сейчас чат получает рассылки для: {audiences}.\n"
    "Выберите аудиторию кнопкой (повторное нажатие убирает её)"
)
ADDED_BOUND: Final = (
    "Чат уже привязан и снова получает рассылки для: {audiences}. Изменить аудиторию можно "
    "кнопкой (повторное нажатие убирает её)."
)
ADDED_HELD: Final = (
    "\n\nЕщё чатов, куда бота добавили не сотрудники после прошлого такого сообщения: "
    "{count} (о них отдельно не пишу; список — /chats)."
)
# how ADDED / ADDED_MAX end: a group can also be bound from inside; a channel has no one to
# type a command there (its posts come from the channel itself)
BIND_FROM_INSIDE: Final = " или напишите в самом чате <code>/bind parents</code>."
# Telegram: a group with another bot gets a bare /bind delivered to that bot (privacy mode
# hands a general command only to the last bot that spoke there); /bind@name always reaches
BIND_FROM_INSIDE_TG: Final = " или напишите в самом чате <code>/bind@{bot} parents</code>."
BIND_BY_BUTTON: Final = "."
# Callback answers are plain text (no HTML), at most 200 characters.
BOUND_TOAST: Final = "Чат «{title}»: {audiences}."
CHAT_GONE: Final = "Этого чата больше нет в реестре."
CHAT_INACTIVE: Final = "Бот больше не состоит в этом чате."

# --- the bot was added to a MAX group (told to every MAX admin privately) ---
ADDED_MAX: Final = (
    "➕ Бота добавили в {kind} MAX <code>{title}</code> (id <code>{chat_id}</code>).\n"
    "Добавил(а): <code>{who}</code>.\n\n"
)
# --- the bot was removed from a chat that received broadcasts (told to every admin) ---
REMOVED: Final = (
    "➖ Бота удалили из {kind} <code>{title}</code> (id <code>{chat_id}</code>).\n"
    "Рассылки для: {audiences} — туда больше не приходят. Чтобы вернуть, добавьте бота "
    "в группу снова: аудитории и метки сохранятся."
)
# --- a group admin took away the bot's right to write in a chat that receives broadcasts ---
MUTED: Final = (
    "🔇 В {kind} <code>{title}</code> (id <code>{chat_id}</code>) боту запретили писать.\n"
    "Рассылки для: {audiences} — туда не дойдут, пока администратор группы не вернёт боту "
    "право отправлять сообщения (в канале — права администратора с публикацией). "
    "Аудитории и метки сохранены."
)
UNMUTED: Final = (
    "🔊 В {kind} <code>{title}</code> (id <code>{chat_id}</code>) боту снова разрешили "
    "писать: рассылки для: {audiences} — приходят туда, как раньше."
)
# «в …»: the prepositional case
KIND_IN: Final = {
    "group": "группе", "supergroup": "супергруппе", "channel": "канале", "chat": "группе",
}  # fmt: skip
# --- a broadcast found a group gone that staff had not heard of (told once, as REMOVED) ---
GONE: Final = (
    "⚠️ Рассылка №{broadcast} не дошла до {kind} <code>{title}</code> "
    "(id <code>{chat_id}</code>): бота там больше нет — его удалили или чат удалён.\n"
    "Рассылки для: {audiences} — туда больше не приходят. Чтобы вернуть, добавьте бота "
    "в группу снова: аудитории и метки сохранятся. Если чата больше нет, добавьте бота в новую "
    "группу и привяжите её — кнопками в моём сообщении о добавлении или командой "
    "<code>/bind</code> в самой группе. Список таких чатов — /chats."
)

# --- /bind, /unbind, /tag, /untag in a group ---
ANONYMOUS_ADMIN: Final = (
    "Вы пишете анонимно, от имени группы, — я не вижу, кто вы, и не могу проверить, что вы "
    "сотрудник МОЦ. Отключите анонимность в своих правах администратора группы или выберите "
    "аудиторию кнопками в моём личном сообщении сотрудникам о добавлении в группу "
    "(список — /chats)."
)
# /bind, /unbind, /tag, /untag typed in a group by someone who is not МОЦ staff: the group
# admins' menu offers them, so the class teacher who made the chat is told who decides
BIND_STAFF_ONLY: Final = (
    "Какие рассылки МОЦ приходят в этот чат, выбирают сотрудники МОЦ. Если они нужны здесь, "
    "напишите в МОЦ — контакты: /contacts"
)
BIND_PICK: Final = (
    "Для кого этот чат? Выберите аудиторию — сюда будут приходить рассылки МОЦ для неё.\n"
    "Команда с меткой: <code>/bind parents school5</code>"
)
BIND_USAGE: Final = (
    "Не знаю аудитории «{given}». Возможные: <code>parents</code>, <code>directors</code>, "
    "<code>teachers</code>, <code>staff</code>."
)
BAD_TAGS: Final = (
    "Метки пишутся одним словом: буквы, цифры, «_», «-», «.», до 64 символов. "
    "Не подошли: {tags}. Ничего не изменено."
)
TAG_USAGE: Final = "Укажите метку: <code>/{command} school5</code>"
CHAT_STATE: Final = "Чат «{title}» получает рассылки для: {audiences}.\nМетки: {tags}."
NOTHING: Final = "нет"
NOT_REGISTERED: Final = "Этот чат ещё не в реестре рассылок. Добавьте его: /bind"

# --- /chats for admins ---
CHATS_TITLE: Final = "<b>Чаты для рассылок</b>"
CHATS_COUNTS_LINE: Final = "{audience}: чатов {chats}, подписчиков в личке {subscribers}"
CHATS_ACTIVE: Final = "<b>Активные чаты</b> ({count}):"
CHATS_LINE: Final = (
    "• <code>{title}</code> — {channel}, {kind}, <code>{chat_id}</code>\n   {audiences}{tags}"
)
CHATS_NO_AUDIENCE: Final = "⚠️ без аудитории — рассылки не приходят"
CHATS_NONE: Final = "Бот пока не добавлен ни в один чат. Добавьте его в группу — я сообщу."
CHATS_INACTIVE: Final = (
    "Неактивных: {total} (бота удалили — {removed}, группа стала супергруппой — {migrated})."
)
# the chats the bot was removed from (or that are gone), newest loss first: what to re-add
CHATS_REMOVED: Final = (
    "<b>Чаты, где бота больше нет</b> — рассылки туда не приходят. Добавьте бота в группу "
    "снова (аудитории и метки сохранятся) или в новую группу и привяжите её:"
)
CHATS_REMOVED_LINE: Final = (
    "• <code>{title}</code> — {channel}, {kind}, <code>{chat_id}</code>{was}"
)
CHATS_REMOVED_WAS: Final = "\n   аудитории: {audiences}"
CHATS_REMOVED_MORE: Final = "…и ещё {count} — все в веб-панели (/web) → «Чаты»."

# --- private subscriptions ---
SUBSCRIBE_NEED_ROLE: Final = "Сначала выберите, кто вы, — /start. Новости приходят по роли."
# /subscribe before a role was chosen: the role buttons come with it (MAX says the same)
SUBSCRIBE_PICK_ROLE: Final = (
    "Сначала выберите, кто вы, — кнопкой ниже, затем снова /subscribe. Новости приходят по роли."
)
SUBSCRIBED: Final = (
    "🔔 Вы подписаны на новости МОЦ для аудитории «{audience}». "
    "Отписаться — /unsubscribe или кнопкой «Отписаться» под любой рассылкой."
)
ALREADY_SUBSCRIBED: Final = "Вы уже подписаны на новости для аудитории «{audience}»."
UNSUBSCRIBED: Final = (
    "🔕 Вы отписались от новостей МОЦ: {audiences}. Подписаться снова — /subscribe"
)
NOT_SUBSCRIBED: Final = "Вы не подписаны на новости. Подписаться — /subscribe"
UNSUB_TOAST: Final = "Вы отписались от новостей для аудитории «{audience}»."
UNSUB_ALREADY: Final = "Вы уже отписаны."
BTN_RESUB: Final = "🔔 Подписаться снова: {audience}"
RESUB_TOAST: Final = "Подписка возвращена."
# added to «Готово, вы — …» when /role moved the news subscribed for the old role
NEWS_FOLLOW_ROLE: Final = (
    "\n\n🔔 Новости МОЦ теперь приходят вам для аудитории «{audience}» (вместо «{was}»). "
    "Отписаться — /unsubscribe"
)
# added to the confirmation when registering for an event made a subscribed parent a teacher
NEWS_KEPT_ON_REGISTERING: Final = (
    "\n\n🔔 Новости для родителей приходят вам, как и раньше (ваши подписки: {audiences}). "
    "Отписаться — /unsubscribe"
)
NEWS_TEACHERS_OFFER: Final = "\nАнонсы мероприятий для педагогов — /subscribe"
# a person subscribed to more than one audience: a broadcast for everyone still reaches them
UNSUB_KEPT: Final = "\nОстаются подписки: {audiences}. Отписаться от всех — /unsubscribe"
UNSUB_ALREADY_KEPT: Final = (
    "Вы уже отписаны от новостей для аудитории «{audience}». Остаются подписки: {audiences}. "
    "Отписаться от всех — /unsubscribe"
)

# «Отписаться», «не присылайте новости» typed in a private chat: what comes, and a button each
UNSUB_CHOOSE: Final = (
    "🔔 Вам приходят новости МОЦ: {audiences}.\n"
    "Отписаться — кнопкой ниже; от всех сразу — /unsubscribe"
)
BTN_UNSUB_ONE: Final = "🔕 Отписаться: {audience}"
NOT_SUBSCRIBED_TYPED: Final = (
    "Вы не подписаны на новости МОЦ: лично вам бот рассылок не присылает (подписаться — "
    "/subscribe). Объявления в группе (чате родителей) получают все её участники.\n"
    "Если вы о кружке или заявке в Навигаторе — напишите вопрос словами, например «как "
    "отчислиться из кружка»."
)
# --- a staff command typed in a group that is not the staff group (everyone there reads it) ---
STAFF_COMMAND_ELSEWHERE: Final = (
    "Здесь эту команду не выполню: ответ увидят все участники группы. "
    "Напишите мне /{command} в личном чате или в группе сотрудников."
)

# --- someone in a parents' or directors' group addresses the bot (/start, /help, @bot) ---
IN_GROUP: Final = (
    "Я бот МОЦ. В эту группу я присылаю объявления центра.\n"
    "На вопросы о сертификате и Навигаторе отвечаю в личном чате — там ваш вопрос не увидят "
    "другие участники группы. Откройте чат со мной кнопкой ниже и нажмите «Начать»."
)
# /subscribe or /unsubscribe typed in a parents' group (Telegram and MAX)
IN_GROUP_NEWS: Final = (
    "Объявления МОЦ в этой группе получают все её участники — отписаться только от них "
    "нельзя, разве что выйти из группы.\n"
    "Новости лично вам — /subscribe и /unsubscribe в личном чате со мной: кнопка ниже."
)
BTN_OPEN_PRIVATE: Final = "💬 Написать боту лично"
