"""A picture or a file a parent sent with (or instead of) a question, named as what it is.

Everything said about it — the offer to send it on, the ticket's question when there is no
caption, what staff read — used to say «изображение», and a PDF called a picture puzzled
parents and staff alike. Adapters tell which it is (a Telegram photo or MAX image: a picture;
a document or MAX file: a file); the words are chosen here once.
"""

from __future__ import annotations

from typing import Final, Literal

from bot.texts import faq_learn as t

Kind = Literal["picture", "file"]
UNTITLED: Final = frozenset({t.SHOT_QUESTION, t.FILE_QUESTION})  # no words to learn from


def untitled(kind: Kind) -> str:
    """The ticket's question when the attachment came without a caption."""
    return t.SHOT_QUESTION if kind == "picture" else t.FILE_QUESTION


def offer(kind: Kind, captioned: bool) -> str:
    """The offer to send it to a specialist: the caption found nothing, or there was none."""
    if kind == "picture":
        return t.SHOT_UNKNOWN if captioned else t.SHOT_NO_CAPTION
    return t.FILE_UNKNOWN if captioned else t.FILE_NO_CAPTION
