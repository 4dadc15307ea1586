"""What a broadcast says, independent of the messenger that delivers it.

Stored as JSON in `broadcasts.content`; the Telegram channel turns it into a message, and a
MAX channel does the same without the ledger or the scheduler knowing.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.core.html_check import html_errors

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10  # files of one album: Telegram's sendMediaGroup takes 2–10
URL_LIMIT = 2048  # a link button's address: MAX refuses a longer one (Telegram is not stricter)
Kind = Literal["text", "photo", "document"]
FileKind = Literal["photo", "document"]


@dataclass(frozen=True)
class LinkButton:
    label: str
    url: str


@dataclass(frozen=True)
class AlbumFile:
    """One file of an album: Telegram's file_id, or a file stored in the database."""

    kind: FileKind
    file_id: str | None = None
    stored_file: int | None = None
    file_name: str | None = None


@dataclass(frozen=True)
class Content:
    kind: Kind
    text: str  # Telegram HTML; the caption for a photo or document
    file_id: str | None = None  # Telegram's, for a file staff sent the bot
    button: LinkButton | None = None
    ack: bool = False  # add «Ознакомлен»
    # or one uploaded in the web panel: storage.models.StoredFile.id and its name
    stored_file: int | None = None
    file_name: str | None = None
    # an album: its files after the first (the first is kind/file_id/stored_file above, so a
    # reader that knows one file still sees the album's first); the caption is `text`
    more: tuple[AlbumFile, ...] = ()

    def files(self) -> list[AlbumFile]:
        """Every file, the album's first included; none for a text."""
        if self.kind == "text":
            return []
        first = AlbumFile(self.kind, self.file_id, self.stored_file, self.file_name)
        return [first, *self.more]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Content:
        data: dict[str, Any] = json.loads(raw)
        button = data.get("button")
        return cls(
            kind=data["kind"],
            text=data.get("text", ""),
            file_id=data.get("file_id"),
            button=LinkButton(**button) if button else None,
            ack=bool(data.get("ack", False)),
            stored_file=data.get("stored_file"),
            file_name=data.get("file_name"),
            more=tuple(AlbumFile(**f) for f in data.get("more") or ()),
        )

    def preview(self, limit: int = 80) -> str:
        """The first `limit` characters a reader sees (tags stripped), for lists and reports."""
        return " ".join(_strip_tags(self.text).split())[:limit]

    def problems(self) -> list[str]:
        """Why Telegram would refuse it, in Russian; caught at compose time, not at send."""
        found: list[str] = []
        limit = TEXT_LIMIT if self.kind == "text" else CAPTION_LIMIT
        if self.kind == "text" and not self.text.strip():
            found.append("Сообщение пустое.")
        if self.kind != "text" and not (self.file_id or self.stored_file):
            found.append("Нет файла или фото.")
        if len(self.files()) > ALBUM_LIMIT:
            found.append(f"В альбоме больше {ALBUM_LIMIT} файлов ({len(self.files())}).")
        if any(not (f.file_id or f.stored_file) for f in self.more):
            found.append("Нет файла в альбоме.")
        visible = len(_strip_tags(self.text))
        if visible > limit:
            what = "Текст" if self.kind == "text" else "Подпись к файлу"
            found.append(f"{what} длиннее {limit} символов ({visible}).")
        found.extend(f"Ошибка разметки: {e}" for e in html_errors(self.text))
        if self.button and not self.button.url.startswith(("https://", "http://", "tg://")):
            found.append("Ссылка кнопки должна начинаться с https://")
        if self.button and len(self.button.url) > URL_LIMIT:
            found.append(f"Ссылка кнопки длиннее {URL_LIMIT} символов ({len(self.button.url)}).")
        if self.button and not 1 <= len(self.button.label) <= 64:
            found.append("Надпись на кнопке — от 1 до 64 символов.")
        return found


def fits_caption(text: str) -> bool:
    """Whether this Telegram HTML can be a file's caption rather than a message of its own."""
    return visible_length(text) <= CAPTION_LIMIT


def visible_length(text: str) -> int:
    """The characters a reader of this Telegram HTML sees (tags gone, entities read)."""
    return len(_strip_tags(text))


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))
