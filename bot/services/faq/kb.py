"""The FAQ knowledge base: typed records loaded from the YAML files in `bot/faq_data`.

Staff edit the YAML by hand, so the loader is strict and every error names the file and the
entry: a typo must stop `/reload_faq` with a clear message instead of silently hiding an answer.
Semantic checks that need settings (placeholders, HTML, links) live in `check.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from bot.core.template import TemplateError, Values, render_template
from bot.services.faq._reader import FileReader, KnowledgeBaseError

__all__ = [
    "AUDIENCES",
    "Audience",
    "Category",
    "FaqEntry",
    "Intent",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Link",
    "load_knowledge_base",
    "render_answer",
    "render_link",
    "render_links",
    "render_text",
]

Audience = Literal["parents", "organisations", "teachers", "all"]
AUDIENCES: tuple[Audience, ...] = ("parents", "organisations", "teachers", "all")
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "faq_data"
CATEGORIES_FILE = "categories.yaml"
INTENTS_FILE = "_intents.yaml"
CATEGORY_KEYS = frozenset({"id", "title", "emoji", "audience", "description"})
ENTRY_KEYS = frozenset(
    {"id", "category", "title", "audience", "questions", "answer", "links", "related", "checked"}
)
LINK_KEYS = frozenset({"title", "url"})
INTENT_KEYS = frozenset({"id", "questions", "reply"})


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    audience: Audience
    emoji: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class FaqEntry:
    id: str
    category: str
    title: str
    audience: Audience
    questions: tuple[str, ...]
    answer: str
    checked: date
    links: tuple[Link, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intent:
    """A smalltalk or off-topic pattern: matched like an FAQ entry, answered with `reply`."""

    id: str
    kind: Literal["smalltalk", "offtopic"]
    questions: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path
    entries: dict[str, FaqEntry]
    categories: list[Category]
    smalltalk: list[Intent] = field(default_factory=list)
    offtopic: list[Intent] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)

    def entries_in(self, category_id: str) -> list[FaqEntry]:
        return [e for e in self.entries.values() if e.category == category_id]

    def source_of(self, entry_id: str) -> Path:
        """The YAML file an entry comes from (`KeyError` for an unknown id)."""
        return self.sources[entry_id]

    @property
    def intents_file(self) -> Path:
        return self.directory / INTENTS_FILE

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def _audience(reader: FileReader, raw: Mapping[str, object], entry_id: str | None) -> Audience:
    value = reader.text(raw, "audience", entry_id)
    if value not in AUDIENCES:
        allowed = ", ".join(AUDIENCES)
        reader.fail(entry_id, f"аудитории «{value}» нет — в audience можно: {allowed}")
    return value


def _category(reader: FileReader, raw: Mapping[str, object]) -> Category:
    cid = reader.text(raw, "id", None)
    reader.only(raw, CATEGORY_KEYS, cid)
    return Category(
        id=cid,
        title=reader.text(raw, "title", cid),
        audience=_audience(reader, raw, cid),
        emoji=reader.optional_text(raw, "emoji", cid),
        description=reader.optional_text(raw, "description", cid),
    )


def _entry(reader: FileReader, raw: Mapping[str, object], categories: set[str]) -> FaqEntry:
    eid = reader.text(raw, "id", None)
    reader.only(raw, ENTRY_KEYS, eid)
    category = reader.text(raw, "category", eid)
    if category not in categories:
        reader.fail(
            eid,
            f"раздела «{category}» нет в {CATEGORIES_FILE} — проверьте написание "
            "или добавьте раздел туда",
        )
    items = reader.mappings(raw, "links", eid, required=False)
    for item in items:
        reader.only(item, LINK_KEYS, eid)
    links = tuple(Link(reader.text(i, "title", eid), reader.text(i, "url", eid)) for i in items)
    return FaqEntry(
        id=eid,
        category=category,
        title=reader.text(raw, "title", eid),
        audience=_audience(reader, raw, eid),
        questions=reader.texts(raw, "questions", eid),
        answer=reader.text(raw, "answer", eid),
        checked=reader.date(raw, "checked", eid),
        links=links,
        related=reader.texts(raw, "related", eid, required=False),
    )


def _intents(reader: FileReader, kind: Literal["smalltalk", "offtopic"]) -> list[Intent]:
    result = []
    for raw in reader.mappings(reader.root, kind, None, required=False):
        iid = reader.text(raw, "id", None)
        reader.only(raw, INTENT_KEYS, iid)
        result.append(
            Intent(iid, kind, reader.texts(raw, "questions", iid), reader.text(raw, "reply", iid))
        )
    return result


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate every YAML file; raise `KnowledgeBaseError` on the first problem."""
    directory = directory or DEFAULT_DIRECTORY
    reader = FileReader.open(directory / CATEGORIES_FILE)
    categories = [_category(reader, raw) for raw in reader.mappings(reader.root, "categories")]
    reader.unique([c.id for c in categories], "раздела")
    known = {c.id for c in categories}
    entries: dict[str, FaqEntry] = {}
    sources: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == CATEGORIES_FILE or path.name.startswith("_"):
            continue
        reader = FileReader.open(path)
        for raw in reader.mappings(reader.root, "entries"):
            entry = _entry(reader, raw, known)
            if entry.id in entries:
                other = sources[entry.id].name
                reader.fail(
                    entry.id, f"такой id уже есть у статьи в {other} — придумайте другой id"
                )
            entries[entry.id] = entry
            sources[entry.id] = path
    smalltalk: list[Intent] = []
    offtopic: list[Intent] = []
    if (directory / INTENTS_FILE).exists():
        reader = FileReader.open(directory / INTENTS_FILE)
        smalltalk, offtopic = _intents(reader, "smalltalk"), _intents(reader, "offtopic")
        reader.unique([i.id for i in smalltalk + offtopic], "шаблона")
    return KnowledgeBase(directory, entries, categories, smalltalk, offtopic, sources)


