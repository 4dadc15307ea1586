"""An outside QA pass over parents' groups where the bot is still a member but may not write:
a group admin restricts it (or the whole group is made read-only), a forum supergroup whose
«General» topic is closed. Staff must hear which group it is and what to do — not that the
bot was removed — and the group must keep its audiences, so the next broadcast reaches it
once the right is back.

The real bot and its broadcast worker (jobs on) over the fake Telegram server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.services.faq import FaqService
from storage.db import SessionMaker
from storage.models import Chat, ChatAudience
from tests.conftest import ADMIN, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.max_both import Both
from tests.helpers.wait import until
from tests.test_e2e_chats import member_change
from tests.test_e2e_gone_groups import broadcast

MUTED, FORUM, OTHER = -1001990001, -1001990002, -1001990003
MUTED_TITLE = "Родители 2Б <гимназия & №3>"  # HTML-special: every value must be escaped


@pytest.fixture
async def h(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Any,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Both]:
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service, broadcast_poll_seconds=0.2
    ) as both:
        yield both


async def seed(h: Both) -> None:
    titles = {MUTED: MUTED_TITLE, FORUM: "Родители 6В (форум)", OTHER: "Родители 1А"}
    async with h.sessionmaker() as s:
        for chat_id, title in titles.items():
            chat = Chat(id=chat_id, kind="supergroup", title=title)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience="parents")]
            s.add(chat)
            h.tg.chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        await s.commit()


def admin_texts(h: Both) -> list[str]:
    return [m.text or "" for m in h.tg.sent_to(ADMIN.id)]


async def is_active(h: Both, chat_id: int) -> bool:
    async with h.sessionmaker() as s:
        chat = await s.get(Chat, chat_id)
    assert chat is not None
    return chat.is_active


async def test_a_refusal_for_lack_of_rights_is_not_a_removal(h: Both) -> None:
    """Telegram refuses a restricted bot with «not enough rights» (as 403 too). The bot was
    taken for removed: staff read «бота там больше нет — его удалили», the group went inactive
    and later broadcasts skipped it even after its admin gave the right back."""
    await seed(h)
    h.tg.fail_next(
        "sendMessage", status=403, chat_id=MUTED,
        description="Forbidden: not enough rights to send text messages to the chat",
    )  # fmt: skip
    await broadcast(h, "Собрание в четверг")
    await until(lambda: any("завершена" in t for t in admin_texts(h)), what="the report")
    await h.tg.idle()
    said = "\n".join(admin_texts(h))
    assert "удалили" not in said and "не дошла до" not in said, said
    assert "у бота нет права писать в этот чат — 1" in said, said
    assert await is_active(h, MUTED)

    await broadcast(h, "Собрание перенесено на пятницу")  # the admin gave the right back
    assert [m.text for m in h.tg.sent_to(MUTED)] == ["Собрание перенесено на пятницу"]


async def test_staff_hear_when_the_bot_may_no_longer_write_in_a_bound_group(h: Both) -> None:
    """The group admin takes away the bot's right to send messages: until now nobody was
    told, and staff learned it only from a failed broadcast, without the group's name."""
    await seed(h)
    chat = {"id": MUTED, "type": "supergroup", "title": MUTED_TITLE}
    member_change(h.tg, chat, ADMIN, "member", "restricted")
    await until(lambda: any("запретили" in t for t in admin_texts(h)), what="the notice")
    (notice,) = [t for t in admin_texts(h) if "запретили" in t]
    assert f"супергруппе {MUTED_TITLE} (id {MUTED})" in notice, notice
    assert "Рассылки для: Родители" in notice and "право отправлять сообщения" in notice
    assert await is_active(h, MUTED)

    # a group bound to nothing is nobody's news, as for a removal
    async with h.sessionmaker() as s:
        s.add(Chat(id=-1001990009, kind="supergroup", title="Болталка"))
        await s.commit()
    quiet = {"id": -1001990009, "type": "supergroup", "title": "Болталка"}
    member_change(h.tg, quiet, ADMIN, "member", "restricted")
    await h.tg.idle()
    assert not any("Болталка" in t for t in admin_texts(h))


