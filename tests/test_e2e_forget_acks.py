"""/forget_me and «Кто ознакомился» (152-ФЗ): a director presses «Ознакомлен», staff's list
names them; after the director deletes their data the list message staff hold is edited
without the name (the counts as the panel's, a line saying why), in Telegram and in MAX, and
the panel's broadcast page no longer shows it either. Someone who got the broadcast and has
not pressed yet is named too (under «Не отметились»), and leaves the list the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import texts
from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock, SystemClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import broadcasts as tb
from broadcasts.content import Content
from broadcasts.runtime import Options
from broadcasts.service import Target, create_broadcast
from broadcasts.worker import BroadcastWorker
from handlers.tg.broadcast_channel import TelegramChannel
from handlers.tg.messenger import TelegramMessenger
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.conftest import ADMIN, BotHarness, make_settings
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import ApiCall, FakeUser, SentMessage
from tests.helpers.max_bot import answered, max_only_bot, say
from tests.helpers.panel import client_for, sign_in
from tests.helpers.wait import until

NEWS = "Совещание руководителей в пятницу"
LEAVER = FakeUser(id=2101, first_name="Зинаида", last_name="Забывчивая")
STAYS = FakeUser(id=2102, first_name="Олег", last_name="Помнящий")
SILENT = FakeUser(id=2103, first_name="Инна", last_name="Молчаливая")
MAX_ADMIN = MaxUser(53_000_000_001, "Анна", "Методист")
MAX_LEAVER = MaxUser(53_000_000_101, "Зинаида", "Забывчивая")
MAX_STAYS = MaxUser(53_000_000_102, "Олег", "Помнящий")
OPTIONS = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The bot's settings carry the panel's secret too (the test reads the panel)."""
    return make_settings(db_path, web_secret="panel-test-secret")


async def directors_news(sm: SessionMaker, people: Sequence[tuple[int, str, str]]) -> int:
    """Directors (internal id, first and last name) subscribed to their news, and a
    broadcast to them with «Ознакомлен», due now; its id."""
    async with sm() as session:
        repo = Repositories(session)
        for user_id, first, last in people:
            # subscribed in private: their names are kept (UserRepo.touch)
            await repo.users.touch(user_id, first, last, None, keep_name=True)
            await repo.users.set_role(user_id, "director")
            await repo.chats.subscribe(user_id, "directors")
        now = datetime.now(UTC)
        broadcast = await create_broadcast(
            session, author_id=None, content=Content("text", NEWS, ack=True),
            target=Target(("directors",)), at=None, now=now,
        )  # fmt: skip
        await repo.commit()
        return broadcast.id


# ----------------------------------------------------------------- Telegram


async def test_telegram_list_and_panel_lose_the_name_of_who_forgot(
    harness: BotHarness,
) -> None:
    h = harness
    people = [(u.id, u.first_name, u.last_name or "") for u in (LEAVER, STAYS, SILENT)]
    bid = await directors_news(h.sessionmaker, people)
    worker = BroadcastWorker(
        h.sessionmaker, TelegramChannel(h.bot), SystemClock(), instance_id="acks",
        options=OPTIONS,
    )  # fmt: skip
    await worker.run_once()
    for user in (LEAVER, STAYS):
        (news,) = h.server.sent_to(user.id)
        assert news.text == NEWS
        h.server.press(news, "✅ Ознакомлен", user=user)
        assert (await h.server.callback_answer()).params["text"] == tb.ACK_THANKS

    listing = await h.say(ADMIN, "/broadcasts")
    shown = await h.press(ADMIN, listing, tb.BTN_ACKS_ONE.format(id=bid))
    assert "Личные сообщения — 2:\n• Зинаида Забывчивая\n• Олег Помнящий" in shown.text
    assert "Не отметились в личных сообщениях — 1:\n• Инна Молчаливая" in shown.text
    panel = await client_for(
        h.settings, h.sessionmaker, TelegramMessenger(h.bot), FrozenClock(datetime.now(UTC))
    )
    try:
        await sign_in(panel, h.settings, FrozenClock(datetime.now(UTC)))
        page = await (await panel.get(f"/web/broadcasts/{bid}")).text()
        assert "Зинаида Забывчивая" in page and "Инна Молчаливая" in page

        await forget(h, LEAVER)
        await h.server.wait_for("editMessageText", lambda c: is_list(c, shown))
        edited = h.server.messages[(ADMIN.id, shown.message_id)].text
        assert "Зинаида" not in edited and "Забывчивая" not in edited
        assert "Личные сообщения — 1:\n• Олег Помнящий" in edited  # the count follows
        assert "Не отметились в личных сообщениях — 1:\n• Инна Молчаливая" in edited
        assert "участник удалил свои данные" in edited
        page = await (await panel.get(f"/web/broadcasts/{bid}")).text()
        assert "Зинаида" not in page and "Олег Помнящий" in page

        await forget(h, SILENT)  # never pressed: named as «не отметились», and no longer
        await h.server.wait_for(
            "editMessageText", lambda c: is_list(c, shown) and "Инна" not in c.params["text"]
        )
        edited = h.server.messages[(ADMIN.id, shown.message_id)].text
        assert "Молчаливая" not in edited and "Не отметились" not in edited
        assert "Личные сообщения — 1:\n• Олег Помнящий" in edited
        page = await (await panel.get(f"/web/broadcasts/{bid}")).text()
        assert "Молчаливая" not in page
    finally:
        await panel.close()


