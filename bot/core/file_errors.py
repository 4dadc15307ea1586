"""Why a file could not be read or written, in Russian: the C library's «No such file or
directory» means nothing to a МОЦ's IT person reading the CLI's errors."""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "нет такого файла (проверьте имя и папку)",
    errno.EISDIR: "это папка, а нужен файл",
    errno.ENOTDIR: "в пути есть файл вместо папки",
    errno.EEXIST: "в пути есть файл вместо папки",
    errno.EACCES: "нет прав доступа к файлу",
    errno.EPERM: "нет прав доступа к файлу",
    errno.ENOSPC: "на диске нет места",
    errno.EROFS: "диск только для чтения",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
    errno.ECONNREFUSED: "сервер не принимает соединения (не запущен или другой порт)",
}


def why(exc: OSError | UnicodeDecodeError) -> str:
    """The reason to print after «не удалось прочитать FILE: »."""
    if isinstance(exc, UnicodeDecodeError):
        return "файл не в кодировке UTF-8 — сохраните его как UTF-8"
    return REASONS.get(exc.errno or 0, f"ошибка ввода-вывода (код {exc.errno})")


# SQLite's own words for a DATABASE_URL (or `chat --db`) that names the wrong file
SQLITE_REASONS = {
    "unable to open database file": "файл не открывается: это папка, нет каталога или нет прав",
    "file is not a database": "это не файл базы SQLite",
    "attempt to write a readonly database": "нет прав на запись в файл базы",
    "database disk image is malformed": "файл базы повреждён — восстановите его из копии",
}


def database_reason(reason: BaseException | None) -> str:
    """Why the database did not open, in Russian where SQLite or the OS said it."""
    if isinstance(reason, OSError) and reason.errno in REASONS:
        return why(reason)
    text = str(reason or "").strip()
    if text.startswith("no such table: "):  # a new file: `db upgrade` has not made the tables
        return f"в базе нет таблицы {text.removeprefix('no such table: ')}"
    return SQLITE_REASONS.get(text, text or type(reason).__name__)
