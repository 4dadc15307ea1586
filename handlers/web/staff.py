"""«Сотрудники»: who has staff rights, invite links, removal, and the log of these changes.

Owners (ADMIN_IDS / MAX_ADMIN_IDS) invite and remove; other staff see the list. Every change
goes through bot.services.staff.members (audit-logged, seen by the bot's own checks at once).
An invite link is shown only in the answer to the POST that made it, never in a URL.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.core.ids import channel_of
from bot.services.staff import members
from handlers.web.context import CLOCK, ROSTER, SETTINGS, page, repo, staff
from storage.models import StaffRole

NOTICES: dict[str, str] = {
    members.Outcome.REMOVED: "Сотрудник удалён: права и вход в панель отозваны.",
    members.Outcome.IS_OWNER: "Владельца удалить нельзя: он задан в настройках бота.",
    members.Outcome.NOT_STAFF: "Этот человек уже не сотрудник.",
}
ACTIONS = {
    "staff.invite": "создал(а) ссылку-приглашение",
    "staff.add": "добавил(а) сотрудника",
    "staff.remove": "удалил(а) сотрудника",
    "staff.move": "перенёс(ла) доступ сотрудника в другой аккаунт (/move)",
}
CHANNELS = {"tg": "Telegram", "max": "MAX"}


async def _values(request: web.Request, **extra: object) -> dict[str, object]:
    roles = await request.app[ROSTER].members(repo(request))
    ids = sorted(roles, key=lambda i: (roles[i] != StaffRole.OWNER, i))
    audit = await repo(request).staff.audit("staff.")
    people_ids = set(ids) | {e.actor_id for e in audit if e.actor_id is not None}
    people_ids |= {i for e in audit if (i := members.subject_id(e.subject)) is not None}
    known = {user.id: user for user in await repo(request).users.many(people_ids)}
    signed_in = await repo(request).web.signed_in(request.app[CLOCK].now())
    own = await _own_ids(request, people_ids)
    people = [
        (i, known.get(i), roles[i] == StaffRole.OWNER, i in signed_in, CHANNELS[channel_of(i)])
        for i in ids
    ]
    is_owner = roles.get(staff(request).staff_id) == StaffRole.OWNER
    return page(
        request, people=people, known=known, audit=audit, actions=ACTIONS, is_owner=is_owner,
        subject_id=members.subject_id, staff_chat=request.app[SETTINGS].staff_chat_id, own=own,
        **{"invite": None, **extra},
    )  # fmt: skip


async def _own_ids(request: web.Request, ids: set[int]) -> dict[int, int]:
    """Internal id → the messenger's own id, the one an owner writes in MAX_ADMIN_IDS and
    sees in MAX (a MAX person's internal id is a number of the bot's own)."""
    found: dict[int, int] = {}
    for i in ids:
        external = await repo(request).channel_ids.external(i)
        found[i] = i if external is None else external
    return found


async def staff_list(request: web.Request) -> web.Response:
    values = await _values(request, notice=NOTICES.get(request.query.get("done", "")))
    return aiohttp_jinja2.render_template("staff.html", request, values)


async def _owner_only(request: web.Request) -> None:
    if not await request.app[ROSTER].is_owner(staff(request).staff_id, repo(request)):
        raise web.HTTPForbidden(text="Приглашать и удалять сотрудников могут только владельцы.")


async def invite(request: web.Request) -> web.Response:
    await _owner_only(request)
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    made = await members.invite(repo(request), settings, staff(request).staff_id, now)
    links = made.links(request.app[ROSTER])
    shown = [(CHANNELS.get(channel, channel), link) for channel, link in sorted(links.items())]
    values = await _values(request, invite=shown, expires=made.expires, notice=None)
    return aiohttp_jinja2.render_template("staff.html", request, values)


async def remove(request: web.Request) -> web.Response:
    await _owner_only(request)
    raw = (await request.post()).get("person")
    digits = raw.removeprefix("-") if isinstance(raw, str) else ""
    is_id = digits.isascii() and digits.isdigit() and len(digits) <= 18  # a BIGINT id
    if not isinstance(raw, str) or not is_id:
        raise web.HTTPBadRequest(text="Не выбран сотрудник.")
    roster, now = request.app[ROSTER], request.app[CLOCK].now()
    outcome = await members.remove(repo(request), roster, staff(request).staff_id, int(raw), now)
    raise web.HTTPSeeOther(f"/web/staff?done={outcome.value}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/staff", staff_list)
    app.router.add_post("/staff/invite", invite)
    app.router.add_post("/staff/remove", remove)
