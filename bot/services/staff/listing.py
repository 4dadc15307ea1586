"""/staff in either messenger: who is МОЦ staff (owners first), and whom the viewer may remove
(an owner: everyone but owners). The adapters turn `removable` into their own buttons.

A long staff (or long names) outgrows one Telegram message: `parts` are the same text cut at
lines into messages Telegram takes (MAX cuts `text` itself, under its own limit)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.ids import channel_of
from bot.core.markup import fill, pack_lines
from bot.services.staff.roster import Roster
from bot.texts import staff as t
from storage.models import StaffRole
from storage.repositories import Repositories


@dataclass(frozen=True)
class StaffListing:
    text: str  # HTML, names escaped
    removable: tuple[tuple[int, str], ...]  # (internal id, display name) the viewer may remove

    @property
    def parts(self) -> list[str]:
        """`text` in messages of at most 4096 characters, each line whole."""
        return pack_lines(self.text.split("\n"))


async def staff_listing(repo: Repositories, roster: Roster, viewer: int) -> StaffListing:
    roles = await roster.members(repo)
    known = {user.id: user for user in await repo.users.many(roles)}
    order = sorted(roles, key=lambda i: (roles[i] != StaffRole.OWNER, i))
    names = {
        i: known[i].full_name if i in known
        else t.STAFF_NO_NAME.format(id=await repo.channel_ids.external(i) or i)
        for i in order
    }  # fmt: skip
    lines = [
        fill(t.STAFF_LINE, name=names[i], role=t.ROLE_NAMES[roles[i]],
             where=t.STAFF_IN_MAX if channel_of(i) == "max" else "")
        for i in order
    ]  # fmt: skip
    owner = roles.get(viewer) == StaffRole.OWNER
    removable = tuple((i, names[i]) for i in order if owner and roles[i] != StaffRole.OWNER)
    # the lines are escaped already: `fill` here showed «&amp;» and «&lt;b&gt;» in names
    return StaffListing(t.STAFF_LIST.format(people="\n".join(lines)), removable)
