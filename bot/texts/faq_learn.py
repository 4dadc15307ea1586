"""Texts of staff teaching the FAQ from the chat, and of screenshots sent by parents
(Russian, Telegram HTML). Values are escaped at the call site (bot.core.markup.fill / q)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BTN_TO_KB: Final = "➕ В базу"
BTN_TO_KB_N: Final = "➕ {n}"
BTN_OTHER_ENTRY: Final = "🔎 Другая статья…"
BTN_NEW_ENTRY: Final = "✏️ Новая статья"
BTN_CANDIDATE: Final = "→ {title}"

PICK: Final = (
    "➕ <b>В базу ответов</b>\nВопрос: «{question}»\n\n"
    "К какой статье добавить его как ещё одну формулировку? Тогда следующий, кто спросит так же, "
    "сразу получит ответ этой статьи. Или создайте новую статью."
)
PICK_LETTER: Final = (
    "➕ <b>В базу ответов</b>\nВопрос: «{question}»\n\n"
    "Это письмо, а не формулировка (длиннее 300 символов): добавить его к статье нельзя. "
    "Создайте из него новую статью и впишите короткие формулировки вопроса."
)
STATS_HINT: Final = "\n\n«➕ N» — добавить вопрос N в базу ответов."
BTN_DRAFT_TO_KB: Final = "➕ №{id}"
DRAFTS_HINT: Final = (
    "\n\n«➕ №N» — в базу ответов: добавить вопрос черновика к статье или сделать из него "
    "новую статью (ответ можно скопировать из черновика)."
)
NO_WORDS: Final = "В обращении только вложение, без вопроса словами: добавлять в базу нечего."
NO_WORDS_TEXT: Final = (
    "В вопросе нет слов (только эмодзи, знаки или номер): добавлять в базу нечего."
)
SOURCE_GONE: Final = "Вопрос не найден (возможно, пользователь удалил свои данные)."
ATTACHED: Final = (
    "✅ Вопрос «{question}» добавлен к статье «{title}» ({entry}). База ответов обновлена "
    "(версия {version}) — следующий, кто так спросит, получит этот ответ. Добавил(а): {staff}."
)
ATTACHED_NOT_YET: Final = (  # saved, but the matcher still decides otherwise on these words
    "✅ Вопрос «{question}» добавлен к статье «{title}» ({entry}), база ответов обновлена "
    "(версия {version}). Добавил(а): {staff}.\n\n⚠️ Но на этот вопрос бот пока {instead}. "
    "Добавьте к статье ещё формулировок; что ответит бот, покажет веб-панель: «База знаний» → "
    "«Проверить вопрос»."
)
INSTEAD: Final = {  # what the bot does with the question instead of answering with the entry
    "answer": "ответит другой статьёй — «{other}»",
    "suggest": "предложит статьи на выбор",
    "offtopic": "ответит, что это вопрос не по теме МОЦ",
    "smalltalk": "ответит как на приветствие или благодарность",
    "unknown": "не поймёт и предложит спросить специалиста",
}
CREATED: Final = (
    "✅ Новая статья «{title}» ({entry}) сохранена, база ответов обновлена (версия {version}). "
    "Создал(а): {staff}."
)
BTN_UNDO: Final = "↩️ Отменить"
UNDONE: Final = "↩️ Вопрос «{question}» убран из базы ответов ({staff}). База обновлена."
UNDO_GONE: Final = "Этот вопрос уже убран из базы."
UNDO_IN_PANEL: Final = (  # a callback alert: at most 200 characters
    "Статью с тех пор сохранили в веб-панели, и её вопросы теперь правят там: откройте её "
    "в «База знаний» и уберите вопрос, если он ещё есть."
)
WARNINGS: Final = "\n\nЗамечания проверки:\n{items}"
CUT_PHONE: Final = "номер телефона из вопроса в базу не попал — он убран из формулировки"
CUT_EMAIL: Final = "адрес почты из вопроса в базу не попал — он убран из формулировки"
CUT_NAME: Final = "имя из вопроса в базу не попало — оно убрано из формулировки"
REFUSED: Final = "⚠️ {reason}"
SMALLTALK_TAKEN: Final = (
    "Такую фразу бот уже понимает сам (приветствие, благодарность или вопрос не по теме МОЦ) — "
    "к статье она не добавлена."
)

FIND_PROMPT: Final = (
    "Пришлите ответом на это сообщение id статьи (например <code>certificate.get</code>) или "
    "пару слов из её заголовка. /cancel — отменить."
)
FIND_RESULTS: Final = "Нашлись статьи — выберите, к какой добавить вопрос «{question}»:"
FIND_NOTHING: Final = "Не нашёл такой статьи. Пришлите другие слова или id (/cancel — отменить)."

NEW_TITLE: Final = (
    "✏️ <b>Новая статья</b> из вопроса «{question}».\n\n"
    "Шаг 1 из 4. Пришлите ответом заголовок статьи — коротко, как вопрос "
    "(например: <i>Можно ли оплатить сертификатом кружок у ИП?</i>). /cancel — отменить."
)
NEW_WORDINGS: Final = (
    "Шаг 2 из 4. Как ещё спрашивают об этом? Пришлите ответом хотя бы одну формулировку, "
    "каждую с новой строки: чем их больше, тем чаще бот узнаёт вопрос."
)
NEW_ANSWER: Final = (
    "Шаг 3 из 4. Пришлите ответом текст ответа. Можно выделять жирным и курсивом, ставить "
    "ссылки и подстановки из настроек: {{moc_phone}}, {{moc_site}}, {{navigator_url}}…"
)
NEW_ANSWER_BROKEN: Final = (
    "⚠️ Такой ответ бот сохранить не сможет:\n{reasons}\n\n"
    "Пришлите исправленный текст ответом на это сообщение (или /cancel)."
)
NEW_CATEGORY: Final = "Шаг 4 из 4. В какой раздел поместить статью?"
NEW_FROM_DRAFT: Final = (
    "Шаг 3 из 4. Ответ уже есть в черновике №{id} — возьму его:\n\n{answer}\n\n"
    "Поправить его — «✏️ Исправить ответ».\n\nШаг 4 из 4. В какой раздел поместить статью?"
)
NEW_REPROMPT: Final = "Пришлите, пожалуйста, текстом — ответом на моё сообщение (или /cancel)."
# «/hepl» at step 1: a command the bot does not have (its commands run, even mid-dialog)
NEW_TITLE_COMMAND: Final = (
    "Такой команды нет. Напишите заголовок статьи словами (или /cancel — отменить статью)."
)
NEW_TOO_LONG: Final = (
    "Слишком длинно ({length} символов, можно до {limit}). Сократите, пожалуйста."
)
NEW_TOO_LONG_REST: Final = (  # the next part of a text the messenger split
    "Это продолжение того же длинного текста (мессенджер разбил его на части) — его я тоже не "
    "взял. Сократите текст и пришлите его заново одним сообщением."
)
NEW_KEPT: Final = (
    "Статья не сохранена, но всё, что вы написали, я запомнил. Исправьте только то, на что "
    "указала проверка, — остальное вводить заново не нужно. Или выберите раздел ещё раз "
    "(/cancel — отменить статью)."
)
BTN_FIX: Final = {
    "title": "✏️ Исправить заголовок",
    "wordings": "✏️ Исправить формулировки",
    "answer": "✏️ Исправить ответ",
}
FIX_TITLE: Final = "Пришлите ответом новый заголовок статьи. Сейчас: «{title}»."
FIX_WORDINGS: Final = (
    "Пришлите ответом формулировки заново, каждую с новой строки. Сейчас:\n{wordings}"
)
FIX_ANSWER: Final = "Пришлите ответом исправленный текст ответа."
NEW_FIXED: Final = "Исправлено, остальное сохранено как было. В какой раздел поместить статью?"
NEW_STALE: Final = "Этот черновик статьи уже не действует — начните заново с «➕ В базу»."
NEW_DROPPED: Final = "Новая статья отменена, ничего не сохранено."
NEW_PRESS_SECTION: Final = "Выберите раздел статьи кнопкой (или «Отмена»)."


@dataclass(frozen=True)
class NewEntryTexts:
    """The «✏️ Новая статья» prompts that differ by messenger: Telegram asks for replies
    (ForceReply: a group with privacy mode shows the bot only those) and keeps formatting;
    MAX takes the next message as it is, as plain text."""

    title: str
    wordings: str
    answer: str
    reprompt: str
    broken: str
    fix_title: str
    fix_wordings: str
    fix_answer: str


TELEGRAM_NEW: Final = NewEntryTexts(
    NEW_TITLE, NEW_WORDINGS, NEW_ANSWER, NEW_REPROMPT, NEW_ANSWER_BROKEN, FIX_TITLE,
    FIX_WORDINGS, FIX_ANSWER,
)  # fmt: skip
MAX_NEW: Final = NewEntryTexts(
    title=(
        "✏️ <b>Новая статья</b> из вопроса «{question}».\n\n"
        "Шаг 1 из 4. Напишите заголовок статьи — коротко, как вопрос "
        "(например: <i>Можно ли оплатить сертификатом кружок у ИП?</i>). "
        "«Отмена» или /cancel — отменить."
    ),
    wordings=(
        "Шаг 2 из 4. Как ещё спрашивают об этом? Напишите хотя бы одну формулировку, каждую "
        "с новой строки: чем их больше, тем чаще бот узнаёт вопрос."
    ),
    answer=(
        "Шаг 3 из 4. Напишите текст ответа родителям (простым текстом). Можно вставлять "
        "подстановки из настроек: {{moc_phone}}, {{moc_site}}, {{navigator_url}}…"
    ),
    reprompt="Напишите, пожалуйста, текстом (или «Отмена»).",
    broken=(
        "⚠️ Такой ответ бот сохранить не сможет:\n{reasons}\n\n"
        "Напишите исправленный текст ответа (или «Отмена»)."
    ),
    fix_title="Напишите новый заголовок статьи. Сейчас: «{title}».",
    fix_wordings="Напишите формулировки заново, каждую с новой строки. Сейчас:\n{wordings}",
    fix_answer="Напишите исправленный текст ответа.",
)

SHOT_UNKNOWN: Final = (
    "Я не нашёл ответа по подписи к изображению. Могу отправить изображение вместе с вопросом "
    "специалисту МОЦ — ответ придёт сюда же."
)
SHOT_NO_CAPTION: Final = (
    "Получил изображение. Напишите вопрос в подписи к нему — я поищу ответ сам, "
    "или отправьте специалисту МОЦ как есть."
)
SHOT_QUESTION: Final = "📎 Изображение без подписи"
FILE_UNKNOWN: Final = (  # a document (a PDF, a scan sent as a file): not called a picture
    "Я не нашёл ответа по подписи к файлу. Могу отправить файл вместе с вопросом "
    "специалисту МОЦ — ответ придёт сюда же."
)
FILE_NO_CAPTION: Final = (
    "Получил файл. Напишите вопрос в подписи к нему — я поищу ответ сам, "
    "или отправьте файл специалисту МОЦ как есть."
)
FILE_QUESTION: Final = "📎 Файл без подписи"
# the parent's picture or file could not be fetched to pass on (too big, or gone)
SHOT_NOT_PASSED: Final = (
    "⚠️ Не удалось передать специалисту {what}: размер больше 20 МБ, или мессенджер не отдал "
    "его боту. Пришлите поменьше (например, скриншот) или опишите словами."
)
SHOT_WHAT_PICTURE: Final = "изображение"
SHOT_WHAT_VOICE: Final = "голосовое сообщение"
SHOT_WHAT_FILE: Final = "файл «{name}»"
BTN_SEND_SHOT: Final = "📎 Отправить специалисту"
STAFF_SHOT: Final = "📎 <b>Обращение №{id}</b>: вложение от {name}"
STAFF_SHOT_CAPTION: Final = "\n\n{caption}"
# staff of the other messenger, whose copy needs the bot's download, which failed
STAFF_SHOT_MISSED: Final = (
    "📎 <b>Обращение №{id}</b>: {name} прислал(а) {what}, но сюда его передать не удалось "
    "(больше 20 МБ, или мессенджер не отдал его боту)."
)
STAFF_SHOT_MISSED_SEEN: Final = " Его видно у сотрудников в {channel}."
STAFF_SHOT_MISSED_TOLD: Final = " Отправителю сказано прислать поменьше или описать словами."
# a staff chat's copy of a person's picture or file that Telegram no longer lets the bot
# delete (after 48 hours; /forget_me): it is replaced by a blank one with this caption
BLANKED: Final = "🗑 Удалено."
