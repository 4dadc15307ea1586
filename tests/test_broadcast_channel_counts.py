"""Issue 11: the human-readable broadcast status — `python -m bot broadcast status ID` and the
staff bot's /broadcasts — counts Telegram and MAX apart once MAX chats are in the ledger
(`--json` has had them under `channels`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.ids import internal
from broadcasts.content import Content
from broadcasts.report import channel_lines
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Delivery, DeliveryStatus
from tests.conftest import ADMIN, process_env
from tests.test_e2e_broadcasts import Staff, txt
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

ROOT = Path(__file__).resolve().parent.parent
S = DeliveryStatus
LEDGER = [  # two Telegram chats, three MAX ones
    (-1001, S.SENT), (-1002, S.BLOCKED),
    (internal(1, "chat"), S.SENT), (internal(2, "chat"), S.SENT), (internal(3, "chat"), S.FAILED),
]  # fmt: skip
TG_LINE = "Telegram: доставлено 1 из 2 · заблокировали 1 · ошибок 0 · в очереди 0"
MAX_LINE = "MAX: доставлено 2 из 3 · заблокировали 0 · ошибок 1 · в очереди 0"


async def seed_done(sm: SessionMaker, ledger: Sequence[tuple[int, str]] = LEDGER) -> int:
    async with sm() as session:
        content = Content("text", "Собрание в четверг").to_json()
        broadcast = Broadcast(content=content, audiences="parents", state=BroadcastState.DONE)
        session.add(broadcast)
        await session.flush()
        session.add_all(
            Delivery(broadcast_id=broadcast.id, chat_id=chat_id, status=status)
            for chat_id, status in ledger
        )
        await session.commit()
        return broadcast.id


def test_no_lines_while_every_row_is_telegram() -> None:
    only_tg = {"tg": {"total": 2, "sent": 2, "failed": 0, "blocked": 0, "pending": 0}}
    assert channel_lines(only_tg) == [] and channel_lines({}) == []


async def test_the_cli_status_counts_telegram_and_max_apart(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    broadcast_id = await seed_done(sessionmaker)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "broadcast", "status", str(broadcast_id)],
        cwd=ROOT, env=process_env(f"sqlite+aiosqlite:///{db_path}"), capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    head, tg, max_ = result.stdout.splitlines()
    assert f"№{broadcast_id}" in head and "отправлено 3/5" in head
    assert (tg.strip(), max_.strip()) == (TG_LINE, MAX_LINE)


async def test_the_staff_bot_lists_counts_per_messenger(harness: Staff) -> None:
    h = harness
    mixed = await seed_done(h.sessionmaker)
    telegram_only = await seed_done(h.sessionmaker, [(-1003, S.SENT)])
    listing = txt(await h.say(ADMIN, "/broadcasts"))
    ours, theirs = (listing.split(f"№{bid}")[1] for bid in (telegram_only, mixed))
    assert TG_LINE in theirs and MAX_LINE in theirs
    assert "Доставлено 3 из 5" in theirs
    only = ours.split("№")[0]  # up to the next broadcast in the list
    assert "Доставлено 1 из 1" in only and "MAX:" not in only and "Telegram:" not in only
