"""The compose form of «Рассылки»: what the staff member typed → the broadcasts service's
Content, Target and time, and the text as a recipient will see it.

Validation of the text is the bot's own (Content.problems: the Telegram HTML check and the
length limit); this module only adds what a web form can get wrong (no audience, a bad tag,
a time that does not exist). The preview re-emits only the tags Telegram renders, with every
text node escaped, so a `<script>` in a broadcast stays text on the page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.core.dates import MAX_YEARS_AHEAD
from broadcasts.audience import ALL_AUDIENCES
from broadcasts.content import Content, Kind
from broadcasts.service import Target, time_problems
from storage.repositories.chats import clean_tag

AT_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">
BAD_YEAR = "Проверьте год: {year}."
# The form's own cap on what it reads, well above any text Telegram takes: its 4096 count what
# the reader sees, and links and formatting add as much again in tags (Content.problems says
# whether it fits). At 5000 a 4000-character announcement with a few links lost its end.
TEXT_MAX = 20_000
SHOWN = {  # Telegram tag → what the browser shows for it
    "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u", "s": "s",
    "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-spoiler": "mark", "span": "mark", "a": "a",
}  # fmt: skip


@dataclass(frozen=True)
class Attachment:
    """A file stored for this draft (storage.models.StoredFile), shown and sent with it."""

    id: int
    kind: str  # "photo" | "document"
    name: str
    size: int

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} МБ".replace(".", ",")
        return f"{max(1, round(self.size / 1024))} КБ"


@dataclass
class Draft:
    text: str = ""
    audiences: list[str] = field(default_factory=list)
    tags: str = ""
    include_private: bool = True
    ack: bool = False
    when: str = "now"  # "now" | "at"
    at: str = ""  # as typed, AT_FORMAT in TIMEZONE
    weekly: bool = False  # only with a time: every week at that time (the bot's «Повтор»)
    file_ref: int | None = None  # a file stored by an earlier preview (hidden field)
    attachment: Attachment | None = None  # set by the page once the file is found or stored

    @classmethod
    def from_form(cls, form: dict[str, list[str]]) -> Draft:
        def one(name: str) -> str:
            return (form.get(name) or [""])[0]

        return cls(
            text=one("text").replace("\r\n", "\n").strip()[:TEXT_MAX],
            audiences=[a for a in form.get("audience", []) if a in ALL_AUDIENCES],
            tags=one("tags").strip()[:300],
            include_private=one("private") == "1",
            ack=one("ack") == "1",
            when="at" if one("when") == "at" else "now",
            at=one("at").strip()[:20],
            weekly=one("weekly") == "1" and one("when") == "at",
            file_ref=_file_ref(one("file_ref")) if not one("drop_file") else None,
        )

    def repeat(self) -> str:
        return "weekly" if self.weekly else ""

    def content(self) -> Content:
        file = self.attachment
        if file is None:
            return Content("text", self.text, ack=self.ack)
        kind: Kind = "photo" if file.kind == "photo" else "document"
        return Content(kind, self.text, ack=self.ack, stored_file=file.id, file_name=file.name)

    def tag_list(self) -> tuple[list[str], list[str]]:
        """(clean tags, rejected words)."""
        words = [w for w in re.split(r"[\s,;]+", self.tags) if w]
        cleaned = [(w, clean_tag(w)) for w in words]
        good = sorted({tag for _, tag in cleaned if tag})
        return good, [w for w, tag in cleaned if tag is None]

    def target(self) -> Target:
        """Tags narrow to tagged groups; private subscribers carry no tags (as in the bot)."""
        tags, _ = self.tag_list()
        return Target(tuple(self.audiences), tuple(tags), self.include_private and not tags)

    def moment(self, tz: ZoneInfo) -> datetime | None:
        """The chosen time as aware UTC (None: now); ValueError for a time that does not
        exist in TIMEZONE or is not a date at all."""
        if self.when != "at":
            return None
        wall = datetime.strptime(self.at, AT_FORMAT)
        try:
            moment = wall.replace(tzinfo=tz).astimezone(UTC)
            back = moment.astimezone(tz).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 at the edge of what datetime holds
            raise ValueError("out of range") from None
        if back != wall:
            raise ValueError("skipped by a clock change")
        return moment

    def errors(self, tz: ZoneInfo, now: datetime | None = None) -> dict[str, list[str]]:
        """What the form itself got wrong, by field; the service checks the rest on create.
        With `now`, a time already past and a year further than the event form allows are
        refused too."""
        found: dict[str, list[str]] = {"text": list(self.content().problems())}
        if not self.audiences:
            found["audience"] = ["Выберите хотя бы одну аудиторию."]
        _, bad = self.tag_list()
        found["tags"] = [f"«{w}» не может быть тегом: буквы, цифры, «-», «_», «.»." for w in bad]
        try:
            moment = self.moment(tz)
        except ValueError:
            found["at"] = ["Укажите дату и время отправки (ДД.ММ.ГГГГ ЧЧ:ММ)."]
        else:  # past: said at the preview, which would otherwise promise «отправка» then
            if moment is not None and now is not None:
                found["at"] = time_problems(moment, now)
        if self.when == "at" and _far(self.at, now):
            found["at"] = [BAD_YEAR.format(year=int(self.at[:4]))]
        return {name: texts for name, texts in found.items() if texts}

    def problems(self, tz: ZoneInfo) -> list[str]:
        return [text for texts in self.errors(tz).values() for text in texts]


def _far(at: str, now: datetime | None) -> bool:
    """A year typed with a slip (1, 9999): as far as the event form's «Проверьте год»."""
    year = int(at[:4]) if re.fullmatch(r"[0-9]{4}-.*", at) else None
    return now is not None and year is not None and abs(year - now.year) > MAX_YEARS_AHEAD


def _file_ref(raw: str) -> int | None:
    """A stored file's id from the hidden field; anything else is no file."""
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


class _Preview(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = SHOWN.get(tag)
        if shown is None:
            return
        if shown == "a":
            href = dict(attrs).get("href") or ""
            safe = href if href.startswith(("https://", "http://", "tg://")) else "#"
            self.out.append(f'<a href="{html.escape(safe)}" rel="noopener noreferrer">')
        else:
            self.out.append(f"<{shown}>")
        self.open.append(shown)

    def handle_endtag(self, tag: str) -> None:
        shown = SHOWN.get(tag)
        if shown is not None and shown in self.open:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == shown:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data))


def preview(text: str) -> Markup:
    """Telegram HTML as the browser should show it: known tags kept, everything else text."""
    parser = _Preview()
    parser.feed(text)
    parser.close()
    tail = "".join(f"</{tag}>" for tag in reversed(parser.open))
    return Markup("".join(parser.out) + tail)
