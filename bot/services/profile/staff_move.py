"""/move for МОЦ staff: staff access follows the person to the account they moved to.

Why: a staffer who leaves Telegram for MAX works from MAX afterwards. Staff access left on the
old account would keep the staff desk (tickets with parents' questions, the panel, broadcasts)
open in an account nobody watches any more — a phone handed on or an account taken over would
open it; and the new account would have to ask an owner for a second invitation to go on
working. So an invited staffer's membership (`staff_members`) is re-keyed to the new account:
the old one loses staff access at once (its panel sessions end, its «Сотрудник МОЦ» role and
staff news go). An owner (ADMIN_IDS / MAX_ADMIN_IDS) stays owner where the settings say — only
the settings give or take that — and the new account becomes staff beside it. The new account
gets the «Сотрудник МОЦ» role and the staff news; every change is in the staff audit log, as an
invitation or a removal is. Called inside `transfer.redeem`'s transaction; the roster is told
after the commit (`announce`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.staff.members import audit_subject
from bot.services.staff.roster import Roster
from storage.models import Audience, Role, StaffRole
from storage.repositories import Repositories

MOVED_IN = "staff.move"  # the audit log's action: handlers/web/staff.py words it


@dataclass(frozen=True)
class StaffMoved:
    """What the move did to staff access."""

    joined: bool = False  # the new account became staff
    left: bool = False  # the old account is staff no more

    @property
    def changed(self) -> bool:
        return self.joined or self.left


async def move_staff(
    repo: Repositories, roster: Roster, source: int, target: int, now: datetime
) -> StaffMoved:
    """Staff access from `source` to `target` (not committed); nothing for a non-staffer."""
    was = await roster.role(source, repo)
    if was is None:
        return StaffMoved()
    joined = await roster.role(target, repo) is None and await repo.staff.add(target, source, now)
    if joined:
        detail = f"перенёс(ла) доступ сотрудника из аккаунта id {source} (/move)"
        await repo.staff.log(source, MOVED_IN, audit_subject(target), detail, now)
    left = was != StaffRole.OWNER and await repo.staff.remove(source)
    if left:
        await repo.web.drop_sessions_of(source)
        detail = f"доступ сотрудника перенесён в аккаунт id {target} (/move)"
        await repo.staff.log(source, "staff.remove", audit_subject(source), detail, now)
    await _role_and_news(repo, source, target, left)
    return StaffMoved(joined, left)


async def _role_and_news(repo: Repositories, source: int, target: int, left: bool) -> None:
    """The «Сотрудник МОЦ» role and the staff news: the new account has them (a teacher
    account keeps its own role), the old one keeps them only while it is staff."""
    old = await repo.users.get(source)
    new = await repo.users.get(target)
    if old is not None and old.role == Role.STAFF and new is not None:
        if new.role in (None, Role.PARENT):
            await repo.users.set_role(target, Role.STAFF)
        if left:
            await repo.users.clear_role(source)
    if Audience.STAFF in await repo.chats.subscriptions(source):
        await repo.chats.subscribe(target, Audience.STAFF)
        if left:
            await repo.chats.unsubscribe(source, Audience.STAFF)


async def announce(roster: Roster, moved: StaffMoved, source: int, target: int) -> None:
    """After the commit: every check here sees the change at once; Telegram's listeners
    update the staff command menus of both accounts."""
    if moved.joined:
        await roster.announce(target, True)
    if moved.left:
        await roster.announce(source, False)
