"""Command menus outside private chats and the bot's profile texts (Russian).

The private menus are bot.texts.BOT_COMMANDS (everyone) and ADMIN_COMMANDS (МОЦ staff).
"""

from __future__ import annotations

from typing import Final

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
