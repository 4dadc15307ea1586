"""Adding and removing staff: invite links, their acceptance, removal, all audit-logged.

An owner makes an invite: a random nonce stored with its expiry, signed with HMAC under the
panel's secret, so a link that was not made here fails before the database is asked. The
token is 32 URL-safe characters, so `staff_<token>` fits Telegram's 64-character start
parameter and MAX's 128. Opening it makes that person staff once; the row is claimed by a
conditional UPDATE, so two people racing for one link cannot both win.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.config import Settings
from bot.services.staff.roster import Roster
from storage.models import StaffRole
from storage.repositories import Repositories

INVITE_TTL = timedelta(hours=24)
INVITE_PREFIX = "staff_"
NONCE_CHARS = 16


class Outcome(StrEnum):
    """What became of an invite or a removal (the adapters word it in Russian)."""

    JOINED = "joined"
    ALREADY = "already"
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"  # its maker is no owner any more (taken off ADMIN_IDS / MAX_ADMIN_IDS)
    REMOVED = "removed"
    NOT_OWNER = "not_owner"
    IS_OWNER = "is_owner"
    NOT_STAFF = "not_staff"


@dataclass(frozen=True)
class Invite:
    token: str
    expires: datetime

    def links(self, roster: Roster) -> dict[str, str]:
        """The deep link per messenger this process knows ("tg", "max")."""
        payload = f"{INVITE_PREFIX}{self.token}"
        return {channel: f"{base}?start={payload}" for channel, base in roster.deep_links.items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signature(settings: Settings, nonce: str) -> str:
    mac = hmac.new(settings.panel_secret(), f"staff-invite:{nonce}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:12])


def _nonce(settings: Settings, token: str) -> str | None:
    nonce, signature = token[:NONCE_CHARS], token[NONCE_CHARS:]
    if len(token) != 2 * NONCE_CHARS:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(settings, nonce).encode()):
        return None
    return nonce


def audit_subject(person_id: int) -> str:
    return f"person:{person_id}"


def subject_id(subject: str) -> int | None:
    """The person an audit subject names, if it names one."""
    raw = subject.removeprefix("person:")
    return int(raw) if raw != subject and raw.lstrip("-").isdigit() else None


async def invite(repo: Repositories, settings: Settings, owner_id: int, now: datetime) -> Invite:
    """A new invite link's token (the caller checked that `owner_id` is an owner)."""
    nonce = _b64(secrets.token_bytes(12))
    until = now + INVITE_TTL
    await repo.staff.add_invite(nonce, owner_id, now, until)
    detail = f"действует до {until.astimezone(settings.tz):%d.%m.%Y %H:%M}"
    await repo.staff.log(owner_id, "staff.invite", "", detail, now)
    await repo.commit()
    return Invite(nonce + _signature(settings, nonce), until)


async def accept(
    repo: Repositories, settings: Settings, roster: Roster, token: str, person_id: int,
    now: datetime,
) -> Outcome:  # fmt: skip
    """Make `person_id` staff by an invite token, or say why not."""
    nonce = _nonce(settings, token)
    found = await repo.staff.invite(nonce) if nonce is not None else None
    if nonce is None or found is None:
        return Outcome.FORGED
    if await roster.is_staff(person_id, repo):
        return Outcome.ALREADY
    if found.used_by is not None:
        return Outcome.USED
    if found.expires_at <= now:
        return Outcome.EXPIRED
    if not await roster.is_owner(found.created_by, repo):
        return Outcome.REVOKED  # an owner who left: the links they sent around go with them
    if not await repo.staff.use_invite(nonce, person_id, now):
        return Outcome.USED  # someone else opened it a moment ago
    await repo.staff.add(person_id, found.created_by, now)
    if (person := await repo.users.get(person_id)) is not None:
        await repo.users.keep_name(person)  # staff names sign answers and the staff list
    subject, detail = audit_subject(person_id), "по ссылке-приглашению"
    await repo.staff.log(found.created_by, "staff.add", subject, detail, now)
    await repo.commit()
    await roster.announce(person_id, True)
    return Outcome.JOINED


async def remove(
    repo: Repositories, roster: Roster, actor_id: int, person_id: int, now: datetime
) -> Outcome:
    """An owner takes staff rights away: at once here, within CACHE_SECONDS elsewhere; their
    panel sessions end too."""
    if not await roster.is_owner(actor_id, repo):
        return Outcome.NOT_OWNER
    role = await roster.role(person_id, repo)
    if role == StaffRole.OWNER:
        return Outcome.IS_OWNER
    if role is None or not await repo.staff.remove(person_id):
        return Outcome.NOT_STAFF
    await repo.web.drop_sessions_of(person_id)
    await repo.staff.log(actor_id, "staff.remove", audit_subject(person_id), "", now)
    await repo.commit()
    await roster.announce(person_id, False)
    return Outcome.REMOVED
