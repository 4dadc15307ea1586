"""What every panel request can reach: the long-lived objects, and per request the signed-in
staff member and one database unit of work (opened by auth.guard)."""

from __future__ import annotations

from aiohttp import web

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Messenger
from bot.services.staff.roster import Roster
from bot.services.staff.web_sessions import StaffSession
from storage.db import SessionMaker
from storage.repositories import Repositories

SETTINGS = web.AppKey("panel_settings", Settings)
SESSIONMAKER = web.AppKey("panel_sessionmaker", SessionMaker)
MESSENGER = web.AppKey("panel_messenger", Messenger)
CLOCK = web.AppKey("panel_clock", Clock)
ROSTER = web.AppKey("panel_roster", Roster)
COOKIE = "moc_panel"
REPO = web.RequestKey("panel_repo", Repositories)
STAFF = web.RequestKey("panel_staff", StaffSession)


def repo(request: web.Request) -> Repositories:
    return request[REPO]


def staff(request: web.Request) -> StaffSession:
    return request[STAFF]


def page(request: web.Request, **values: object) -> dict[str, object]:
    """Template values every signed-in page uses (the CSRF token for its forms)."""
    person = staff(request)
    return {"staff": person, "csrf": person.csrf, **values}
