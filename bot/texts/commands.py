"""Command menus (private: everyone's and МОЦ staff's; groups) and the bot's profile texts
(Russian)."""

from __future__ import annotations

from typing import Final

# Private chats: everyone's menu, and what МОЦ staff see besides (checked against staff).
BOT_COMMANDS: Final = {
    "start": "Начать / выбрать роль",
    "menu": "Главное меню",
    "ask": "Задать вопрос специалисту",
    "help": "Что умеет бот",
    "events": "Мероприятия для педагогов",
    "my_events": "Мои записи на мероприятия",
    "subscribe": "Подписаться на новости МОЦ",
    "unsubscribe": "Отписаться от новостей",
    "my_data": "Мои данные",
    "move": "Перенести данные в другой мессенджер",
    "cancel": "Отменить текущее действие",
}
ADMIN_COMMANDS: Final = {
    "tickets": "Открытые обращения",
    "chats": "Чаты и аудитории",
    "broadcast": "Новая рассылка",
    "broadcasts": "Рассылки: ход, отмена, перенос",
    "new_event": "Новое мероприятие",
    "report": "Отчёт за учебный год (Excel)",
    "faq_stats": "Статистика вопросов",
    "faq_drafts": "Черновики FAQ",
    "reload_faq": "Перечитать базу ответов",
    "web": "Веб-панель (ссылка для входа)",
    "staff": "Сотрудники МОЦ",
    "invite": "Пригласить сотрудника (владельцы)",
}
# Every member of a group (parents' chats): only what works there, nothing private-only.
GROUP_COMMANDS: Final = {
    "contacts": "Контакты МОЦ",
}
# Group administrators: registering the chat for МОЦ broadcasts (checked against ADMIN_IDS).
GROUP_ADMIN_COMMANDS: Final = {
    "bind": "Получать рассылки МОЦ: /bind parents|directors|teachers|staff",
    "unbind": "Не получать рассылки МОЦ в этом чате",
    "tag": "Метка чата для рассылок: /tag школа5",
    "untag": "Убрать метку чата",
}
# The МОЦ staff group (STAFF_CHAT_ID), where tickets arrive.
STAFF_GROUP_COMMANDS: Final = {
    "tickets": "Открытые обращения",
    "faq_stats": "Статистика вопросов",
    "faq_drafts": "Черновики FAQ",
    "reload_faq": "Перечитать базу ответов",
}

# «What can this bot do?» in an empty chat (at most 512 characters) and the profile line
# (at most 120); BOT_DESCRIPTION / BOT_SHORT_DESCRIPTION replace them.
DESCRIPTION: Final = (
    "Бот «{moc_name}».\n\n"
    "Родителям — ответы о сертификате дополнительного образования и Навигаторе, "
    "вопрос специалисту МОЦ.\n"
    "Педагогам — семинары, мастер-классы, мастерские и запись на них.\n"
    "Руководителям и родительским чатам — новости МОЦ.\n\n"
    "Нажмите «Запустить», чтобы начать."
)
SHORT_DESCRIPTION: Final = "Сертификат, Навигатор, мероприятия для педагогов — {moc_name}"
