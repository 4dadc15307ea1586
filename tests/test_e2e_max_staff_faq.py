"""МОЦ staff in MAX have Telegram's /faq_drafts (paged, the pressed message turns into the next
page) and /reload_faq (a broken edit is refused and the old base keeps answering) — the same
service (bot/services/faq/drafts.py) as Telegram's handlers/admin.py; a parent is refused and a
forged page button too. Over the fake MAX server."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.kb import DEFAULT_DIRECTORY
from storage.db import SessionMaker
from storage.repositories import Repositories
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.max_bot import answer_to, max_only_bot, say
from tests.helpers.wait import until

ADMIN = MaxUser(52_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(52_000_000_123, "Ольга", "Петрова")


async def seed_drafts(sessionmaker: SessionMaker, count: int) -> None:
    """Drafts the admin saved earlier (from tickets since deleted)."""
    async with sessionmaker() as session:
        repo = Repositories(session)
        author = await repo.channel_ids.find("max", "user", ADMIN.user_id)
        assert author is not None
        for n in range(1, count + 1):
            await repo.faq_log.add_draft(None, f"Вопрос {n}: про сертификат", f"Ответ {n}", author)
        await repo.commit()


async def becomes(message: Message, words: str) -> None:
    """The pressed message is edited in place (POST /answers with a body)."""
    await until(lambda: words in message.plain, what=lambda: f"{words!r} in {message.plain}")


async def test_max_staff_page_through_faq_drafts(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    async with max_only_bot(db_path, sessionmaker, faq_service, ADMIN) as (fake, _):
        fake.bot_started(ADMIN)
        await fake.wait_sent(ADMIN, 1)
        (empty,) = await say(fake, ADMIN, "/faq_drafts")
        assert empty.plain == texts.FAQ_DRAFTS_EMPTY

        await seed_drafts(sessionmaker, 7)
        (first,) = await say(fake, ADMIN, "/faq_drafts")
        assert (
            first.plain.startswith("№7 (обращение") and "Вопрос 3:" in first.plain
        )  # newest first
        assert "Вопрос 2:" not in first.plain
        assert [b["text"] for row in first.buttons() for b in row] == [texts.BTN_MORE_PAGE]
        fake.press(ADMIN, first, texts.BTN_MORE_PAGE)
        await becomes(first, "Вопрос 1:")
        assert "Вопрос 2:" in first.plain and "Вопрос 3:" not in first.plain
        assert [b["text"] for row in first.buttons() for b in row] == [texts.BTN_PREV_PAGE]
        fake.press(ADMIN, first, texts.BTN_PREV_PAGE)
        await becomes(first, "Вопрос 7:")

        fake.bot_started(MOTHER)
        await fake.wait_sent(MOTHER, 1)
        for command in ("/faq_drafts", "/reload_faq"):
            (refused,) = await say(fake, MOTHER, command)
            assert refused.plain == texts.ADMIN_ONLY, command
        forged = await answer_to(fake, fake.press_payload(MOTHER, first, "fqd:1"))
        assert texts.ADMIN_ONLY in str(forged)
        assert not [m for m in fake.sent_to(MOTHER) if "Вопрос 1" in m.plain]


async def test_max_staff_reload_the_knowledge_base_and_a_broken_edit_is_refused(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "faq_data"
    shutil.copytree(DEFAULT_DIRECTORY, data)
    faq = FaqService(data, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, ADMIN) as (fake, _):
        fake.bot_started(ADMIN)
        await fake.wait_sent(ADMIN, 1)
        moc = data / "moc.yaml"
        good = moc.read_text(encoding="utf-8")
        moc.write_text(good.replace("<b>", "<p>", 1), encoding="utf-8")  # an editor's slip
        (refused,) = await say(fake, ADMIN, "/reload_faq")
        assert "работает прежняя версия" in refused.plain
        assert "тег <p> Telegram не поддерживает" in refused.plain

        moc.write_text(good, encoding="utf-8")
        (reloaded,) = await say(fake, ADMIN, "/reload_faq")
        assert f"База ответов перечитана: {len(faq.kb.entries)} ответ" in reloaded.plain
