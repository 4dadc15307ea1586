"""«Кто ознакомился» lists as a service (bot.services.staff.ack_lists) over a messenger in a
list: a long list goes in parts, each remembered, and /forget_me rewrites every part; how a
rewritten list is laid over the messages it had (the e2e tests are
tests/test_e2e_forget_acks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import SystemClock
from bot.core.messages import MessageRef, Unreachable
from bot.services.faq import FaqService
from bot.services.faq.querylog import QueryLog
from bot.services.profile import privacy
from bot.services.staff import ack_lists
from bot.texts import broadcasts as tb
from broadcasts.content import Content
from storage.db import SessionMaker
from storage.models import Ack, Broadcast, Chat
from storage.repositories import Repositories
from tests.fakes.channel import FakeChannel

STAFF = 1000
LEAVER = 2101
GROUPS = [-1001000 - n for n in range(5)]


async def seed(sm: SessionMaker) -> int:
    """Five groups, forty acks each with long names (a list of three messages); the leaver's
    first of them, as a user of the bot."""
    async with sm() as session:
        repo = Repositories(session)
        await repo.users.touch(LEAVER, "Зинаида", "Забывчивая", None)
        broadcast = Broadcast(
            author_id=None, content=Content("text", "Совещание", ack=True).to_json()
        )
        session.add(broadcast)
        session.add_all(Chat(id=g, title=f"Школа {n}") for n, g in enumerate(GROUPS))
        await session.flush()
        session.add(Ack(broadcast_id=broadcast.id, chat_id=GROUPS[0], user_id=LEAVER,
                        user_name="Зинаида Забывчивая"))  # fmt: skip
        for n, group in enumerate(GROUPS):
            for k in range(40):
                name = f"Константинопольская-Веселовская Анастасия {n}-{k}"
                person = 5000 + n * 100 + k
                session.add(Ack(broadcast_id=broadcast.id, chat_id=group, user_id=person,
                                user_name=name))  # fmt: skip
        await repo.commit()
        return broadcast.id


async def test_a_long_list_is_remembered_part_by_part_and_every_part_rewritten(
    sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    bid = await seed(sessionmaker)
    channel = FakeChannel()
    async with sessionmaker() as session:
        repo = Repositories(session)
        await ack_lists.send(channel, repo, STAFF, bid)
        await repo.commit()
    parts = channel.to(STAFF)
    assert len(parts) == 3 and all(len(p.text) <= ack_lists.PART_LIMIT for p in parts)
    assert "Зинаида Забывчивая" in parts[0].text and "— 41:" in parts[0].text

    clock = SystemClock()
    async with sessionmaker() as session:
        done = await privacy.forget(
            Repositories(session), LEAVER, clock, QueryLog(sessionmaker, clock), faq_service
        )
    await privacy.redact(channel, done)
    edited = {ref.message_id: text for ref, text in channel.edits}
    assert sorted(edited) == [p.message_id for p in parts]
    assert all("Забывчивая" not in text for text in edited.values())
    assert "Школа 0</b> — 40:" in edited[parts[0].message_id]
    assert tb.ACKS_REFRESHED in edited[parts[-1].message_id]


def test_a_rewritten_list_is_laid_over_the_messages_it_had() -> None:
    assert ack_lists.fit(["a"], 1) == ["a"]
    assert ack_lists.fit(["a"], 3) == ["a", None, None]  # shorter: the rest are dropped
    # longer (people acked since): no new message, the last one points to the whole list
    assert ack_lists.fit(["a", "b", "c"], 2) == ["a", "b" + tb.ACKS_CUT]


@dataclass
class Undeletable(FakeChannel):
    """Telegram after 48 hours: a message can be edited, no longer deleted."""

    async def delete(self, ref: MessageRef) -> None:
        raise Unreachable("message can't be deleted")


async def test_a_part_no_longer_needed_is_deleted_or_says_the_list_fits_above() -> None:
    where = MessageRef(STAFF, 2)
    fresh, old = FakeChannel(), Undeletable()
    for channel in (fresh, old):
        await ack_lists.rewrite(channel, [ack_lists.Rewrite(7, where, None)])
    assert fresh.deleted == [where] and not fresh.edits
    assert old.edits == [(where, "👀 Список по рассылке №7 стал короче и уместился выше.")]


async def test_chats_of_one_title_are_listed_apart_and_told_apart(
    sessionmaker: SessionMaker,
) -> None:
    """Two Telegram groups and a MAX group all called «Родители 1А»: each its own section,
    headed by where it is; two of one kind in one messenger are numbered."""
    max_group = -(2**60 + 7)  # a MAX chat's internal id (bot.core.ids)
    same = [(-1001, "supergroup"), (-1002, "supergroup"), (max_group, "chat"), (-1003, "group")]
    async with sessionmaker() as session:
        session.add_all(Chat(id=chat_id, kind=kind, title="Родители 1А") for chat_id, kind in same)
        session.add(Chat(id=-1004, kind="group", title="Педагоги"))
        broadcast = Broadcast(author_id=None, content=Content("text", "Сбор", ack=True).to_json())
        session.add(broadcast)
        await session.flush()
        for n, (chat_id, _) in enumerate([*same, (-1004, "group")]):
            session.add(Ack(broadcast_id=broadcast.id, chat_id=chat_id, user_id=10 + n,
                            user_name=f"Мама {n}"))  # fmt: skip
        await session.commit()
        acks = await ack_lists.gather(Repositories(session), broadcast.id)
    assert acks.by_chat == {
        "Родители 1А (Telegram, супергруппа) 1": ["Мама 0"],
        "Родители 1А (Telegram, супергруппа) 2": ["Мама 1"],
        "Родители 1А (MAX, группа)": ["Мама 2"],
        "Родители 1А (Telegram, группа)": ["Мама 3"],
        "Педагоги": ["Мама 4"],
    }
    (shown,) = ack_lists.render(broadcast.id, acks)
    assert shown.count(" — 1:") == 5
