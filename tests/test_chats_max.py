"""MAX groups in the chat registry, by the id staff see in MAX: the panel's «Чаты» and
`python -m bot chats list` show a MAX group's own id (never the bot's internal one), and the
CSV import (panel upload and `python -m bot chats import`) takes MAX groups beside Telegram
ones with a `messenger` column. The bot meets a group the real way first: the MAX runtime
polling a fake MAX server gets `bot_added`."""

# ruff: noqa: F811  (pytest fixtures imported from tests.helpers.panel)
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.chats.importer import parse_chats_csv
from bot.services.faq import FaqService
from bot.services.import_errors import ImportErrors
from storage.db import SessionMaker
from storage.models import ChannelId, Chat
from storage.repositories import Repositories
from storage.repositories.chats import audiences_of
from tests.conftest import process_env
from tests.fakes.max_model import MaxUser
from tests.helpers.max_bot import bot_added, running_max_bot
from tests.helpers.panel import (  # noqa: F401  (fixtures)
    Client,
    client,
    clock,
    messenger,
    panel_settings,
    sign_in,
)
from tests.test_cli_chats import Cli
from tests.test_web_chats import upload

OWNER = MaxUser(60_000_000_001, "Ирина", "Завуч")
KNOWN = -68_000_000_000_777  # a MAX group the bot was added to
NEW = -68_000_000_000_888  # a MAX group the bot has not met yet
INTERNAL = -(2**60 + 7)  # a MAX group's internal id, as the panel used to show it
HINT = "для группы MAX укажите messenger max"


def visible(html: str) -> str:
    """The page's text as a person reads it: ids in addresses and anchors do not count."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))


async def internal(sm: SessionMaker, max_chat_id: int) -> int | None:
    async with sm() as session:
        return await Repositories(session).channel_ids.find("max", "chat", max_chat_id)


async def max_chats(sm: SessionMaker) -> dict[int, Chat]:
    """MAX groups in the registry by their MAX id."""
    async with sm() as session:
        repo = Repositories(session)
        chats = await repo.chats.all()
        own = await repo.channel_ids.externals(c.id for c in chats)
        return {own[c.id]: c for c in chats if c.id != own[c.id]}


async def mapped_max_chats(sm: SessionMaker) -> int:
    async with sm() as session:
        query = select(func.count()).select_from(ChannelId).where(ChannelId.kind == "chat")
        return int(await session.scalar(query) or 0)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("0,x,parents,max", "chat_id 0 — не id группы MAX"),
        (f"{2**63},x,parents,max", f"chat_id {2**63} — не id группы MAX"),
        (f"{INTERNAL},x,parents,", f"chat_id {INTERNAL} — не id Telegram ({HINT})"),
        ("-5,x,parents,whatsapp", "мессенджер «whatsapp» — нужен telegram или max"),
    ],
    ids=["zero", "past-int64", "internal-id-as-telegram", "unknown-messenger"],
)
def test_ids_each_messenger_refuses(line: str, error: str) -> None:
    """A MAX id has no sign rule but must fit int64; a Telegram id is negative and below the
    bot's internal ids (the number the panel used to show for a MAX group is refused)."""
    with pytest.raises(ImportErrors) as caught:
        parse_chats_csv(f"chat_id,title,audience,messenger\n{line}\n".encode())
    assert caught.value.errors == [f"строка 2: {error}"]


def test_max_ids_of_either_sign_are_taken() -> None:
    rows = parse_chats_csv(
        b"chat_id,title,audience,messenger\n-68001,a,parents,max\n"
        b"68002,b,parents,MAX\n-100,c,parents,Telegram\n-101,d,parents,tg\n"
    )
    assert [(r.channel, r.chat_id) for r in rows] == [
        ("max", -68001),
        ("max", 68002),
        ("tg", -100),
        ("tg", -101),
    ]


async def test_the_panel_shows_a_max_group_by_its_max_id(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker,
    db_path: Path, faq_service: FaqService,
) -> None:  # fmt: skip
    async with running_max_bot(db_path, sessionmaker, faq_service, OWNER) as fake:
        await bot_added(fake, KNOWN, OWNER, "Родители 2Б в MAX")
    hidden = await internal(sessionmaker, KNOWN)
    assert hidden is not None and hidden != KNOWN
    await sign_in(client, panel_settings, clock)
    text = visible(await (await client.get("/web/chats")).text())
    assert f"Родители 2Б в MAX MAX · группа · id {KNOWN}" in text
    assert str(abs(hidden)) not in text


