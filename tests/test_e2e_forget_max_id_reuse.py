"""152-ФЗ in MAX: a parent without a consent who asked /forget_me leaves not even the MAX id —
and the internal id that stood for it is never given to the next newcomer. On SQLite a freed
row id is handed out again, and the running bot still remembers which MAX person stood behind
it: the newcomer's greeting (with their name) went to the forgotten parent."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from storage.models import ChannelId
from tests.fakes.max_model import MaxUser
from tests.helpers.max_both import MOTHER, Both, as_parent
from tests.helpers.wait import until

NEWCOMER = MaxUser(50_000_000_555, "Таисия", "Новикова")


async def test_the_next_max_newcomer_is_not_answered_in_the_forgotten_persons_chat(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    held = await h.say(MOTHER, "/my_data")
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, held, texts.BTN_FORGET)
    (confirm,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in (await h.max.wait_sent(MOTHER, before + 2))[-1].plain

    async def unmapped() -> bool:
        async with h.sessionmaker() as session:
            found = await session.scalars(
                select(ChannelId).where(ChannelId.external_id == MOTHER.user_id)
            )
            return not found.all()

    await until(unmapped, what="the MAX id removed")
    told = len(h.max.sent_to(MOTHER))

    welcome = await h.start(NEWCOMER)
    assert "Таисия" in welcome.plain and "Кто вы?" in welcome.plain
    await h.press(NEWCOMER, welcome, texts.ROLE_TITLES["parent"])
    assert "Родитель" in (await h.max.wait_sent(NEWCOMER, 2))[-1].plain
    # nothing of the newcomer reached the forgotten parent
    assert len(h.max.sent_to(MOTHER)) == told, [m.plain for m in h.max.sent_to(MOTHER)[told:]]

    # and the parent who left may come back: a newcomer again, answered in their own chat
    again = await h.start(MOTHER)
    assert "Ольга" in again.plain and "Кто вы?" in again.plain
    assert not [m for m in h.max.sent_to(NEWCOMER) if "Ольга" in m.plain]
