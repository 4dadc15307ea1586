"""A parents' group through the real bot, as its members and МОЦ staff use it: staff commands
typed there are not answered there (every parent would read the tickets, the report, the
unanswered questions), while the staff group keeps them."""

from __future__ import annotations

from bot import texts
from bot.texts import chats as t
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.helpers.wait import until
from tests.test_e2e_chats import GROUP, TITLE, harness, in_group, member_change, shown
from tests.test_e2e_tickets import UNKNOWN, ask_specialist

__all__ = ["harness"]  # the fixture, shared with test_e2e_chats


async def test_staff_commands_in_a_parents_group_do_not_show_tickets_or_the_report(
    harness: BotHarness,
) -> None:
    h = harness
    member_change(
        h.server, {"id": GROUP, "type": "group", "title": TITLE}, ADMIN, "left", "member"
    )
    in_group(h, ADMIN, "/bind parents")
    await h.server.next_message(GROUP)
    ticket_id = await ask_specialist(h)  # a parent's question, open, waiting for staff
    await h.server.idle()

    for command in ("tickets", "faq_stats", "report", "faq_drafts", "new_event"):
        before = len(h.server.sent_to(GROUP))
        in_group(h, ADMIN, f"/{command}@{h.server.bot_username}")
        await h.server.idle()
        said = h.server.sent_to(GROUP)[before:]
        assert [shown(m) for m in said] == [t.STAFF_COMMAND_ELSEWHERE.format(command=command)], (
            f"/{command} in the parents' group"
        )
        assert all(m.kind == "text" for m in said), "no report workbook in the group"
    assert not any(UNKNOWN in shown(m) for m in h.server.sent_to(GROUP))

    h.server.user_sends("/tickets", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup")
    listed = await h.server.next_message(STAFF_CHAT)
    while f"№{ticket_id}" not in shown(listed):  # the new-ticket post came first
        listed = await h.server.next_message(STAFF_CHAT)
    assert f"№{ticket_id}" in shown(listed)
    before = len(h.server.sent_to(GROUP))
    in_group(h, PARENT, "/tickets")
    await h.server.idle()
    assert [shown(m) for m in h.server.sent_to(GROUP)[before:]] == [texts.ADMIN_ONLY]


async def test_a_parent_addressing_the_bot_in_the_group_is_sent_to_the_private_chat(
    harness: BotHarness,
) -> None:
    """/start, /help, /cancel and @bot get one short pointer to the private chat (not the
    private menu's help, not the staff commands) — one for the group, not one each, while a
    question to the bot by name gets its own; talk among parents, replies included, gets
    nothing. (Replies in a row to one group are paced: waited for, not `idle`.)"""
    h = harness
    member_change(
        h.server, {"id": GROUP, "type": "group", "title": TITLE}, ADMIN, "left", "member"
    )
    in_group(h, ADMIN, "/bind parents")
    await h.server.idle()
    start = len(h.server.sent_to(GROUP))
    me = f"@{h.server.bot_username}"

    in_group(h, PARENT, "/start")
    in_group(h, PARENT, f"/help{me}")
    in_group(h, ADMIN, "/help")  # staff in a parents' group: no staff command list there
    in_group(h, PARENT, "/cancel")  # not «откройте меню»: a group has no menu
    question = f"{me}, как активировать сертификат?"
    mention = {"type": "mention", "offset": 0, "length": len(me)}
    in_group(h, PARENT, question, entities=[mention])
    await until(lambda: len(h.server.sent_to(GROUP)) >= start + 2, what="two pointers")
    await h.server.idle()
    pointers = h.server.sent_to(GROUP)[start:]
    assert [shown(m) for m in pointers] == [t.IN_GROUP] * 2
    assert pointers[0].button(t.BTN_OPEN_PRIVATE).url == f"https://t.me/{h.server.bot_username}"

    quiet = len(h.server.sent_to(GROUP))
    in_group(h, PARENT, "как активировать сертификат?")  # to the other parents
    h.server.user_sends(
        "спасибо!", user=PARENT, chat_id=GROUP, chat_type="group", chat_title=TITLE,
        reply_to=pointers[0],
    )  # fmt: skip
    in_group(h, PARENT, "@someone_else посмотрите")
    await h.server.idle()
    assert h.server.sent_to(GROUP)[quiet:] == []

    h.server.user_sends("/help", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup")
    await h.server.idle()
    full = shown(h.server.sent_to(STAFF_CHAT)[-1])
    assert "Что я умею" in full and "/tickets" in full


async def test_staff_hear_when_the_bot_is_removed_from_a_group_that_got_broadcasts(
    harness: BotHarness,
) -> None:
    h = harness
    chat = {"id": GROUP, "type": "group", "title": TITLE}
    member_change(h.server, chat, ADMIN, "left", "member")
    await h.server.idle()
    in_group(h, ADMIN, "/bind parents")
    await h.server.idle()
    told = len(h.server.sent_to(ADMIN.id))

    member_change(h.server, chat, PARENT, "member", "left")  # a group admin removes the bot
    await h.server.idle()
    (notice,) = h.server.sent_to(ADMIN.id)[told:]
    assert "Бота удалили из группы" in shown(notice) and TITLE in shown(notice)
    assert str(GROUP) in shown(notice) and "Родители" in shown(notice)

    member_change(h.server, {**chat, "id": GROUP - 1}, PARENT, "left", "member")
    member_change(h.server, {**chat, "id": GROUP - 1}, PARENT, "member", "left")
    await h.server.idle()
    unbound = [m for m in h.server.sent_to(ADMIN.id)[told + 1 :] if "удалили" in shown(m)]
    assert unbound == [], "a group bound to nothing: no news for staff"
