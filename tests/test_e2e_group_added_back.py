"""A bound group the bot was removed from and then added back keeps its audiences; the
admins' notice used to ask «Выберите аудиторию» as for a new chat (with «Сейчас чат получает
рассылки для: Родители» just above), so staff bound it again or wondered which was true. Now
it says the chat is bound already, to what, and the buttons (✅ on the bound one) change it.
Telegram and MAX."""

from __future__ import annotations

from bot.texts import chats as t
from tests.conftest import ADMIN, BotHarness
from tests.helpers.max_both import Both
from tests.test_e2e_chats import GROUP, TITLE, in_group, member_change, shown
from tests.test_e2e_chats import harness as harness  # a fixture
from tests.test_e2e_max_runtime_groups import GROUP as MAX_GROUP
from tests.test_e2e_max_runtime_groups import METHODIST, _group_row
from tests.test_e2e_max_runtime_groups import staffed as staffed  # a fixture


async def test_a_telegram_group_added_back_is_told_bound(harness: BotHarness) -> None:
    h = harness
    group = {"id": GROUP, "type": "group", "title": TITLE}
    member_change(h.server, group, ADMIN, "left", "member")
    first = await h.server.next_message(ADMIN.id)
    assert "Выберите аудиторию" in shown(first)
    in_group(h, ADMIN, "/bind@moc_test_bot parents")
    await h.server.next_message(GROUP)
    member_change(h.server, group, ADMIN, "member", "left")
    await h.server.next_message(ADMIN.id)  # «Бота удалили…»
    member_change(h.server, group, ADMIN, "left", "member")
    again = await h.server.next_message(ADMIN.id)
    text = shown(again)
    assert "Выберите аудиторию" not in text and "/bind" not in text, text
    assert "уже привязан" in text and "Родители" in text, text
    assert "✅ Родители" in again.inline_texts, "a button changes it"


async def test_a_max_group_added_back_is_told_bound(staffed: Both) -> None:
    h = staffed
    h.max.bot_added(MAX_GROUP, METHODIST)
    assert await _group_row(h) is not None
    before = len(h.max.sent_to(METHODIST))
    h.max.user_writes(METHODIST, "/bind parents", chat_id=MAX_GROUP)
    await h.max.wait_sent(MAX_GROUP, 1)
    h.max.bot_removed(MAX_GROUP, METHODIST)
    removed = (await h.max.wait_sent(METHODIST, before + 1))[-1]
    assert "удалили" in removed.plain
    h.max.bot_added(MAX_GROUP, METHODIST)
    again = (await h.max.wait_sent(METHODIST, before + 2))[-1]
    assert "Выберите аудиторию" not in again.plain and "/bind" not in again.plain, again.plain
    assert "уже привязан" in again.plain and "Родители" in again.plain, again.plain
    assert any(b["text"] == t.BTN_BOUND.format(title="Родители") for row in again.buttons()
               for b in row)  # fmt: skip
