"""What Telegram staff can do from their chat and MAX staff could only do in the web panel:
moving a scheduled broadcast to another time (/broadcasts → «🕒 №N Перенести») and an owner
removing a staff member (/staff → «Удалить»). Telegram is throttled in Russia, so for many
staff MAX is the only messenger: both are here, from the same services."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import broadcasts as bt
from bot.texts import chats as chats_texts
from bot.texts import faq_learn as lt
from bot.texts import max as max_texts
from bot.texts import staff as st
from broadcasts.audience import Target
from broadcasts.content import Content
from broadcasts.service import create_broadcast
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, FaqStaffSample, Subscription
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import answer_to, max_only_bot, say, start
from tests.helpers.wait import until

ADMIN = MaxUser(52_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(52_000_000_123, "Ольга", "Петрова")
COLLEAGUE = MaxUser(52_000_000_200, "Инна", "Сидорова")
GROUP = -70_000_777_001
INVITE = re.compile(r"start=(staff_[A-Za-z0-9_-]+)")


@pytest.fixture
async def fake(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[FakeMaxServer]:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (server, _):
        yield server


async def a_scheduled_broadcast(
    fake: FakeMaxServer, sessionmaker: SessionMaker, at: datetime
) -> int:
    """News for parents at `at`, the mother (who opened the bot) subscribed."""
    await say(fake, MOTHER, "/start")
    async with sessionmaker() as session:
        mother = await Repositories(session).channel_ids.find("max", "user", MOTHER.user_id)
        assert mother is not None
        session.add(Subscription(user_id=mother, audience="parents"))
        await session.flush()
        broadcast = await create_broadcast(
            session, author_id=None, content=Content(kind="text", text="Собрание в пятницу"),
            target=Target(("parents",)), at=at, now=datetime.now(UTC),
        )  # fmt: skip
        await session.commit()
        return broadcast.id


async def scheduled_at(sessionmaker: SessionMaker, bid: int) -> datetime:
    async with sessionmaker() as session:
        broadcast = await session.get(Broadcast, bid)
        assert broadcast is not None
        return broadcast.scheduled_at.replace(tzinfo=UTC)


async def test_max_staff_move_a_scheduled_broadcast_to_a_typed_time(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    was = datetime.now(UTC) + timedelta(days=7)
    bid = await a_scheduled_broadcast(fake, sessionmaker, was)
    (listing,) = await say(fake, ADMIN, "/broadcasts")
    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, listing, bt.BTN_MOVE_ONE.format(id=bid))
    asked = (await fake.wait_sent(ADMIN, before + 1))[-1]
    assert asked.plain.startswith(f"На когда перенести рассылку №{bid}?")

    (unreadable,) = await say(fake, ADMIN, "когда-нибудь")
    assert "Не понял дату" in unreadable.plain and "На когда перенести" in unreadable.plain
    day = (datetime.now(UTC) + timedelta(days=20)).strftime("%d.%m.%Y")
    (moved,) = await say(fake, ADMIN, f"{day} 15:30")
    assert moved.plain == f"🕒 Рассылка №{bid} перенесена на {day} 15:30."
    now_at = await scheduled_at(sessionmaker, bid)
    assert now_at > was + timedelta(days=10)
    # the dialog is over: the next words are a question for the FAQ again, not a time
    (after,) = await say(fake, ADMIN, "завтра 10:00")
    assert "перенес" not in after.plain
    assert await scheduled_at(sessionmaker, bid) == now_at


async def test_max_move_is_refused_to_non_staff_and_for_a_cancelled_broadcast(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    bid = await a_scheduled_broadcast(fake, sessionmaker, datetime.now(UTC) + timedelta(days=7))
    (listing,) = await say(fake, ADMIN, "/broadcasts")
    payload = listing.button(bt.BTN_MOVE_ONE.format(id=bid))["payload"]
    forged = str(await answer_to(fake, fake.press_payload(MOTHER, listing, payload)))
    assert texts.ADMIN_ONLY in forged

    before = len(fake.sent_to(ADMIN))
    fake.press(ADMIN, listing, bt.BTN_CANCEL_ONE.format(id=bid))
    await fake.wait_sent(ADMIN, before + 1)
    late = str(await answer_to(fake, fake.press(ADMIN, listing, bt.BTN_MOVE_ONE.format(id=bid))))
    assert f"Рассылку №{bid} уже не перенести" in late
    async with sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).state == BroadcastState.CANCELLED  # type: ignore[union-attr]


async def a_colleague(fake: FakeMaxServer) -> None:
    """The owner invites a colleague, who opens the link in MAX and is staff."""
    (sent,) = await say(fake, ADMIN, "/invite")
    found = INVITE.search(sent.plain)
    assert found is not None, sent.plain
    joined = await start(fake, COLLEAGUE, found.group(1))
    assert joined.plain == st.INVITE_OUTCOMES["joined"]


async def test_max_owner_removes_a_staff_member_from_the_staff_list(
    fake: FakeMaxServer,
) -> None:
    await a_colleague(fake)
    (listing,) = await say(fake, ADMIN, "/staff")
    assert "Инна Сидорова" in listing.plain and "веб-панели" not in listing.plain
    remove = st.BTN_REMOVE.format(name="Инна Сидорова")
    assert [b["text"] for row in listing.buttons() for b in row] == [remove]

    alert = str(await answer_to(fake, fake.press(ADMIN, listing, remove)))
    assert st.REMOVE_OUTCOMES["removed"] in alert
    await until(lambda: listing.edits == 1)  # the pressed list is the list as it is now
    assert "Инна Сидорова" not in listing.plain and not listing.buttons()
    (refused,) = await say(fake, COLLEAGUE, "/tickets")
    assert refused.plain == texts.ADMIN_ONLY


async def test_max_staff_who_are_not_owners_see_no_remove_and_a_forged_one_fails(
    fake: FakeMaxServer, sessionmaker: SessionMaker
) -> None:
    await a_colleague(fake)
    (seen,) = await say(fake, COLLEAGUE, "/staff")
    assert "Анна Методист" in seen.plain and not seen.buttons()
    async with sessionmaker() as session:
        owner = await Repositories(session).channel_ids.find("max", "user", ADMIN.user_id)
    assert owner is not None
    forged = str(await answer_to(fake, fake.press_payload(COLLEAGUE, seen, f"stf:{owner}")))
    assert st.INVITE_OWNERS_ONLY in forged  # members.remove: only owners remove
    parent = str(await answer_to(fake, fake.press_payload(MOTHER, seen, f"stf:{owner}")))
    assert texts.ADMIN_ONLY in parent
    (still,) = await say(fake, COLLEAGUE, "/staff")
    assert "Анна Методист" in still.plain and "Инна Сидорова" in still.plain


async def test_contacts_typed_in_a_max_group_are_answered_there_as_in_telegram(
    fake: FakeMaxServer,
) -> None:
    """/contacts is every group member's command in Telegram (GROUP_COMMANDS) and in MAX's «/»
    list: the contacts are for everyone, so the group gets them, not «write me privately»."""
    fake.bot_added(GROUP, ADMIN)
    before = len(fake.sent_to(GROUP))
    fake.user_writes(MOTHER, "/contacts", chat_id=GROUP)
    (shown,) = (await fake.wait_sent(GROUP, before + 1))[before:]
    assert shown.plain.startswith("📇") and "Телефон:" in shown.plain
    assert shown.plain != chats_texts.IN_GROUP
    assert not fake.sent_to(MOTHER)  # nothing private: she asked in the group


SHOES = "нужна ли сменная обувь на занятиях"


async def test_max_staff_find_another_entry_by_typed_words_or_its_id(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    """«🔎 Другая статья…» under the picker, as Telegram's: the entry staff want is not among
    the matcher's three; words of its title find it, its id attaches at once."""
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, ADMIN) as (fake, _):
        await say(fake, ADMIN, "/start")
        await say(fake, MOTHER, SHOES)
        (stats,) = await say(fake, ADMIN, "/faq_stats")
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, stats, "➕ 1")
        picker = (await fake.wait_sent(ADMIN, before + 1))[-1]
        offered = {b["payload"].rsplit(":", 1)[1] for row in picker.buttons() for b in row}
        wanted = next(e for e in faq.kb.entries.values() if e.id not in offered)
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, picker, lt.BTN_OTHER_ENTRY)
        asked = (await fake.wait_sent(ADMIN, before + 1))[-1]
        assert asked.plain == max_texts.KB_FIND_PROMPT.replace("<code>", "").replace("</code>", "")

        (nothing,) = await say(fake, ADMIN, "щщщъ ыыыъ")
        assert nothing.plain.startswith("Не нашёл такой статьи")
        (found,) = await say(fake, ADMIN, wanted.title)
        assert found.plain.startswith("Нашлись статьи") and SHOES in found.plain
        button = next(
            b for row in found.buttons() for b in row if b["payload"].endswith(f":{wanted.id}")
        )
        fake.press(ADMIN, found, button["text"])
        await until(lambda: "добавлен к статье" in found.plain, what="the list edited")
        fake.press(ADMIN, found, lt.BTN_UNDO)
        await until(lambda: "убран из базы" in found.plain, what="the undo shown")

        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, picker, lt.BTN_OTHER_ENTRY)
        await fake.wait_sent(ADMIN, before + 1)
        (attached,) = await say(fake, ADMIN, wanted.id)
        assert "добавлен к статье" in attached.plain
        assert [b["text"] for row in attached.buttons() for b in row] == [lt.BTN_UNDO]
        async with sessionmaker() as session:
            rows = (await session.scalars(select(FaqStaffSample))).all()
        assert [(r.entry_id, r.question) for r in rows] == [(wanted.id, SHOES)]
        (after,) = await say(fake, ADMIN, wanted.id)  # the dialog is over: a question again
        assert "добавлен к статье" not in after.plain
