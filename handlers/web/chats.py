"""«Чаты»: the registry broadcasts read (messenger, title, audiences, tags, active), filters,
bind / unbind / set tags, and a CSV import.

Changes go through bot.services.chats.registry, the service behind /bind, /unbind and /tag in
a group; the import is bot.services.chats.importer, the one `python -m bot chats import` uses
(the whole file checked first, every bad line named, nothing written on an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web

from bot.core.ids import channel_of
from bot.services.chats import registry
from bot.services.chats.importer import import_rows, parse_chats_csv
from bot.services.import_errors import ImportErrors
from bot.texts.chats import AUDIENCE_TITLES, KIND_TITLES
from handlers.web.context import page, repo
from storage.models import Chat
from storage.repositories.chats import AUDIENCES, audiences_of, tags_of

CHANNELS = {"tg": "Telegram", "max": "MAX"}
UPLOAD_LIMIT = 1_000_000
NOTICES = {
    "bound": "Чат привязан к аудитории.",
    "unbound": "Чат отвязан.",
    "tags": "Теги сохранены.",
    "inactive": "Бота нет в этом чате: сначала добавьте его в группу.",
    "badtag": "Тег — это буквы, цифры, «-», «_», «.»; ничего не изменено.",
}


@dataclass(frozen=True)
class Filters:
    channel: str
    audience: str
    tag: str
    active: str  # "1" | "0" | "" (all)
    q: str

    @classmethod
    def of(cls, request: web.Request) -> Filters:
        get = request.query.get
        return cls(
            channel=get("channel", "") if get("channel") in CHANNELS else "",
            audience=get("audience", "") if get("audience") in AUDIENCES else "",
            tag=get("tag", "").strip().lstrip("#").lower()[:64],
            active=get("active", "1") if get("active", "1") in ("1", "0", "") else "1",
            q=get("q", "").strip()[:100],
        )

    def keep(self, chat: Chat) -> bool:
        return (
            (not self.channel or channel_of(chat.id) == self.channel)
            and (not self.audience or self.audience in audiences_of(chat))
            and (not self.tag or self.tag in tags_of(chat))
            and (not self.active or chat.is_active == (self.active == "1"))
            and (not self.q or self.q.lower() in chat.title.lower())
        )


def _chat_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not re.fullmatch(r"-?\d{1,20}", raw):
        raise web.HTTPNotFound()
    return int(raw)


async def _render(request: web.Request, status: int = 200, **extra: object) -> web.Response:
    filters = Filters.of(request)
    chats = [c for c in await repo(request).chats.all() if filters.keep(c)]
    # the id staff can find in their messenger: a MAX group's own id, not the bot's internal one
    own = await repo(request).channel_ids.externals(c.id for c in chats)
    values = page(
        request, chats=chats, own=own, filters=filters, channels=CHANNELS,
        audience_titles=AUDIENCE_TITLES, kind_titles=KIND_TITLES, audiences_of=audiences_of,
        tags_of=tags_of, notice=NOTICES.get(request.query.get("done", "")),
        **{"import_errors": [], "import_notes": [], **extra},
    )  # fmt: skip
    return aiohttp_jinja2.render_template("chats.html", request, values, status=status)


async def chat_list(request: web.Request) -> web.Response:
    return await _render(request)


async def _active_chat(request: web.Request) -> Chat:
    chat = await repo(request).chats.get(_chat_id(request))
    if chat is None:
        raise web.HTTPNotFound(text="Чат не найден.")
    if not chat.is_active:
        raise web.HTTPSeeOther(f"/web/chats?done=inactive#chat{chat.id}")
    return chat


async def _field(request: web.Request, name: str) -> str:
    value = (await request.post()).get(name, "")
    return value.strip() if isinstance(value, str) else ""


async def bind(request: web.Request) -> web.Response:
    chat = await _active_chat(request)
    audience = await _field(request, "audience")
    if audience not in AUDIENCES:
        raise web.HTTPBadRequest(text="Неизвестная аудитория.")
    await registry.bind(repo(request), chat.id, chat.kind, chat.title, audience, [])
    raise web.HTTPSeeOther(f"/web/chats?done=bound#chat{chat.id}")


async def unbind(request: web.Request) -> web.Response:
    chat_id = _chat_id(request)
    audience = await _field(request, "audience")
    if audience and audience not in AUDIENCES:
        raise web.HTTPBadRequest(text="Неизвестная аудитория.")
    if await registry.unbind(repo(request), chat_id, audience or None) is None:
        raise web.HTTPNotFound(text="Чат не найден.")
    raise web.HTTPSeeOther(f"/web/chats?done=unbound#chat{chat_id}")


async def set_tags(request: web.Request) -> web.Response:
    """The tags become exactly the ones typed (the bot's /tag and /untag, in one form)."""
    chat = await _active_chat(request)
    wanted, bad = registry.parse_tags(re.split(r"[\s,;]+", await _field(request, "tags")))
    if bad:
        raise web.HTTPSeeOther(f"/web/chats?done=badtag#chat{chat.id}")
    current = tags_of(chat)
    if gone := [tag for tag in current if tag not in wanted]:
        await registry.untag(repo(request), chat.id, gone)
    if new := [tag for tag in dict.fromkeys(wanted) if tag not in current]:
        await registry.tag(repo(request), chat.id, chat.kind, chat.title, new)
    raise web.HTTPSeeOther(f"/web/chats?done=tags#chat{chat.id}")


async def import_csv(request: web.Request) -> web.Response:
    upload = (await request.post()).get("file")
    if not isinstance(upload, web.FileField):
        return await _render(request, 422, import_errors=["Выберите файл .csv."])
    data = upload.file.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        return await _render(request, 422, import_errors=["Файл больше 1 МБ."])
    try:
        rows = parse_chats_csv(data)
        added, updated, notes = await import_rows(repo(request), rows)
    except ImportErrors as exc:
        await repo(request).rollback()
        errors = [*exc.errors, "Ничего не импортировано."]
        return await _render(request, 422, import_errors=errors)
    await repo(request).commit()
    unchanged = len(rows) - added - updated
    summary = f"Импорт: добавлено чатов {added}, обновлено {updated}, без изменений {unchanged}."
    return await _render(request, import_notes=[summary, *notes])


def add_routes(app: web.Application) -> None:
    app.router.add_get("/chats", chat_list)
    app.router.add_post("/chats/import", import_csv)
    app.router.add_post("/chats/{id}/bind", bind)
    app.router.add_post("/chats/{id}/unbind", unbind)
    app.router.add_post("/chats/{id}/tags", set_tags)
