"""An outside QA pass over broadcasts, through the real bot, the fake Bot API and the real worker:
texts exactly at Telegram's limits and full of HTML-special characters go out whole, and the
«Кто ознакомился» list shows a group title and a member's name that look like HTML literally."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select, update

from bot.app.jobs import broadcast_channel
from bot.core.clock import FrozenClock
from bot.services.staff import ack_lists
from bot.texts import broadcasts as texts_b
from broadcasts import service
from broadcasts.content import CAPTION_LIMIT, TEXT_LIMIT, Content
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options
from broadcasts.service import Target, create_broadcast
from broadcasts.worker import BroadcastWorker
from storage.models import Ack, Chat, Subscription, User
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT
from tests.fakes.max_model import JsonDict, MaxUser
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer, FakeUser, SentMessage
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import (
    NOW,
    PARENT_GROUPS,
    TEACHER_GROUP,
    Staff,
    answered,
    send_media,
    toggle,
    txt,
)
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture
from tests.test_max_groups import NOW as MAX_NOW
from tests.test_max_groups import World
from tests.test_max_groups import world as world  # a fixture

HOSTILE_MEMBER = FakeUser(id=3002, first_name="<b>Вася</b>", last_name="& <i>Ко</i>")
HOSTILE_TITLE = "<i>Родители</i> 1А & «Солнышко»"
DIRECTOR = MaxUser(701, "Лидия", "Директорова")


def exactly(limit: int) -> str:
    """`limit` visible characters, a quarter of them ones HTML must escape."""
    return ("Мама<&>" * limit)[:limit]


async def send_now(h: Staff, first: SentMessage, audience: str) -> None:
    """From «Кому отправить» to «Отправить сейчас», without tags, button or «Ознакомлен»."""
    await toggle(h, ADMIN, first, audience)
    tags = await h.press(ADMIN, first, texts_b.BTN_NEXT)
    button = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    ack_q = await h.press(ADMIN, button, texts_b.BTN_NO_BUTTON)
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)  # the sample
    summary = await h.server.next_message(ADMIN.id)
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)


async def parents_meeting_with_ack(h: Staff) -> None:
    """«Собрание» with «Ознакомлен» for the parents' groups, due now; the worker woken."""
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание", ack=True),
            target=service.Target(("parents",)), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()


async def test_a_text_of_exactly_4096_characters_full_of_html_specials_arrives_whole(
    harness: Staff,
) -> None:
    """Escaped, the text is far over 4096 characters of HTML; Telegram counts what is shown."""
    h = harness
    text = exactly(TEXT_LIMIT)
    await h.say(ADMIN, "/broadcast")
    audience = await h.say(ADMIN, text)
    assert "Кому отправить" in txt(audience)  # not refused as too long
    await send_now(h, audience, "Родители")
    for chat_id in PARENT_GROUPS:
        got = await h.server.next_message(chat_id, timeout=10)
        assert got.text == text


async def test_a_caption_of_exactly_1024_characters_arrives_whole_under_the_photo(
    harness: Staff,
) -> None:
    h = harness
    caption = exactly(CAPTION_LIMIT)
    await h.say(ADMIN, "/broadcast")
    audience = await send_media(h, {**SAMPLE_MEDIA["photo"], "caption": caption})
    assert "Кому отправить" in txt(audience)
    await send_now(h, audience, "Педагоги")
    got = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert got.kind == "photo" and got.text == caption


