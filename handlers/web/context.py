"""What every panel request can reach: the long-lived objects, and per request the signed-in
staff member and one database unit of work (opened by auth.guard)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.ids import row_id
from bot.core.messages import Messenger
from bot.services.faq import FaqService
from bot.services.faq.learning import refresh
from bot.services.staff.roster import Roster
from bot.services.staff.web_sessions import StaffSession
from bot.texts.web import WEB_NOT_FOUND
from storage.db import SessionMaker
from storage.repositories import Repositories

SETTINGS = web.AppKey("panel_settings", Settings)
SESSIONMAKER = web.AppKey("panel_sessionmaker", SessionMaker)
MESSENGER = web.AppKey("panel_messenger", Messenger)
CLOCK = web.AppKey("panel_clock", Clock)


class FaqSource:
    """The bot's live FAQ when the panel runs in its process (a save is served at once), else
    one of the panel's own, built on first use (the bot's instances follow the version)."""

    def __init__(self, settings: Settings, faq: FaqService | None) -> None:
        self.settings, self._faq = settings, faq

    async def get(self, repo: Repositories | None = None) -> FaqService:
        """The FAQ; with `repo`, first brought up to the newest knowledge-base version (what
        staff taught in the bot or saved in another process's panel), as the bot does on an
        incoming question: «База знаний» must not show — and a save from it must not
        overwrite — an entry without the question a colleague has just added."""
        if self._faq is None:
            settings = self.settings
            built = await asyncio.to_thread(FaqService, settings.faq_dir, settings.placeholders())
            self._faq = self._faq or built
        if repo is not None:
            await refresh(self._faq, repo, self.settings.faq_sync_seconds, wait=True)
        return self._faq


FAQ = web.AppKey("panel_faq", FaqSource)
# one knowledge-base save at a time: «Сохранить» pressed twice sends two forms at once, and the
# second must see the first one's version (publish._saved_already), not race it
KB_SAVING = web.AppKey("panel_kb_saving", asyncio.Lock)
ROSTER = web.AppKey("panel_roster", Roster)
COOKIE = "moc_panel"  # a session opened by a link: SameSite=Strict
APP_COOKIE = "moc_panel_app"  # one opened in the Mini App: sent inside Telegram Web's frame
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # downloads
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


int_or_none = row_id  # a number from an address, a query or a form


def id_or_404(raw: str) -> int:
    """The id in the address, or «not found» in Russian (not a server error)."""
    found = int_or_none(raw)
    if found is None:
        raise web.HTTPNotFound(text=WEB_NOT_FOUND)
    return found
