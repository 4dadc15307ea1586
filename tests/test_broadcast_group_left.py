"""`broadcasts.audience.group_left`, asked before each group's send: which groups the ledger
listed no longer get the broadcast, and which still do (tags, migrations, unknown rows)."""

from __future__ import annotations

from broadcasts.audience import Target, group_left
from storage.db import SessionMaker
from storage.models import Chat, ChatAudience, ChatTag
from storage.repositories import Repositories

GROUP, MOVED, UNKNOWN = -1001, -1002, -1003
SCHOOL5 = Target(("parents",), ("school5",))


async def test_a_group_is_left_when_unbound_untagged_or_removed(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker() as s:
        chat = Chat(id=GROUP, kind="supergroup", title="Родители 1А")
        chat.audiences = [ChatAudience(chat_id=GROUP, audience="parents")]
        chat.tags = [ChatTag(chat_id=GROUP, tag="school5")]
        s.add_all([chat, Chat(id=MOVED, kind="group", title="Старая", migrated_to=GROUP,
                              is_active=False)])  # fmt: skip
        await s.commit()

        assert await group_left(s, SCHOOL5, GROUP) is None
        assert await group_left(s, Target(("all",)), GROUP) is None
        assert await group_left(s, Target(("directors",)), GROUP) == "unbound"
        assert await group_left(s, Target(("parents",), ("school7",)), GROUP) == "unbound"
        assert await group_left(s, Target(()), GROUP) is None  # an event's notice: no groups
        assert await group_left(s, SCHOOL5, MOVED) is None  # the send follows the migration
        assert await group_left(s, SCHOOL5, UNKNOWN) is None

        repo = Repositories(s)
        await repo.chats.remove_tags(GROUP, ["school5"])
        await s.commit()
        assert await group_left(s, SCHOOL5, GROUP) == "unbound"
        assert await group_left(s, Target(("parents",)), GROUP) is None
        await repo.chats.set_active(GROUP, False)
        await s.commit()
        assert await group_left(s, Target(("parents",)), GROUP) == "removed"
