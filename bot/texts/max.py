"""Texts only the MAX adapter says (everything else is shared with Telegram)."""

from __future__ import annotations

from typing import Final

EVENT_NEEDS_PROFILE: Final = (
    "Для записи нужна анкета педагога (ФИО, организация, должность) и согласие на обработку "
    "персональных данных. В MAX анкета пока не заполняется — запишитесь, пожалуйста, через "
    "Telegram-бота МОЦ или по телефону {phone}."
)
ROLE_PROMPT: Final = "Кто вы?"
HELP_MAX: Final = (
    "<b>Что я умею</b>\n"
    "• Отвечаю на вопросы о сертификате и Навигаторе — пишите своими словами.\n"
    "• /faq — частые вопросы по разделам.\n"
    "• /ask — вопрос специалисту МОЦ, ответ придёт сюда же.\n"
    "• /my_data — что бот о вас хранит; /forget_me — удалить эти данные.\n"
    "• /role — сменить роль, /cancel — отменить действие."
)
CANCELLED: Final = "Хорошо, отменил. Напишите вопрос, когда будете готовы."
STAFF_ANSWER_PROMPT: Final = (
    "Напишите ответ на обращение №{id} следующим сообщением — он уйдёт автору. /cancel — отмена."
)