def render_text(template: str, placeholders: Values, *, escape: bool = True) -> str:
    """Fill `{name}` placeholders and `[[if]]` blocks (see `template.py`); values are plain
    text, so they are HTML-escaped by default; a line using an unset value is left out."""
    return render_template(template, placeholders, escape=escape)


def _render(entry: FaqEntry, template: str, placeholders: Values, escape: bool) -> str:
    try:
        return render_text(template, placeholders, escape=escape)
    except KeyError as exc:
        message = (
            f"статья «{entry.id}»: неизвестный плейсхолдер {{{exc.args[0]}}}: "
            "его нет в настройках региона — проверьте написание"
        )
        raise KnowledgeBaseError(message, entry_id=entry.id) from exc
    except TemplateError as exc:
        raise KnowledgeBaseError(f"статья «{entry.id}»: {exc}", entry_id=entry.id) from exc
    except (ValueError, IndexError, AttributeError) as exc:
        message = (
            f"статья «{entry.id}»: ошибка в фигурных скобках — в {{}} пишут только имя "
            "плейсхолдера; если скобка нужна в самом тексте, напишите её дважды: {{ или }}"
        )
        raise KnowledgeBaseError(message, entry_id=entry.id) from exc


def render_answer(entry: FaqEntry, placeholders: Values) -> str:
    """The answer as Telegram HTML; raises `KnowledgeBaseError` naming a bad placeholder."""
    return _render(entry, entry.answer, placeholders, escape=True)


def render_link(entry: FaqEntry, link: Link, placeholders: Values) -> Link:
    """A link with placeholders filled, as plain text (button titles and URLs are not HTML)."""
    return Link(
        _render(entry, link.title, placeholders, escape=False),
        _render(entry, link.url, placeholders, escape=False),
    )


def render_links(entry: FaqEntry, placeholders: Values) -> list[Link]:
    """The entry's buttons as users see them: a link whose address is unset is left out."""
    links = (render_link(entry, link, placeholders) for link in entry.links)
    return [link for link in links if link.url.strip() and link.title.strip()]
