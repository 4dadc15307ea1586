"""Privacy defects a user or an attacker meets (issue 13): the online link behind a forged
«.ics» button, /forget_me while waiting lists are promoted, and what /forget_me leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.core.clock import FrozenClock
from bot.services.faq import FaqService
from bot.texts import events as event_texts
from storage.db import SessionMaker
from storage.models import Ack, Broadcast, Chat, Consent, Delivery, Registration
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, TEACHER, BotHarness, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser, SentMessage
from tests.test_e2e_events import SECOND, seed_event, seed_teacher

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THIRD = FakeUser(id=2004, first_name="Инна", last_name="Кузнецова")
ZOOM = "https://zoom.example/j/secret-123"


async def open_card(h: BotHarness, user: FakeUser, event_id: int) -> SentMessage:
    """The event card a deep link opens (a newcomer may get a welcome beside it)."""
    h.server.user_sends(f"/start event_{event_id}", user=user)
    await h.server.idle()
    return next(m for m in h.server.drain(user.id) if event_texts.BTN_TO_LIST in m.inline_texts)


@pytest.fixture
async def harness(
    server: FakeTelegramServer,
    settings: object,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[BotHarness]:
    clock = FrozenClock(NOW)
    bot, dp, task = await start_bot(server, settings, sessionmaker, faq_service, clock)  # type: ignore[arg-type]
    h = BotHarness(server, settings, sessionmaker, dp, bot, task)  # type: ignore[arg-type]
    yield h
    await stop_bot(h.dp, h.task)


async def test_forged_ics_button_does_not_leak_the_meeting_link(harness: BotHarness) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker, capacity=5, format="online", place=ZOOM)
    await seed_teacher(h.sessionmaker, TEACHER)
    card = await open_card(h, TEACHER, event_id)
    assert ZOOM not in card.text and event_texts.BTN_ICS not in card.inline_texts

    h.server.press_data(card, f"ev:ics:{event_id}", user=TEACHER)  # forged: not registered
    answer = await h.server.callback_answer()
    assert answer.params.get("show_alert") and "только записавшимся" in answer.params["text"]
    await h.server.idle()
    assert not [m for m in h.server.drain(TEACHER.id) if m.document is not None]

    # staff may download it from the card (their card shows the link anyway)
    admin_card = await open_card(h, ADMIN, event_id)
    h.server.press_data(admin_card, f"ev:ics:{event_id}", user=ADMIN)
    ics = await h.server.next_message(ADMIN.id)
    assert ics.document is not None and ZOOM.encode() in ics.document.data

    # a registered teacher gets the link in the file
    await h.press(TEACHER, card, "✅ Записаться")
    registered_ics = await h.server.next_message(TEACHER.id)
    assert registered_ics.document is not None
    h.server.press_data(card, f"ev:ics:{event_id}", user=TEACHER)
    again = await h.server.next_message(TEACHER.id)
    assert again.document is not None and ZOOM.encode() in again.document.data


async def test_forget_me_promotes_both_waiting_lists_and_each_gets_the_ics(
    harness: BotHarness,
) -> None:
    h = harness
    first = await seed_event(h.sessionmaker, capacity=1, title="Первый семинар")
    second = await seed_event(h.sessionmaker, capacity=1, title="Второй семинар")
    for user in (TEACHER, SECOND, THIRD):
        await seed_teacher(h.sessionmaker, user)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for event_id, waiting in ((first, SECOND), (second, THIRD)):
            await repo.events.register(event_id, TEACHER.id)
            await repo.events.register(event_id, waiting.id)
        await repo.commit()

    confirm = await h.say(TEACHER, "/forget_me")
    done = await h.press(TEACHER, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.text
    for user, title in ((SECOND, "Первый семинар"), (THIRD, "Второй семинар")):
        told = await h.server.next_message(user.id)
        assert "Освободилось место" in told.text and title in told.text
        ics = await h.server.next_message(user.id)
        assert ics.document is not None and ics.document.filename.endswith(".ics")
    await h.server.idle()
    assert not h.server.drain(ADMIN.id)  # no error notice
    async with h.sessionmaker() as session:
        statuses = {
            (r.event_id, r.user_id): r.status
            for r in (await session.scalars(select(Registration))).all()
        }
    assert statuses == {
        (first, SECOND.id): "registered",
        (second, THIRD.id): "registered",
        (first, None): "cancelled",  # theirs: in the report's numbers, naming nobody
        (second, None): "cancelled",
    }


FORGETFUL = FakeUser(id=2005, first_name="Зинаида", last_name="Забывчивая", username="zina_zab")
QUESTION = "можно ли привести на занятие собаку-поводыря Зинаиды"
PHONE = "+7 900 555-44-33"
GROUP = -1007770001


async def seed_forgetful(h: BotHarness) -> int:
    """A teacher with a profile, consents, a subscription, a private broadcast and its ack, and
    a group they added the bot to."""
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        user, _ = await repo.users.touch(FORGETFUL.id, "Зинаида", "Забывчивая", "zina_zab")
        user.role = "teacher"
        await repo.profiles.save(
            FORGETFUL.id, full_name="Забывчивая Зинаида Львовна", organisation="ДДТ «Радуга»",
            position="Методист", contact=PHONE, mailing_consent=True,
        )  # fmt: skip
        await repo.profiles.give_consent(FORGETFUL.id, "personal_data", "2026-11-25")
        await repo.profiles.give_consent(FORGETFUL.id, "mailing", "2026-11-25")
        await repo.chats.subscribe(FORGETFUL.id, "teachers")
        broadcast = Broadcast(author_id=ADMIN.id, content='{"kind": "text", "text": "Новости"}')
        session.add(broadcast)
        await session.flush()
        session.add(Delivery(broadcast_id=broadcast.id, chat_id=FORGETFUL.id, is_private=True,
                             status="sent", message_id=7))  # fmt: skip
        session.add(Ack(broadcast_id=broadcast.id, chat_id=FORGETFUL.id, user_id=FORGETFUL.id,
                        user_name="Зинаида Забывчивая"))  # fmt: skip
        session.add(Chat(id=GROUP, title="Педагоги ДДТ", added_by=FORGETFUL.id))
        await repo.commit()
        return broadcast.id


async def test_forget_me_leaves_only_the_proof_of_consent(
    harness: BotHarness, db_path: Path
) -> None:
    h = harness
    broadcast_id = await seed_forgetful(h)
    reply = await h.say(FORGETFUL, QUESTION)
    await h.press(FORGETFUL, reply, texts.BTN_ASK_SHORT)
    post = await h.server.next_message(STAFF_CHAT)
    assert "Зинаида Забывчивая (@zina_zab)" in post.text and QUESTION in post.text

    data = await h.say(FORGETFUL, "/my_data")
    assert "Подписки на новости: Педагоги" in data.text
    assert "Отметок «Ознакомлен» под рассылками: 1" in data.text
    # the delivery ledger and the groups they added the bot to are held too, so shown
    assert "Рассылок, доставленных вам лично: 1" in data.text
    assert "Групп, куда вы добавили бота: 1" in data.text
    assert "на обработку персональных данных (версия 2026-11-25)" in data.text
    assert "на рассылку (версия 2026-11-25)" in data.text
    assert "остаётся запись о согласии" in data.text
    assert "остаются в отчётах МОЦ только числом — без id, имени и контактов" in data.text

    confirm = await h.press(FORGETFUL, data, texts.BTN_FORGET)
    done = await h.press(FORGETFUL, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.text
    await h.server.idle()

    redacted = h.server.messages[(STAFF_CHAT, post.message_id)]
    assert "Зинаида" not in redacted.text and "zina_zab" not in redacted.text
    assert QUESTION not in redacted.text and str(FORGETFUL.id) not in redacted.text
    assert "удален" in redacted.text and not redacted.inline_texts

    async with h.sessionmaker() as session:
        assert not (await session.scalars(select(Ack).where(Ack.user_id == FORGETFUL.id))).all()
        assert not (
            await session.scalars(select(Delivery).where(Delivery.chat_id == FORGETFUL.id))
        ).all()
        consents = (await session.scalars(select(Consent))).all()
        assert await session.get(Broadcast, broadcast_id) is not None
        group = await session.get(Chat, GROUP)
        assert group is not None and group.added_by is None  # the group stays, not who added it
    assert sorted((c.kind, c.version) for c in consents) == [
        ("mailing", "2026-11-25"), ("personal_data", "2026-11-25"),
    ]  # fmt: skip
    assert all(c.user_id == FORGETFUL.id and c.withdrawn_at is not None for c in consents)

    # nothing readable is left in the database files, the write-ahead log included
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in ("Зинаида", "Забывчивая", "zina_zab", PHONE, "собаку-поводыря", "Радуга"):
        assert secret.encode() not in stored, secret


async def test_forget_me_takes_the_role_menu_off_the_screen(harness: BotHarness) -> None:
    """The role is gone with the data: its reply keyboard must not stay to be tapped."""
    h = harness
    welcome = await h.say(THIRD, "/start")
    await h.press(THIRD, welcome, texts.ROLE_TITLES["teacher"])
    assert texts.BTN_EVENTS in h.server.reply_keyboard(THIRD.id)[0]
    confirm = await h.say(THIRD, "/forget_me")
    done = await h.press(THIRD, confirm, texts.BTN_FORGET_YES)
    assert done.text == texts.FORGOTTEN
    assert done.reply_markup == {"remove_keyboard": True}
    assert h.server.reply_keyboard(THIRD.id) == []