async def test_who_acknowledged_shows_an_html_looking_title_and_name_literally(
    harness: Staff,
) -> None:
    h = harness
    group = next(iter(PARENT_GROUPS))
    async with h.sessionmaker() as session:
        await session.execute(update(Chat).where(Chat.id == group).values(title=HOSTILE_TITLE))
        await session.commit()
    await parents_meeting_with_ack(h)
    got = await h.server.next_message(group, timeout=10)
    done = await h.server.next_message(ADMIN.id, timeout=10)
    assert "завершена" in txt(done)
    h.server.press(got, "✅ Ознакомлен", user=HOSTILE_MEMBER)  # a double tap: both at once
    h.server.press(got, "✅ Ознакомлен", user=HOSTILE_MEMBER)
    await answered(h, texts_b.ACK_THANKS)
    await answered(h, texts_b.ACK_AGAIN)

    listing = await h.say(ADMIN, "/broadcasts")
    report = await h.press(ADMIN, listing, "👀 №1 Кто ознакомился")
    shown = txt(report)
    assert f"{HOSTILE_TITLE} — 1:" in shown
    assert "• <b>Вася</b> & <i>Ко</i>" in shown
    assert shown.count("Вася") == 1  # the second tap added nobody


async def send_due_in_max(world: World) -> None:
    """Deliver every broadcast due at MAX_NOW with the real worker and channel."""
    async with FakeTelegramServer() as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        channel, client = broadcast_channel(world.settings, world.sm, bot)
        worker = BroadcastWorker(world.sm, channel, FrozenClock(MAX_NOW), instance_id="qa",
                                 options=Options(retry_base_seconds=0.05, check_every=0.1),
                                 limiter=RateLimiter(200.0))  # fmt: skip
        try:
            await worker.run_once()
        finally:
            assert client is not None
            await client.close()
            await bot.session.close()


async def test_a_director_in_max_acknowledges_once_and_staff_see_who_did(world: World) -> None:
    """A MAX director subscribed in private: «Ознакомлен» pressed twice and a made-up payload
    for a broadcast that does not exist; «Кто ознакомился» names them once, not as pending."""
    world.max.dialog(DIRECTOR)
    director = await world.internal("user", DIRECTOR.user_id)
    async with world.sm() as s:
        s.add(User(id=director, first_name=DIRECTOR.first_name, last_name=DIRECTOR.last_name))
        await s.flush()
        s.add(Subscription(user_id=director, audience="directors"))
        broadcast = await create_broadcast(
            s, author_id=1000, content=Content("text", "Совещание <b>в пятницу</b>", ack=True),
            target=Target(("directors",)), at=None, now=MAX_NOW,
        )  # fmt: skip
        await s.commit()
    await send_due_in_max(world)
    (got,) = world.max.sent_to(DIRECTOR)
    first = world.max.press(DIRECTOR, got, "✅ Ознакомлен")
    again = world.max.press(DIRECTOR, got, "✅ Ознакомлен")
    forged = world.max.press_payload(DIRECTOR, got, "ack:999")
    assert await world.pump() == [True, True, True]
    answers = {k: v["notification"] for k, v in world.max.answers}
    assert (answers[first], answers[again], answers[forged]) == (
        texts_b.ACK_THANKS, texts_b.ACK_AGAIN, texts_b.ACK_GONE,
    )  # fmt: skip
    async with world.sm() as s:
        acks = await ack_lists.gather(Repositories(s), broadcast.id)
    (shown,) = ack_lists.render(broadcast.id, acks)
    assert f"<b>{texts_b.PRIVATE_CHATS}</b> — 1:" in shown and "Лидия Директорова" in shown
    assert "Не отметились" not in shown


async def test_a_group_that_became_a_supergroup_gets_it_once_and_its_acks_keep_the_title(
    harness: Staff,
) -> None:
    """Telegram refuses the send with migrate_to_chat_id before the bot heard of the move:
    the message goes to the supergroup once, and «Кто ознакомился» still names the group."""
    h = harness
    old, new = -1001001, -1001777
    h.server.migrate(old, new)
    await parents_meeting_with_ack(h)
    got = await h.server.next_message(new, timeout=10)
    done = await h.server.next_message(ADMIN.id, timeout=10)
    assert "Доставлено: 4 из 4" in txt(done)
    assert len(h.server.sent_to(new)) == 1 and h.server.sent_to(old) == []
    h.server.press(got, "✅ Ознакомлен", user=HOSTILE_MEMBER)
    await answered(h, texts_b.ACK_THANKS)

    listing = await h.say(ADMIN, "/broadcasts")
    report = await h.press(ADMIN, listing, "👀 №1 Кто ознакомился")
    assert f"{PARENT_GROUPS[old]} — 1:" in txt(report)


