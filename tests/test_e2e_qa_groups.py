"""An outside QA pass over parents' groups in Telegram, through the real bot, the fake Bot API
and the real broadcast worker: a parent addressing the bot by @name under a photo, and
«Ознакомлен» pressed before and after the group became a supergroup."""

from __future__ import annotations

import dataclasses

from bot.texts import broadcasts as texts_b
from bot.texts import chats as t
from broadcasts import service
from broadcasts.content import Content
from handlers.tg.callbacks import AckCb
from storage.models import Chat, ChatAudience
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeUser
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import NOW, PARENT_GROUPS, Staff, answered, txt
from tests.test_e2e_broadcasts import harness as staff_harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture
from tests.test_e2e_chats import (
    CHANNEL,
    GROUP,
    TITLE,
    harness,
    in_group,
    member_change,
    shown,
)

__all__ = ["harness", "settings", "staff_harness"]

SMALL_GROUP, ITS_SUPERGROUP = -4000000777, -1001000000777
SMALL_TITLE = "Родители 4Г 🎨"
FATHER = FakeUser(id=3003, first_name="Олег", last_name="Петров")


async def test_a_photo_whose_caption_names_the_bot_gets_the_pointer_once(
    harness: BotHarness,
) -> None:
    """With privacy mode on Telegram delivers a message that mentions the bot, a photo with a
    caption included: the parent asked the bot something and hears where to ask it."""
    h = harness
    member_change(
        h.server, {"id": GROUP, "type": "group", "title": TITLE}, ADMIN, "left", "member"
    )
    in_group(h, ADMIN, "/bind parents")
    await h.server.idle()
    h.server.drain(GROUP)  # the /bind answer
    before = len(h.server.sent_to(GROUP))
    me = f"@{h.server.bot_username}"
    caption = f"{me}, что это за справка?"
    mention = {"type": "mention", "offset": 0, "length": len(me)}
    photo = {**SAMPLE_MEDIA["photo"], "caption": caption, "caption_entities": [mention]}
    in_group(h, PARENT, None, **photo)
    in_group(h, PARENT, None, **{**SAMPLE_MEDIA["photo"], "caption": "а это наш класс"})
    reply = await h.server.next_message(GROUP)
    await h.server.idle()
    assert shown(reply) == t.IN_GROUP
    assert [shown(m) for m in h.server.sent_to(GROUP)[before:]] == [t.IN_GROUP]


async def test_acks_before_and_after_the_move_to_a_supergroup_are_one_chat(
    staff_harness: Staff,
) -> None:
    """A parent confirms in the group; the group becomes a supergroup (its history moves with
    it); another parent confirms there. Staff see one chat with two names, not the same group
    listed twice."""
    h = staff_harness
    async with h.sessionmaker() as session:
        chat = Chat(id=SMALL_GROUP, kind="group", title=SMALL_TITLE)
        chat.audiences = [ChatAudience(chat_id=SMALL_GROUP, audience="parents")]
        session.add(chat)
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание", ack=True),
            target=service.Target(("parents",), include_private=False), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    got = await h.server.next_message(SMALL_GROUP, timeout=10)
    assert "завершена" in txt(await h.server.next_message(ADMIN.id, timeout=10))
    h.server.press(got, "✅ Ознакомлен", user=PARENT)
    await answered(h, texts_b.ACK_THANKS)

    h.server.user_sends(
        None, user=ADMIN, chat_id=SMALL_GROUP, chat_type="group", chat_title=SMALL_TITLE,
        extra={"migrate_to_chat_id": ITS_SUPERGROUP},
    )  # fmt: skip
    h.server.migrate(SMALL_GROUP, ITS_SUPERGROUP)
    h.server.user_sends(
        None, user=ADMIN, chat_id=ITS_SUPERGROUP, chat_type="supergroup",
        chat_title=SMALL_TITLE, extra={"migrate_from_chat_id": SMALL_GROUP},
    )  # fmt: skip
    await h.server.idle()
    moved = dataclasses.replace(got, chat_id=ITS_SUPERGROUP, raw=None)  # same post, new home
    data = AckCb(b=1).pack()
    h.server.press_data(moved, data, user=FATHER)
    await answered(h, texts_b.ACK_THANKS)
    h.server.press_data(moved, data, user=PARENT)  # pressed before the move: already counted
    await answered(h, texts_b.ACK_AGAIN)

    listing = await h.say(ADMIN, "/broadcasts")
    report = txt(await h.press(ADMIN, listing, "👀 №1 Кто ознакомился"))
    assert f"{SMALL_TITLE} — 2:" in report, report
    assert "супергруппа" not in report and report.count(SMALL_TITLE) == 1, report
    assert "Мария Иванова" in report and "Олег Петров" in report


async def test_a_renamed_channel_is_listed_under_its_new_name(harness: BotHarness) -> None:
    """Directors read announcements in a channel; its admins rename it: /chats (and the
    panel, the admins' notices, «Кто ознакомился») name it as the directors now see it, as
    for a renamed group."""
    h = harness
    old, new = "Руководители ОО", "Руководители школ района <2027>"
    channel = {"id": CHANNEL, "type": "channel", "title": old}
    member_change(h.server, channel, ADMIN, "left", "administrator")
    note = await h.server.next_message(ADMIN.id)
    h.server.press(note, "Руководители", user=ADMIN)
    await h.server.callback_answer()
    h.server.user_sends(
        None, chat_id=CHANNEL, chat_type="channel", chat_title=old,
        extra={"new_chat_title": new},
    )  # fmt: skip
    await h.server.idle()
    report = shown(await h.say(ADMIN, "/chats"))
    assert new in report and old not in report, report


async def test_forty_parents_pressing_at_once_are_all_thanked_and_listed(
    staff_harness: Staff,
) -> None:
    h = staff_harness
    group = next(iter(PARENT_GROUPS))
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание", ack=True),
            target=service.Target(("parents",), include_private=False), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    got = await h.server.next_message(group, timeout=10)
    assert "завершена" in txt(await h.server.next_message(ADMIN.id, timeout=10))
    crowd = [FakeUser(id=5000 + n, first_name="Родитель", last_name=str(n)) for n in range(40)]
    for parent in crowd:
        h.server.press(got, "✅ Ознакомлен", user=parent)

    def answers() -> list[object]:
        return [c.params.get("text") for c in h.server.calls if c.method == "answercallbackquery"]

    await until(lambda: len(answers()) >= len(crowd), what="40 answers")
    await h.server.idle()
    assert answers() == [texts_b.ACK_THANKS] * len(crowd)
    listing = await h.say(ADMIN, "/broadcasts")
    report = txt(await h.press(ADMIN, listing, "👀 №1 Кто ознакомился"))
    assert f"{PARENT_GROUPS[group]} — 40:" in report, report