def is_list(call: ApiCall, shown: SentMessage) -> bool:
    """An edit of the list message staff were shown."""
    where = (str(call.params.get("chat_id")), str(call.params.get("message_id")))
    return where == (str(ADMIN.id), str(shown.message_id))


async def forget(h: BotHarness, user: FakeUser) -> None:
    h.server.drain(user.id)  # the broadcast, read
    confirm = await h.say(user, "/forget_me")
    done = await h.press(user, confirm, texts.BTN_FORGET_YES)
    assert done.text == texts.FORGOTTEN


# ----------------------------------------------------------------- MAX


async def test_max_list_message_is_edited_without_who_forgot(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """MAX staff get «Кто ознакомился» under /broadcasts as Telegram staff do; /forget_me in
    MAX edits that list by its `mid`."""
    async with max_only_bot(db_path, sessionmaker, faq_service, MAX_ADMIN) as (fake, services):
        ids = []
        async with sessionmaker() as session:
            repo = Repositories(session)
            for user in (MAX_LEAVER, MAX_STAYS):
                fake.dialog(user)
                ids.append(await repo.channel_ids.internal("max", "user", user.user_id))
            await repo.commit()
        names = [(MAX_LEAVER.first_name, MAX_LEAVER.last_name), ("Олег", "Помнящий")]
        bid = await directors_news(
            sessionmaker, [(i, *n) for i, n in zip(ids, names, strict=True)]
        )
        channel, client = broadcast_channel(services.settings, sessionmaker, None)
        worker = BroadcastWorker(
            sessionmaker, channel, SystemClock(), instance_id="acks-max", options=OPTIONS
        )
        try:
            await worker.run_once()
        finally:
            assert client is not None
            await client.close()
        for user in (MAX_LEAVER, MAX_STAYS):
            (news,) = await fake.wait_sent(user, 1)
            assert news.plain == NEWS
            assert await answered(fake, fake.press(user, news, "✅ Ознакомлен")) == tb.ACK_THANKS

        (listing,) = await say(fake, MAX_ADMIN, "/broadcasts")
        before = len(fake.sent_to(MAX_ADMIN))
        fake.press(MAX_ADMIN, listing, tb.BTN_ACKS_ONE.format(id=bid))
        shown: Message = (await fake.wait_sent(MAX_ADMIN, before + 1))[-1]
        assert "Личные сообщения — 2:\n• Зинаида Забывчивая\n• Олег Помнящий" in shown.plain

        (confirm,) = await say(fake, MAX_LEAVER, "/forget_me")
        fake.press(MAX_LEAVER, confirm, texts.BTN_FORGET_YES)
        await until(lambda: "Зинаида" not in shown.plain, 15, "the list edited")
        assert "Забывчивая" not in shown.plain
        assert "Личные сообщения — 1:\n• Олег Помнящий" in shown.plain
        assert "участник удалил свои данные" in shown.plain
        assert fake.sent_to(MAX_ADMIN)[-1] is shown  # edited in place, nothing new sent


async def test_a_recipient_who_left_the_news_is_not_named_by_their_id(
    harness: BotHarness,
) -> None:
    """Unsubscribing drops the stored name (nothing needs it any more); «Не отметились» then
    says they left the news instead of showing their Telegram id."""
    h = harness
    people = [(u.id, u.first_name, u.last_name or "") for u in (STAYS, SILENT)]
    bid = await directors_news(h.sessionmaker, people)
    worker = BroadcastWorker(
        h.sessionmaker, TelegramChannel(h.bot), SystemClock(), instance_id="left",
        options=OPTIONS,
    )  # fmt: skip
    await worker.run_once()
    assert (await h.server.next_message(SILENT.id)).text == NEWS
    assert "отписались" in (await h.say(SILENT, "/unsubscribe")).text

    listing = await h.say(ADMIN, "/broadcasts")
    shown = await h.press(ADMIN, listing, tb.BTN_ACKS_ONE.format(id=bid))
    assert "Не отметились в личных сообщениях — 2:" in shown.text, shown.text
    assert "Олег Помнящий" in shown.text and tb.ACKS_UNSUBSCRIBED in shown.text
    assert str(SILENT.id) not in shown.text and "Молчаливая" not in shown.text