async def test_a_parent_writing_during_a_broadcasts_429_is_answered_before_the_broadcast_resumes(
    harness: Staff,
) -> None:
    """A parents' group answers 429 «retry after 3» at the broadcast's first send. The bot was
    not busy there, so it blames Telegram's overall limit and pauses everything (README,
    «Исходящие сообщения»). A parent who writes meanwhile is answered right after the pause,
    ahead of the broadcast, and the group still gets the broadcast once."""
    h = harness
    group = next(iter(PARENT_GROUPS))
    h.server.fail_next("sendMessage", status=429, retry_after=3, chat_id=group)
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание в четверг"),
            target=service.Target(("parents",)), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    await h.server.wait_for("sendMessage", lambda c: c.params.get("chat_id") == group)
    asked = time.monotonic()
    reply = await h.say(PARENT, "/help", within=8)
    assert reply.text and time.monotonic() - asked < 5
    got = await h.server.next_message(group, timeout=10)
    assert got.text == "Собрание в четверг" and len(h.server.sent_to(group)) == 1
    sends = [c.params.get("chat_id") for c in h.server.calls if c.method == "sendmessage"]
    retried = len(sends) - 1 - sends[::-1].index(group)
    assert sends.index(PARENT.id) < retried  # people first once the pause is over


async def test_an_album_sent_as_the_broadcast_goes_whole(
    harness: Staff,
) -> None:
    """Telegram delivers an album as one message per photo. Before, the first became the
    broadcast and the rest got «Нажмите одну из кнопок выше» each; then only the first went
    out. Now every photo joins the draft silently and the group gets the whole album."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    album = [
        {**SAMPLE_MEDIA["photo"], "media_group_id": "77", **({"caption": "Праздник"} if i else {})}
        for i in (1, 0, 0)
    ]
    for photo in album:
        h.server.user_sends(None, user=ADMIN, extra=photo)
    audience = await h.server.next_message(ADMIN.id)
    assert "Кому отправить" in txt(audience)
    await h.server.idle(quiet=0.5)
    assert len(h.server.sent_to(ADMIN.id)) == 2  # one question per album, not one per photo
    await toggle(h, ADMIN, audience, "Педагоги")
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    button = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    ack_q = await h.press(ADMIN, button, texts_b.BTN_NO_BUTTON)
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    h.server.press(repeat, texts_b.BTN_REPEAT_NONE, user=ADMIN)
    *sample, summary = [await h.server.next_message(ADMIN.id) for _ in range(4)]
    assert [m.kind for m in sample] == ["photo"] * 3  # the preview: the whole album
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    await until(lambda: len(h.server.sent_to(TEACHER_GROUP)) >= 3, 10, "the album")
    got = h.server.sent_to(TEACHER_GROUP)
    assert [m.kind for m in got] == ["photo"] * 3 and got[0].text == "Праздник"
    assert got[0].media_group_id and len({m.media_group_id for m in got}) == 1


async def test_an_album_whose_caption_is_refused_does_not_go_as_its_next_photo(
    harness: Staff,
) -> None:
    """A Premium client allows a 4096-character caption. Before, the album's first photo was
    refused for it and the second, without any caption, silently became the broadcast."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    for i in (1, 0):
        caption = {"caption": "б" * 1100} if i else {}
        h.server.user_sends(
            None, user=ADMIN, extra={**SAMPLE_MEDIA["photo"], "media_group_id": "78", **caption}
        )
    refusal = await h.server.next_message(ADMIN.id)
    assert "1100" in txt(refusal) and "1024" in txt(refusal)
    await h.server.idle(quiet=0.5)
    assert not [m for m in h.server.sent_to(ADMIN.id) if "Кому отправить" in txt(m)]
    audience = await h.say(ADMIN, "Короткий текст")  # the dialog still takes the next try
    assert "Кому отправить" in txt(audience)


