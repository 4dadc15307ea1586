"""Sign-in to the staff web panel without passwords.

`/web` in the bot makes a link `…/web/login?t=TOKEN`: the token carries the staff id, name,
expiry and a random nonce, signed with HMAC-SHA256 under WEB_SECRET (or a key derived from
BOT_TOKEN). Opening it once creates a session: a random cookie whose SHA-256 is the row key,
with its own CSRF token. The staff role is checked again on every request (services.staff
.roster), so a removed staff member is locked out whatever links or cookies they hold.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.config import Settings
from bot.services.staff.roster import Roster
from storage.repositories import Repositories

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
LOGIN_PATH = "/web/login"


class Refusal(StrEnum):
    """Why a link opened no session (shown to the person in Russian by the adapter)."""

    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    NOT_STAFF = "not_staff"


@dataclass(frozen=True)
class StaffSession:
    """Who is signed in, and the CSRF token every form of theirs must carry."""

    staff_id: int
    name: str
    csrf: str


@dataclass(frozen=True)
class SignedIn:
    cookie: str
    session: StaffSession
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def make_token(settings: Settings, staff_id: int, name: str, now: datetime) -> str:
    claims = {
        "u": staff_id,
        "n": name[:128],
        "e": int((now + LINK_TTL).timestamp()),
        "j": secrets.token_urlsafe(16),
    }
    body = _b64(json.dumps(claims, ensure_ascii=False).encode())
    return f"{body}.{_sign(settings.panel_secret(), body)}"


def login_link(settings: Settings, staff_id: int, name: str, now: datetime) -> str:
    return f"{settings.panel_url}{LOGIN_PATH}?t={make_token(settings, staff_id, name, now)}"


def _claims(settings: Settings, token: str) -> dict[str, object] | None:
    body, _, signature = token.partition(".")
    expected = _sign(settings.panel_secret(), body).encode()
    if not body or not hmac.compare_digest(signature.encode(), expected):
        return None
    try:
        claims = json.loads(_unb64(body))
    except ValueError:
        return None
    fields = (("u", int), ("n", str), ("e", int), ("j", str))
    if not isinstance(claims, dict) or any(not isinstance(claims.get(k), t) for k, t in fields):
        return None
    return claims


def _key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


async def sign_in(
    repo: Repositories, settings: Settings, roster: Roster, token: str, now: datetime
) -> SignedIn | Refusal:
    """Open a session for a valid, unused, unexpired link of a current staff member."""
    claims = _claims(settings, token)
    if claims is None:
        return Refusal.FORGED
    staff_id, name = int(str(claims["u"])), str(claims["n"])
    expires = datetime.fromtimestamp(int(str(claims["e"])), tz=now.tzinfo)
    if now >= expires:
        return Refusal.EXPIRED
    if not await roster.is_staff(staff_id, repo):
        return Refusal.NOT_STAFF
    await repo.web.drop_expired(now)
    if not await repo.web.use_link(str(claims["j"]), staff_id, now, expires):
        await repo.commit()
        return Refusal.USED
    return await open_session(repo, staff_id, name, now)


async def open_session(repo: Repositories, staff_id: int, name: str, now: datetime) -> SignedIn:
    """A new session for someone already checked (a link, or Telegram's Mini App initData)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    until = now + SESSION_TTL
    await repo.web.add_session(_key(cookie), staff_id, name, csrf, now, until)
    await repo.commit()
    return SignedIn(cookie, StaffSession(staff_id, name, csrf), until)


async def current(
    repo: Repositories, roster: Roster, cookie: str | None, now: datetime
) -> StaffSession | None:
    """The session behind a cookie, if it exists, has not expired and its owner is staff."""
    if not cookie:
        return None
    row = await repo.web.session_by_key(_key(cookie))
    if row is None or row.expires_at <= now or not await roster.is_staff(row.staff_id, repo):
        return None
    return StaffSession(row.staff_id, row.staff_name, row.csrf)


async def sign_out(repo: Repositories, cookie: str | None) -> None:
    if cookie:
        await repo.web.drop_session(_key(cookie))
        await repo.commit()


def csrf_ok(session: StaffSession, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(session.csrf.encode(), sent.encode())
