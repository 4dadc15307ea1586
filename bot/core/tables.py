"""Text of a table file as staff save it: Excel's «CSV UTF-8», its plain «CSV» (Windows-1251 in
a Russian Windows), its «Unicode text» (UTF-16, tabs); separated by «;», «,» or a tab.

UTF-8 is tried first because a cp1251 reading never fails (almost every byte is a letter
there), while Russian text in cp1251 is practically never valid UTF-8: the order makes the
guess safe. Both importers (events, chats) and `orgs import` read files through here.
"""

from __future__ import annotations

import codecs
import csv
import io

DELIMITERS = (";", ",", "\t")
# what to do when nothing fits: the words of Excel's own «Save as» dialog
SAVE_AS = "в Excel: «Файл → Сохранить как → CSV UTF-8 (разделитель — запятая)»"


EMPTY = "файл пуст — проверьте, тот ли это файл и сохранён ли он"


class UnreadableText(ValueError):
    """Neither UTF-8 (with or without BOM), UTF-16 with BOM nor Windows-1251."""


def decode_table(data: bytes) -> str:
    """The file's text; UTF-8 first, Windows-1251 only when the bytes are not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableText(_unreadable("UTF-16")) from None
    if b"\x00" in data:  # a workbook, a PDF, a picture: cp1251 would «read» it as letters
        raise UnreadableText(
            "это не текстовый файл (книга Excel .xlsx, PDF или картинка?) — нужен текст: "
            + SAVE_AS
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:  # 0x98, the one byte cp1251 leaves undefined
        raise UnreadableText(_unreadable("UTF-8 или Windows-1251")) from None


def is_empty(data: bytes) -> bool:
    """Nothing but a BOM, spaces and line ends: a file saved before it was filled in."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        data = data.removeprefix(bom)
    return not data.replace(b"\x00", b"").strip()


def _unreadable(tried: str) -> str:
    return f"файл не читается как текст {tried}: сохраните его заново — {SAVE_AS}"


def delimiter_of(text: str) -> str:
    """The separator of the header line: the one of «;», «,», tab it holds most of."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)  # ties keep the order: «;» before «,»


def csv_problem(exc: csv.Error, line: int) -> str:
    """The csv module's complaint as a line for a person (a cell over its 128 KiB limit is a
    whole file pasted into one cell, or a quote left open that swallowed the rest)."""
    if "field larger than field limit" in str(exc):
        return (
            f"строка {line}: ячейка длиннее {csv.field_size_limit()} символов — проверьте, "
            'не осталась ли незакрытая кавычка «"»'
        )
    return f"строка {line}: файл не разбирается как таблица CSV — сохраните его заново ({SAVE_AS})"


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Every row with the line it starts on (a quoted cell may span lines), split by the
    header's delimiter; UnreadableText when the csv module cannot read the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableText(csv_problem(exc, line)) from None
    return rows