@dataclass
class FirstNameOnly(MaxUser):
    """A MAX user whose `name` MAX gives as the first name alone."""

    def json(self) -> JsonDict:
        return {**super().json(), "name": self.first_name}


async def test_max_marks_keep_the_surname_and_forged_presses_are_refused(world: World) -> None:
    """A director's mark names them in full though MAX's `name` is the first name; presses
    made up for a broadcast without «Ознакомлен» or one never sent to them save nothing."""
    director = FirstNameOnly(702, "Лидия", "Директорова")
    world.max.dialog(director)
    uid = await world.internal("user", director.user_id)
    async with world.sm() as s:
        s.add(User(id=uid, first_name=director.first_name, last_name=director.last_name))
        await s.flush()
        s.add(Subscription(user_id=uid, audience="directors"))
        made = [
            await create_broadcast(
                s,
                author_id=1000,
                content=Content("text", text, ack=ack),
                target=Target(("directors",)),
                at=at,
                now=MAX_NOW,
            )
            for text, ack, at in [
                ("Совещание", True, None),
                ("Каникулы", False, None),
                ("Отчёт", True, MAX_NOW + timedelta(days=1)),  # not sent yet
            ]
        ]
        await s.commit()
    await send_due_in_max(world)
    got = next(m for m in world.max.sent_to(director) if "Совещание" in m.text)
    presses = [
        world.max.press_payload(director, got, f"ack:{broadcast.id}")
        for broadcast in (made[1], made[2], made[0])
    ]
    assert await world.pump() == [True, True, True]
    answers = {k: v["notification"] for k, v in world.max.answers}
    assert [answers[p] for p in presses] == [
        texts_b.ACK_NO_BUTTON, texts_b.ACK_NOT_HERE, texts_b.ACK_THANKS,
    ]  # fmt: skip
    async with world.sm() as s:
        marks = (await s.execute(select(Ack.broadcast_id, Ack.user_name))).all()
    assert [tuple(m) for m in marks] == [(made[0].id, "Лидия Директорова")]


async def test_forged_oznakomlen_presses_in_telegram_are_refused_and_save_nothing(
    harness: Staff,
) -> None:
    """A made-up «ack:<id>» for a broadcast without the button, or pressed in a group the
    broadcast never went to, is answered with an alert and leaves no mark in the list."""
    h = harness
    group = next(iter(PARENT_GROUPS))
    async with h.sessionmaker() as session:
        for audience, ack in (("parents", True), ("teachers", False)):
            await service.create_broadcast(
                session, author_id=ADMIN.id, content=Content("text", audience, ack=ack),
                target=service.Target((audience,)), at=NOW, now=NOW,
            )  # fmt: skip
        await session.commit()
    h.worker.wake()
    got = await h.server.next_message(group, timeout=10)
    teachers = await h.server.next_message(TEACHER_GROUP, timeout=10)
    h.server.press_data(teachers, "ack:1", user=HOSTILE_MEMBER)  # parents' only
    not_here = await answered(h, texts_b.ACK_NOT_HERE)
    h.server.press_data(got, "ack:2", user=HOSTILE_MEMBER)  # it had no «Ознакомлен»
    no_button = await answered(h, texts_b.ACK_NO_BUTTON)
    assert not_here.params.get("show_alert") and no_button.params.get("show_alert")
    async with h.sessionmaker() as session:
        acks = await ack_lists.gather(Repositories(session), 1)
        assert (await ack_lists.gather(Repositories(session), 2)).by_chat == {}
    assert acks.by_chat == {}
    h.server.press(got, "✅ Ознакомлен", user=HOSTILE_MEMBER)  # the real button still works
    await answered(h, texts_b.ACK_THANKS)
