"""An outside QA pass over binding a group whose title is as long as Telegram allows (255
characters) and looks like HTML, in Telegram and MAX: the admin who taps an audience must read
which audiences the group now gets, in the answer to the tap and in the message tapped."""

from __future__ import annotations

from bot.texts import chats as t
from tests.conftest import ADMIN, BotHarness
from tests.test_e2e_chats import harness as harness  # a fixture
from tests.test_e2e_chats import member_change
from tests.test_max_groups import ADMIN as MAX_ADMIN
from tests.test_max_groups import GROUP as MAX_GROUP
from tests.test_max_groups import World
from tests.test_max_groups import world as world  # a fixture

LONG = ("<b>Родители</b> 5А & «Солнышко» " * 12)[:255]
GROUP = -1001777000


async def test_a_long_titled_group_bound_from_the_admins_notice_says_what_it_now_gets(
    harness: BotHarness,
) -> None:
    """The toast was cut at 200 characters inside the title, so «Родители» never showed; the
    notice went on saying «Сейчас чат получает рассылки для: нет» under «✅ Родители»."""
    h = harness
    chat = {"id": GROUP, "type": "supergroup", "title": LONG}
    member_change(h.server, chat, ADMIN, "left", "member")
    notice = await h.server.next_message(ADMIN.id)
    assert "рассылки для: нет" in (notice.text or "")

    h.server.press(notice, "Родители", user=ADMIN)
    toast = str((await h.server.callback_answer()).params.get("text", ""))
    assert len(toast) <= 200 and toast.endswith("»: Родители."), toast
    h.server.press(notice, "Педагоги", user=ADMIN)
    toast = str((await h.server.callback_answer()).params.get("text", ""))
    assert toast.endswith("»: Родители, Педагоги."), toast
    await h.server.idle()
    now = h.server.messages[(ADMIN.id, notice.message_id)]
    assert "рассылки для: Родители, Педагоги" in (now.text or ""), now.text
    assert "<b>Родители</b> 5А & «Солнышко»" in (now.text or "")  # the title, literally
    assert now.inline_texts[:3] == ["✅ Родители", "Руководители", "✅ Педагоги"]


async def test_a_long_titled_max_group_bound_by_a_button_says_what_it_now_gets(
    world: World,
) -> None:
    world.max.bot_added(MAX_GROUP, by=MAX_ADMIN, title=LONG)
    await world.pump()
    (notice,) = world.max.sent_to(MAX_ADMIN)
    callback_id = world.max.press(MAX_ADMIN, notice, "Руководители")
    await world.pump()
    toast = str(dict(world.max.answers)[callback_id]["notification"])
    assert len(toast) <= 200 and toast.endswith("»: Руководители."), toast
    assert t.AUDIENCE_TITLES["directors"] in toast
