"""What the bot cannot read or pass on (voice, stickers, edits), said so nobody believes
the bot or the specialist got it (Russian, Telegram HTML)."""

from __future__ import annotations

from typing import Final

NON_TEXT: Final = (
    "Я понимаю только текст, изображения и файлы 🙂 Голосовые, видео, стикеры, геопозицию и "
    "контакты я не читаю. Напишите вопрос словами — например, <i>как получить сертификат</i>."
)
# the same during an open ticket: the parent must not believe the specialist got it
NON_TEXT_TICKET: Final = (
    "⚠️ Это сообщение не добавлено к обращению №{id}: видео, стикеры, геопозицию и контакты "
    "специалисту не передать. Напишите словами, пришлите голосовое, изображение или файл."
)
# a voice message (or an audio file): passed to the specialist during a ticket or after /ask
VOICE_QUESTION: Final = "🎤 Голосовое сообщение"
VOICE_HEARD: Final = "🎤 Голосовое сообщение (расшифровка MAX): {text}"
VOICE_NO_TICKET: Final = (
    "Голосовые сообщения я не распознаю 🙂 Напишите вопрос словами — например, "
    "<i>как получить сертификат</i>. Если удобнее голосом — нажмите /ask и пришлите голосовое "
    "ещё раз: я передам его специалисту МОЦ."
)
# an edited message: the bot answered (and staff got) the text as first sent
EDITED_UNSEEN: Final = (
    "Исправления в уже отправленных сообщениях я не вижу — и специалист МОЦ тоже. "
    "Пришлите, пожалуйста, исправленный текст новым сообщением."
)
