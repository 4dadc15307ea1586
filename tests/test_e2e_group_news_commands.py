"""/unsubscribe (or /subscribe) typed by a parent in the parents' group: Telegram said nothing
at all and MAX the general «ask me privately»; now both say what a group's news are (every
member gets them) and where one's own news are set — even right after a pointer was sent."""

from __future__ import annotations

from bot.texts import chats as t
from tests.conftest import ADMIN, PARENT, BotHarness
from tests.helpers.max_both import MOTHER, Both
from tests.test_e2e_chats import GROUP, TITLE, in_group, member_change, shown
from tests.test_e2e_chats import harness as harness  # a fixture
from tests.test_e2e_gone_groups import MAX_GROUP, METHODIST
from tests.test_e2e_gone_groups import h as h  # a fixture


async def test_unsubscribe_in_a_telegram_group_says_what_the_groups_news_are(
    harness: BotHarness,
) -> None:
    hh = harness
    member_change(hh.server, {"id": GROUP, "type": "group", "title": TITLE}, ADMIN, "left",
                  "member")  # fmt: skip
    in_group(hh, ADMIN, "/bind parents")
    await hh.server.next_message(GROUP)
    in_group(hh, PARENT, "/start")
    assert shown(await hh.server.next_message(GROUP)) == t.IN_GROUP
    for command in ("/unsubscribe", f"/subscribe@{hh.server.bot_username}"):
        in_group(hh, PARENT, command)
        said = await hh.server.next_message(GROUP, timeout=10)
        assert shown(said) == t.IN_GROUP_NEWS, command
        assert said.inline_texts == [t.BTN_OPEN_PRIVATE]


async def test_unsubscribe_in_a_max_group_says_what_the_groups_news_are(h: Both) -> None:
    h.max.bot_added(MAX_GROUP, METHODIST, title="Родители 3В")
    await h.max.wait_sent(METHODIST, 1)
    h.max.user_writes(METHODIST, "/bind parents", chat_id=MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, 1)
    h.max.user_writes(MOTHER, "/start", chat_id=MAX_GROUP)
    assert (await h.max.wait_sent(MAX_GROUP, 2))[-1].plain == t.IN_GROUP
    h.max.user_writes(MOTHER, "/unsubscribe", chat_id=MAX_GROUP)
    said = (await h.max.wait_sent(MAX_GROUP, 3))[-1]
    assert said.plain == t.IN_GROUP_NEWS, said.plain
