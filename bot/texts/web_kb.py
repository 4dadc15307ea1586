"""The knowledge-base checker's messages as the panel's editor shows them: the checker writes
for people editing YAML («поле answer», «в related»), the page puts each message by its field,
so the YAML names become the fields' Russian names (plain text: the page escapes it)."""

from __future__ import annotations

import re
from typing import Final

MODELS: Final = {"pfdo": "ПФДО", "social": "социальный сертификат"}
# (pattern, replacement) in order; \1 of the first ones is a certificate model or nothing
REWORDED: Final = (
    (re.compile(r"длина поля answer(?: \((\w+)\))?"), "длина ответа{model}"),
    (re.compile(r"поле answer(?: \((\w+)\))?"), "ответ{model}"),
    (re.compile(r"примеров вопросов в questions"), "примеров вопросов"),
    (re.compile(r"в related указана статья"), "в связанных статьях указана статья"),
    (
        re.compile(r"статья ссылается в related сама на себя — уберите её id из related"),
        "статья указана связанной сама с собой — уберите её id из связанных статей",
    ),
)
WITH_MODEL: Final = " (при модели сертификата «{name}»)"


def for_page(message: str) -> str:
    """`message` of bot.services.faq.check with the YAML field names in Russian."""
    for pattern, replacement in REWORDED:

        def put(found: re.Match[str], replacement: str = replacement) -> str:
            model = found.group(1) if found.re.groups else None
            name = MODELS.get(model or "", model or "")
            return replacement.format(model=WITH_MODEL.format(name=name) if name else "")

        message = pattern.sub(put, message)
    return message


# «Проверить вопрос» on the list page: what the bot does with a question (matcher's kinds)
KINDS: Final = {
    "answer": "бот сразу ответит статьёй",
    "suggest": "бот предложит статьи на выбор",
    "smalltalk": "приветствие или благодарность: вежливый ответ без статьи",
    "offtopic": "вопрос не по теме МОЦ: вежливый ответ без статьи",
    "unknown": "бот не поймёт вопрос и предложит спросить специалиста",
}
# … and its short mark before that explanation (the matcher's own words are English)
KIND_MARKS: Final = {
    "answer": "Ответит",
    "suggest": "Предложит статьи",
    "smalltalk": "Вежливость",
    "offtopic": "Не по теме",
    "unknown": "Не поймёт",
}
NO_ENTRY: Final = "Статьи нет в базе знаний."
NO_VERSION: Final = "Такой версии нет."

# the history list: what a version did
ACTIONS: Final = {
    "create": "создана",
    "edit": "изменена",
    "attach": "добавлен вопрос",
    "revert": "возврат версии",
    "reset": "как в файле",
}
# the confirmations after a save, by the `done` of the redirect (never user text in the URL)
NOTICES: Final = {
    "saved": "Сохранено: бот уже отвечает новой версией.",
    "saved_merged": (  # a colleague attached a question in the bot while the editor was open
        "Сохранено: бот уже отвечает новой версией. Пока вы правили, коллега добавил(а) к "
        "статье вопрос в боте — он не потерян: сохранён вместе с вашей правкой (см. «Примеры "
        "вопросов» ниже)."
    ),
    "created": "Статья создана: бот уже отвечает ею.",
    "reverted": "Версия возвращена: бот уже отвечает ею.",
    "removed": (  # a panel-made entry taken out: no file version to go back to
        "Статья удалена: бот больше не отвечает ею. Вернуть её можно кнопкой «Вернуть эту "
        "версию» ниже."
    ),
    "attached": "Вопрос добавлен к статье: следующий такой вопрос получит её ответ.",
    "attached_unsure": (  # one more sample weighs in, it does not decide alone
        "Вопрос добавлен к статье, но бот пока отвечает на него иначе: проверьте его в "
        "«Проверить вопрос» на странице «База знаний» и добавьте статье ещё формулировок."
    ),
}
CUT: Final = (
    " Номер телефона, адрес почты или имя из вопроса в базу не попали: они убраны из формулировки."
)

# the editor's own checks (before the checker), by field
TITLE_EMPTY: Final = "Заголовок не заполнен — так статья называется в списках бота."
TITLE_LONG: Final = "Заголовок длиннее {limit} символов — сократите его."
ANSWER_EMPTY: Final = "Ответ пустой — напишите текст, который получит родитель."
QUESTION_LONG: Final = (
    "вопрос «{start}…» длиннее {limit} символов — это письмо, а не формулировка: впишите "
    "короткий вопрос"
)
LINK_FORMAT: Final = "строка «{line}»: пишите «Название | https://адрес»"
# the checker's messages (bot.services.faq.check) by the field they are about: (how the
# message starts or what it holds, the field)
FIELD_OF: Final = (
    (("поле answer", "длина поля answer"), "answer", "in"),
    (("ссылка",), "links", "start"),
    (("примеров вопросов", "пример вопроса", "вопрос «"), "questions", "start"),
    (("related",), "related", "in"),
    (("раздела",), "category", "in"),
)

# a save refused
ENTRY_GONE: Final = "Статьи «{entry}» нет в базе (её могли удалить)."
PICK_CATEGORY: Final = "Выберите раздел, в котором будет статья."
CHECK_FAILED: Final = "Проверка базы не пройдена, ничего не сохранено: {error}"
SAVED_MEANWHILE: Final = (
    "Пока вы правили, статью сохранил(а) {staff} ({when}). Ваш текст ниже не сохранён: "
    "откройте статью заново и внесите правки ещё раз."
)
PICK_ENTRY: Final = "Выберите статью."
QUERY_GONE: Final = "Вопроса или статьи уже нет в базе — обновите страницу."
NO_PANEL_VERSIONS: Final = "У этой статьи нет версий из панели."

# a version's summary in the history
SUMMARY_NEW: Final = "новая статья"
SUMMARY_FIELDS: Final = {
    "title": "заголовок",
    "answer": "ответ",
    "links": "кнопки-ссылки",
    "related": "связанные статьи",
}
SUMMARY_QUESTIONS: Final = "вопросы +{added} −{removed}"
SUMMARY_SAME: Final = "без изменений"
SUMMARY_TO_FILE: Final = "возврат к версии из файла"
SUMMARY_REMOVED: Final = "статья удалена"
SUMMARY_ATTACHED: Final = "добавлен вопрос «{question}»"
SUMMARY_REVERTED: Final = "возврат к {when}"

# `python -m bot faq staff`: the comment above the YAML it prints
STAFF_YAML_HEADER: Final = (
    "# Добавлено сотрудниками в боте. questions — новые формулировки к статьям из файлов,\n"
    "# entries — новые статьи целиком; перенесите в YAML, дубли из базы бот пропустит.\n"
    "# panel — статьи, сохранённые в веб-панели: они заменяют статью с тем же id из файла,\n"
    "# пока в панели не нажата «Вернуть версию из файла»."
)
