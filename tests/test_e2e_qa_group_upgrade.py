"""An outside QA pass over a bound parents' group that Telegram upgrades to a supergroup (its
admin made the history visible, or it grew): besides the two migrate service messages Telegram
reports the bot «joining» the new supergroup (my_chat_member left → member). Staff must not
read «Бота добавили в супергруппу…» about a group they bound long ago, as if it were new."""

from __future__ import annotations

from storage.repositories.chats import audiences_of, tags_of
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.test_e2e_chats import GROUP, SUPER, TITLE, chat_row, in_group, member_change, shown
from tests.test_e2e_chats import harness as harness  # a fixture


async def test_the_upgrade_of_a_bound_group_is_no_new_group_for_staff(
    harness: BotHarness,
) -> None:
    h = harness
    group = {"id": GROUP, "type": "group", "title": TITLE}
    member_change(h.server, group, ADMIN, "left", "member")
    await h.server.next_message(ADMIN.id)  # «Бота добавили в группу…»
    in_group(h, ADMIN, "/bind@moc_test_bot parents school5")
    await h.server.next_message(GROUP)
    await h.server.idle()
    before = len(h.server.sent_to(ADMIN.id))

    # the class teacher (not staff) turns on visible history: Telegram upgrades the group
    in_group(h, PARENT, None, migrate_to_chat_id=SUPER)
    h.server.migrate(GROUP, SUPER)
    h.server.user_sends(
        None, user=PARENT, chat_id=SUPER, chat_type="supergroup",
        extra={"migrate_from_chat_id": GROUP},
    )  # fmt: skip
    member_change(h.server, {"id": SUPER, "type": "supergroup", "title": TITLE}, PARENT,
                  "left", "member")  # fmt: skip
    await h.server.idle()

    told = [shown(m) for m in h.server.sent_to(ADMIN.id)[before:]]
    assert not any("добавили" in text for text in told), told
    new = await chat_row(h, SUPER)
    assert (new.is_active, audiences_of(new), tags_of(new)) == (True, ["parents"], ["school5"])


async def test_the_added_notice_gives_a_bind_command_the_bot_receives(
    harness: BotHarness,
) -> None:
    """A parents' chat often has another bot (a moderator, a schedule bot). With privacy mode
    Telegram hands a bare «/bind parents» only to the bot that spoke there last, so the staffer
    who typed what the notice said met silence; «/bind@moc_test_bot parents» always reaches."""
    h = harness
    group = {"id": GROUP, "type": "group", "title": TITLE}
    member_change(h.server, group, ADMIN, "left", "member")
    note = shown(await h.server.next_message(ADMIN.id))
    assert "напишите в самом чате /bind@moc_test_bot parents." in note, note


async def test_a_class_teacher_offered_bind_hears_who_decides(harness: BotHarness) -> None:
    """The group admins' menu offers «/bind — Получать рассылки МОЦ» to the class teacher who
    made the parents' chat; tapping it brought only «Эта команда только для сотрудников МОЦ.»,
    no word on how the chat gets the announcements."""
    h = harness
    in_group(h, PARENT, "/bind@moc_test_bot parents")
    said = shown(await h.server.next_message(GROUP))
    assert "выбирают сотрудники МОЦ" in said and "/contacts" in said, said


async def test_a_command_a_cleaner_bot_deleted_at_once_still_gets_its_answer(
    harness: BotHarness,
) -> None:
    """Many parents' chats keep a moderation bot that deletes every command at once. The
    staffer's «/bind@moc_test_bot parents» bound the chat, but the confirmation, sent as a reply
    to the deleted command, was refused («message to be replied not found»): the staffer saw
    nothing and could not tell whether it worked; a parent's «@moc_test_bot» got no pointer."""
    h = harness
    update = h.server.user_sends(
        "/bind@moc_test_bot parents", user=ADMIN, chat_id=GROUP, chat_type="group",
        chat_title=TITLE,
    )  # fmt: skip
    command = h.server.user_messages[(GROUP, update["message"]["message_id"])]
    command.deleted = True  # the cleaner was quicker than our bot
    said = shown(await h.server.next_message(GROUP))
    assert "получает рассылки для: Родители" in said, said
    assert audiences_of(await chat_row(h, GROUP)) == ["parents"]


async def test_a_group_upgraded_right_after_the_bot_joined_is_one_chat_for_staff(
    harness: BotHarness,
) -> None:
    """A methodist adds the bot to a fresh parents' group and turns on visible history at
    once: Telegram upgrades it and reports the bot «joining» the supergroup before either
    migrate message. Staff read a second «Бота добавили в супергруппу…» as a second chat;
    now the supergroup is known as what the group became, and the first notice binds it."""
    h = harness
    member_change(h.server, {"id": GROUP, "type": "group", "title": TITLE}, ADMIN,
                  "left", "member")  # fmt: skip
    notice = await h.server.next_message(ADMIN.id)
    h.server.migrate(GROUP, SUPER)
    member_change(h.server, {"id": SUPER, "type": "supergroup", "title": TITLE}, ADMIN,
                  "left", "member")  # fmt: skip
    await h.server.idle()
    in_group(h, ADMIN, None, migrate_to_chat_id=SUPER)
    h.server.user_sends(
        None, user=ADMIN, chat_id=SUPER, chat_type="supergroup",
        extra={"migrate_from_chat_id": GROUP},
    )  # fmt: skip
    await h.server.idle()
    assert [m.message_id for m in h.server.sent_to(ADMIN.id)] == [notice.message_id]

    h.server.press(notice, "Родители", user=ADMIN)
    await h.server.idle()
    new = await chat_row(h, SUPER)
    assert (new.is_active, audiences_of(new)) == (True, ["parents"])
    report = shown(await h.say(ADMIN, "/chats"))
    assert "Активные чаты (1)" in report and str(SUPER) in report, report
