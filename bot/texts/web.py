"""Texts of the staff web panel's sign-in (Russian, Telegram HTML; values escaped by fill)."""

from __future__ import annotations

from typing import Final

WEB_LINK: Final = (
    "🖥 Вход в веб-панель МОЦ:\n{link}\n\n"
    "Ссылка действует 10 минут и открывается один раз. Никому её не пересылайте."
)
WEB_PRIVATE_ONLY: Final = (
    "Ссылку для входа в веб-панель я пришлю в личном чате: напишите мне /web."
)
WEB_NOT_FOUND: Final = "Не найдено: в адресе неверный номер, или запись уже удалена."
# why a sign-in link opened no session (the page in the browser)
WEB_REFUSALS: Final = {
    "forged": "Ссылка повреждена или не от этого бота.",
    "expired": "Ссылка устарела: она действует 10 минут.",
    "used": "Эта ссылка уже использована: каждая открывается один раз.",
    "not_staff": "Веб-панель только для сотрудников МОЦ.",
}
# a form whose file is larger than the panel accepts (aiohttp's limit), before it is read
WEB_TOO_BIG: Final = "Файл слишком большой: вернитесь назад и выберите файл поменьше."
# an address the panel has not, and a failure of the panel itself (plain-text pages)
WEB_NO_PAGE: Final = (
    "Такой страницы в панели нет: адрес неполный или устарел. Откройте раздел из меню панели "
    "(/web/tickets) или попросите у бота новую ссылку командой /web."
)
WEB_FAILED: Final = (
    "В панели что-то сломалось, запрос не выполнен. Вернитесь назад и попробуйте ещё раз; если "
    "повторится — сообщите администратору бота."
)
# «Выйти» pressed in a tab opened before the latest sign-in (its form is another session's):
# asked once more with this session's form, rather than refused as a stale form
WEB_LOGOUT_HEADING: Final = "Выйти из панели?"
WEB_LOGOUT_QUESTION: Final = (
    "Эта вкладка открыта до вашего последнего входа в панель. Нажмите «Выйти» ещё раз, чтобы "
    "закончить вход в этом браузере."
)
WEB_LOGOUT_BUTTON: Final = "Выйти"
WEB_LOGOUT_STAY: Final = "Остаться в панели"
# the page around such a text when a browser opens it: a heading by status, a way back in
WEB_ERROR_HEADINGS: Final = {403: "Нет доступа", 404: "Не найдено", 500: "Сбой панели"}
WEB_ERROR_HEADING: Final = "Запрос не выполнен"
WEB_ERROR_HOME: Final = "Открыть раздел «Обращения»"
WEB_ERROR_SIGNIN: Final = "Как войти в панель"
WEB_STALE_FORM: Final = (
    "Эта страница открыта до вашего нового входа в панель, и её форма больше не принимается: "
    "ничего не сохранено и ничего не отправлено. Скопируйте набранное ниже, откройте страницу "
    "заново из меню панели и вставьте его."
)
WEB_SIGNED_OUT_FORM: Final = (
    "Вход в панель закончился (сессия действует 12 часов; или в другой вкладке нажали "
    "«Выйти»), поэтому ничего не сохранено и ничего не отправлено. Скопируйте набранное ниже. "
    "Войдите через /web в боте, откройте страницу заново и вставьте его."
)
# the stale form page names each box it gives back as the form did
WEB_FIELD_LABELS: Final = {
    "text": "Текст", "title": "Название", "description": "Описание",
    "starts": "Дата и время начала", "duration": "Длительность, минут",
    "place": "Место (адрес) или ссылка", "capacity": "Число мест",
    "deadline": "Окончание записи", "tags": "Теги", "tag": "Теги", "at": "Дата и время отправки",
    "answer": "Ответ", "questions": "Примеры вопросов", "links": "Кнопки-ссылки",
    "related": "Связанные статьи", "first": "С", "last": "По", "q": "Поиск",
    "try": "Вопрос",
}  # fmt: skip
# the knowledge base's editor calls its `title` «Заголовок» (an event's form: «Название»)
WEB_KB_FIELD_LABELS: Final = {**WEB_FIELD_LABELS, "title": "Заголовок"}
# a ticket's answer in the panel sent back to its author, the typed text kept in the form
WEB_ANSWER_TOO_LONG: Final = (
    "Ответ слишком длинный: не больше 12 000 знаков. Ничего не отправлено — сократите текст "
    "ниже или разделите его на два ответа."
)
WEB_ANSWERED_MEANWHILE: Final = (
    "Пока страница была открыта, на обращение уже ответили — ответ выше. Ваш ответ не "
    "отправлен: если он всё ещё нужен, нажмите «Отправить ответ» ещё раз."
)