async def test_panel_import_of_max_groups_beside_telegram_ones(
    client: Client, panel_settings: Settings, clock: FrozenClock, sessionmaker: SessionMaker,
    db_path: Path, faq_service: FaqService,
) -> None:  # fmt: skip
    async with running_max_bot(db_path, sessionmaker, faq_service, OWNER) as fake:
        await bot_added(fake, KNOWN, OWNER, "Родители 2Б в MAX")
    known = await internal(sessionmaker, KNOWN)
    csrf = await sign_in(client, panel_settings, clock)
    bad = (
        "chat_id;title;audience;messenger\n"
        "-1009;Школа 9;parents;telegram\n"
        f"{KNOWN};Родители 2Б;parents;Max\n"
        f"{NEW};Педагоги;teachers;вконтакте\n"
        f"{KNOWN};Повтор;staff;max\n"
        "-1009;Та же цифра, но в MAX;staff;max\n"
        "5;Личный;parents;tg\n"
    )
    refused = await client.post("/web/chats/import", data=upload(csrf, bad))
    html = await refused.text()
    assert refused.status == 422
    assert "строка 4: мессенджер «вконтакте» — нужен telegram или max" in html
    assert f"строка 5: chat_id {KNOWN} уже был в строке 3" in html
    assert "строка 6" not in html  # one number may be a group in each messenger
    assert "строка 7: chat_id 5 — нужен id группы или канала" in html
    assert "Ничего не импортировано" in html
    async with sessionmaker() as session:
        assert await session.get(Chat, -1009) is None
    assert await internal(sessionmaker, NEW) is None
    assert await mapped_max_chats(sessionmaker) == 1

    good = (
        "chat_id,title,audience,messenger\n"
        "-1009,Школа 9,parents,\n"
        f"{KNOWN},Родители 2Б,parents;directors,MAX\n"
        f"{NEW},Педагоги в MAX,teachers,max\n"
        "-1010,Школа 10,staff,TG\n"
    )
    done = await client.post("/web/chats/import", data=upload(csrf, good))
    html = await done.text()
    assert done.status == 200 and "добавлено чатов 3, обновлено 1" in html, html
    found = await max_chats(sessionmaker)
    assert set(found) == {KNOWN, NEW} and await mapped_max_chats(sessionmaker) == 2
    assert found[KNOWN].id == known and found[KNOWN].title == "Родители 2Б"
    assert audiences_of(found[KNOWN]) == ["directors", "parents"]
    assert found[NEW].kind == "chat" and audiences_of(found[NEW]) == ["teachers"]
    async with sessionmaker() as session:
        assert (await session.get_one(Chat, -1010)).kind == "group"
    text = visible(html)
    assert f"id {NEW}" in text and f"id {KNOWN}" in text and "id -1009" in text


async def test_cli_import_and_list_of_max_groups(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService, tmp_path: Path
) -> None:
    async with running_max_bot(db_path, sessionmaker, faq_service, OWNER) as fake:
        await bot_added(fake, KNOWN, OWNER, "Родители 2Б в MAX")
    known = await internal(sessionmaker, KNOWN)
    assert known is not None
    cli = Cli(process_env(f"sqlite+aiosqlite:///{db_path}"))
    path = tmp_path / "chats.csv"
    path.write_text(
        "messenger;chat_id;title;audience\n"
        f"max;{KNOWN};;parents\n"
        f"Telegram;-7101;Школа;parents\n"
        f"ma x;{NEW};Педагоги;teachers\n",
        encoding="utf-8",
    )
    refused = cli("chats", "import", path)
    assert refused.returncode == 1
    assert "строка 4: мессенджер «ma x» — нужен telegram или max" in refused.stderr
    assert await mapped_max_chats(sessionmaker) == 1

    path.write_text(path.read_text(encoding="utf-8").replace("ma x", "MAX"), encoding="utf-8")
    done = cli("chats", "import", path)
    assert done.returncode == 0, done.stderr
    assert "Добавлено чатов: 2, обновлено: 1, без изменений: 0" in done.stdout
    found = await max_chats(sessionmaker)
    assert set(found) == {KNOWN, NEW} and await mapped_max_chats(sessionmaker) == 2
    assert found[KNOWN].id == known and found[KNOWN].title == "Родители 2Б в MAX"

    listing = cli.listing()
    assert listing[KNOWN]["channel"] == "max" and listing[KNOWN]["audiences"] == ["parents"]
    assert listing[NEW]["kind"] == "chat" and listing[-7101]["channel"] == "tg"
    assert known not in listing
    plain = cli("chats", "list").stdout
    assert str(KNOWN) in plain and str(abs(known)) not in plain
