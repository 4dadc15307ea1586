"""Outside QA of the staff panel over real HTTP: what a МОЦ staff member does on a work PC
(a long answer, HTML and emoji typed in, a colleague answering the same ticket in the bot, a
parent who has gone with /forget_me) and what an attacker tries (other objects' ids, forged
query strings, path traversal)."""

from __future__ import annotations

import re

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import SessionMaker
from tests.conftest import PARENT
from tests.helpers.panel import Client, RecordingMessenger, sign_in, ticket
from tests.helpers.panel import client as client  # a fixture
from tests.helpers.panel import clock as clock  # a fixture
from tests.helpers.panel import messenger as messenger  # a fixture
from tests.helpers.panel import panel_settings as panel_settings  # a fixture


def _to_parent(messenger: RecordingMessenger) -> str:
    return "\n".join(text for chat, text in messenger.sent if chat == PARENT.id)


async def test_a_5000_character_answer_reaches_the_parent_whole(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Расскажите подробно про все кружки 🙏")
    csrf = await sign_in(client, panel_settings, clock)
    page = await (await client.get(f"/web/tickets/{ticket_id}")).text()
    limit = re.search(r'<textarea[^>]*maxlength="(\d+)"', page)
    assert limit is None or int(limit.group(1)) >= 5000  # the browser would cut a paste
    long = ("Кружок «Робототехника» 🤖 — по средам. " * 130)[:4990] + " КОНЕЦ ✅"
    done = await client.post(f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": long})
    assert "Ответ отправлен" in await done.text()
    assert "КОНЕЦ ✅" in _to_parent(messenger)  # nothing silently cut off


async def test_an_answer_over_the_limit_is_refused_and_kept_not_cut(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Какие документы нужны?")
    csrf = await sign_in(client, panel_settings, clock)
    huge = "Паспорт, СНИЛС, справка. " * 600 + "ХВОСТ"  # 15 000 characters, a paste gone wrong
    refused = await client.post(
        f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": huge}
    )
    shown = await refused.text()
    assert refused.status == 400 and "слишком длинный" in shown
    assert "ХВОСТ</textarea>" in shown  # the typed text is still there to shorten
    assert messenger.sent == []  # not a cut half sent to the parent


async def test_html_and_markdown_in_an_answer_reach_the_parent_as_typed(
    client: Client,
    panel_settings: Settings,
    sessionmaker: SessionMaker,
    clock: FrozenClock,
    messenger: RecordingMessenger,
) -> None:
    ticket_id = await ticket(sessionmaker, "Где кабинет?")
    csrf = await sign_in(client, panel_settings, clock)
    typed = '**Каб. 5** <a href="http://evil">тут</a> & _этаж_ 2 😊'
    await client.post(f"/web/tickets/{ticket_id}/answer", data={"csrf": csrf, "text": typed})
    sent = _to_parent(messenger)
    assert '&lt;a href="http://evil"&gt;тут&lt;/a&gt; &amp; _этаж_ 2 😊' in sent
    assert "**Каб. 5**" in sent and "<a " not in sent
    page = await (await client.get(f"/web/tickets/{ticket_id}")).text()
    assert "&lt;a href=" in page and '<a href="http://evil"' not in page