async def test_a_closed_general_topic_is_said_in_russian(h: Both) -> None:
    """A forum supergroup takes a message without a topic into «General»; when its admins
    closed that topic Telegram answers «TOPIC_CLOSED», and the author read it in English
    as «другая ошибка»."""
    await seed(h)
    h.tg.fail_next("sendMessage", status=400, chat_id=FORUM,
                   description="Bad Request: TOPIC_CLOSED")  # fmt: skip
    await broadcast(h, "Собрание в четверг")
    await until(lambda: any("завершена" in t for t in admin_texts(h)), what="the report")
    report = next(t for t in admin_texts(h) if "завершена" in t)
    assert "TOPIC_CLOSED" not in report and "другая ошибка" not in report, report
    assert "закрыта тема «General»" in report, report


async def test_staff_hear_when_the_right_to_write_comes_back(h: Both) -> None:
    """…and when a directors' channel makes the bot its admin again after demoting it."""
    await seed(h)
    chat = {"id": MUTED, "type": "supergroup", "title": MUTED_TITLE}
    member_change(h.tg, chat, ADMIN, "member", "restricted")
    await until(lambda: any("запретили" in t for t in admin_texts(h)), what="the notice")
    member_change(h.tg, chat, ADMIN, "restricted", "member")
    await until(lambda: any("снова разрешили" in t for t in admin_texts(h)), what="freed")
    (freed,) = [t for t in admin_texts(h) if "снова разрешили" in t]
    assert f"супергруппе {MUTED_TITLE} (id {MUTED})" in freed, freed

    channel_id = -1002990001
    async with h.sessionmaker() as s:
        row = Chat(id=channel_id, kind="channel", title="Руководители ОО")
        row.audiences = [ChatAudience(chat_id=channel_id, audience="directors")]
        s.add(row)
        await s.commit()
    channel = {"id": channel_id, "type": "channel", "title": "Руководители ОО"}
    member_change(h.tg, channel, ADMIN, "administrator", "member")
    await until(lambda: any("канале Руководители ОО" in t and "запретили" in t
                            for t in admin_texts(h)), what="the channel's notice")  # fmt: skip
    member_change(h.tg, channel, ADMIN, "member", "administrator")
    await until(lambda: any("канале Руководители ОО" in t and "снова" in t
                            for t in admin_texts(h)), what="the channel's freed")  # fmt: skip


async def test_a_muted_bot_asked_in_its_group_does_not_page_staff_with_errors(h: Both) -> None:
    """A parent names the bot in a group where it may not write: its pointer is refused «not
    enough rights». Staff read «⚠️ Ошибка при обработке обновления …: TelegramBadRequest …»
    in English on top of the notice that the group took the right away."""
    await seed(h)
    h.tg.fail_next(
        "sendMessage", status=400, chat_id=MUTED, count=5,
        description="Bad Request: not enough rights to send text messages to the chat",
    )  # fmt: skip
    me = f"@{h.tg.bot_username}"
    h.tg.user_sends(
        f"{me}, когда собрание?", chat_id=MUTED, chat_type="supergroup", chat_title=MUTED_TITLE,
        extra={"entities": [{"type": "mention", "offset": 0, "length": len(me)}]},
    )  # fmt: skip
    await until(
        lambda: any(c.method == "sendmessage" and not c.ok for c in h.tg.calls),
        what="the refused pointer",
    )
    await h.tg.idle()
    assert not any("Ошибка при обработке" in t for t in admin_texts(h)), admin_texts(h)


async def test_demoted_in_a_chat_where_only_admins_write(h: Both) -> None:
    """A parents' announcement chat: members may not write, only admins (the bot among them).
    Someone takes the bot's admin rights away — it is a plain member now and cannot post, and
    nobody was told; made an admin again, it can."""
    await seed(h)
    h.tg.chats[MUTED]["permissions"] = {"can_send_messages": False}
    chat = {"id": MUTED, "type": "supergroup", "title": MUTED_TITLE}
    member_change(h.tg, chat, ADMIN, "administrator", "member")
    await until(lambda: any("запретили" in t for t in admin_texts(h)), what="the notice")
    member_change(h.tg, chat, ADMIN, "member", "administrator")
    await until(lambda: any("снова разрешили" in t for t in admin_texts(h)), what="freed")

    # in a chat where everyone writes, a demoted bot still writes: nobody is bothered
    h.tg.chats[OTHER]["permissions"] = {"can_send_messages": True}
    other = {"id": OTHER, "type": "supergroup", "title": "Родители 1А"}
    member_change(h.tg, other, ADMIN, "administrator", "member")
    await h.tg.idle()
    assert not any("Родители 1А" in t for t in admin_texts(h)), admin_texts(h)
