"""«✏️ Новая статья» in MAX: Telegram's staff wrote a new FAQ entry from an unanswered question
in a short dialog, MAX's were sent to the web panel. Now a MAX staffer writes it from
/faq_stats or a ticket card (title, wordings, answer, section), the knowledge base is rebuilt
at once, and the next parent asking the same — in MAX or in Telegram — gets the answer.

Each test builds its own FaqService: what staff add changes the live knowledge base.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.models import FaqStaffEntry, FaqStaffSample
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeTelegramServer, FakeUser
from tests.helpers.max_bot import answered, max_only_bot, say, ticket_from

ADMIN = MaxUser(53_000_000_001, "Анна", "Методист")
MOTHER = MaxUser(53_000_000_123, "Ольга", "Петрова")
FATHER = MaxUser(53_000_000_124, "Игорь", "Петров")
TG_PARENT = FakeUser(id=2071, first_name="Елена", last_name="Смирнова")
DOG = "можно ли привести на занятие собаку-поводыря"
TITLE = "Можно ли прийти с собакой-поводырём?"
WORDINGS = "пускают ли с собакой поводырем\nсобака-поводырь на занятиях"


async def pressed(fake: FakeMaxServer, user: MaxUser, message: Message, label: str) -> Message:
    """`user` presses `label`; the bot's next message to them (a rebuild may take seconds)."""
    before = len(fake.sent_to(user))
    fake.press(user, message, label)
    # a save retrains the matcher in a thread: seconds alone, far more on a loaded CI box
    return (await fake.wait_sent(user, before + 1, within=90))[-1]


def section_of(sections: Message) -> str:
    """The last section offered (the row above «Отмена»), as Telegram's test presses it."""
    *found, drop = sections.buttons()
    assert [b["text"] for b in drop] == [texts.BTN_CANCEL]
    return str(found[-1][0]["text"])


async def entries(sm: SessionMaker) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(FaqStaffEntry)) or 0)


async def test_max_staff_write_an_entry_from_faq_stats_and_both_messengers_answer(
    server: FakeTelegramServer, max_server: FakeMaxServer, db_path: Path,
    sessionmaker: SessionMaker, faq: FaqService, settings: Settings,
) -> None:  # fmt: skip
    """The whole dialog from /faq_stats, with a restart of the MAX runtime in the middle (the
    draft is in the database); then a MAX parent and a Telegram parent are answered."""
    async with running_both(
        server, max_server, db_path, sessionmaker, faq, max_admin_ids=str(ADMIN.user_id)
    ) as h:
        fake = h.max
        await say(fake, ADMIN, "/start")
        unknown = (await say(fake, MOTHER, DOG))[-1]
        assert texts.BTN_ASK_SHORT in str(unknown.buttons())  # not answered yet
        (stats,) = await say(fake, ADMIN, "/faq_stats")
        picker = await pressed(fake, ADMIN, stats, "➕ 1")
        assert DOG in picker.plain and "веб-панель" not in picker.plain
        asked = await pressed(fake, ADMIN, picker, t.BTN_NEW_ENTRY)
        assert "Шаг 1 из 4" in asked.plain and DOG in asked.plain
        assert asked.button(texts.BTN_CANCEL)

        (asked,) = await say(fake, ADMIN, TITLE)
        assert "Шаг 2 из 4" in asked.plain
        await h.restart_max()  # the draft waits in the database
        (asked,) = await say(fake, ADMIN, WORDINGS)
        assert "Шаг 3 из 4" in asked.plain and "{moc_phone}" in asked.plain
        # a typo in a placeholder is refused at once, and the answer asked again
        (again,) = await say(fake, ADMIN, "Да, можно. Позвоните: {moc_fax}")
        assert "неизвестный плейсхолдер {moc_fax}" in again.plain, again.plain
        (sections,) = await say(fake, ADMIN, "Да, можно — предупредите педагога: {moc_phone} <b>")
        assert "Шаг 4 из 4" in sections.plain

        created = await pressed(fake, ADMIN, sections, section_of(sections))
        assert f"Новая статья «{TITLE}»" in created.plain, created.plain
        assert "Анна Методист" in created.plain
        async with sessionmaker() as session:
            rows = (await session.scalars(select(FaqStaffSample))).all()
        assert {r.question for r in rows} == {DOG, TITLE, *WORDINGS.splitlines()}

        expected = f"Да, можно — предупредите педагога: {settings.moc_phone} <b>"
        (answer,) = await say(fake, FATHER, DOG)
        assert answer.plain == expected
        server.user_sends(DOG, user=TG_PARENT)
        tg_answer = await server.next_message(TG_PARENT.id, timeout=15)
        assert tg_answer.text == expected


async def test_max_new_entry_from_a_ticket_card_cancel_limits_forgery_and_double_tap(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, ADMIN) as (fake, _):
        card = await ticket_from(fake, ADMIN, MOTHER, DOG)
        picker = await pressed(fake, ADMIN, card, t.BTN_TO_KB)
        new = picker.button(t.BTN_NEW_ENTRY)["payload"]
        assert new.startswith("kb:new:t:")
        # a parent forging the button is refused, and no dialog opens for them
        assert texts.ADMIN_ONLY in await answered(fake, fake.press_payload(MOTHER, card, new))
        forged = fake.press_payload(MOTHER, card, "kb:cat:q:0:moc")
        assert texts.ADMIN_ONLY in await answered(fake, forged)

        # /cancel ends the dialog: the next words are a question for the bot again
        await pressed(fake, ADMIN, picker, t.BTN_NEW_ENTRY)
        (dropped,) = await say(fake, ADMIN, "/cancel")
        assert dropped.plain == t.NEW_DROPPED
        (question,) = await say(fake, ADMIN, TITLE)
        assert "Шаг 2" not in question.plain

        # «Отмена» under a prompt ends it too; an over-long title is told, not cut
        await pressed(fake, ADMIN, picker, t.BTN_NEW_ENTRY)
        (too_long,) = await say(fake, ADMIN, "Собака " * 40)
        assert "Слишком длинно (279 символов, можно до 200)" in too_long.plain, too_long.plain
        assert (await pressed(fake, ADMIN, too_long, texts.BTN_CANCEL)).plain == t.NEW_DROPPED
        (question,) = await say(fake, ADMIN, TITLE)
        assert "Шаг 2" not in question.plain

        await pressed(fake, ADMIN, picker, t.BTN_NEW_ENTRY)
        await say(fake, ADMIN, TITLE)
        await say(fake, ADMIN, WORDINGS)
        (sections,) = await say(fake, ADMIN, "Да, можно. Предупредите педагога заранее.")
        label = section_of(sections)
        before = len(fake.sent_to(ADMIN))
        fake.press(ADMIN, sections, label)
        second = fake.press(ADMIN, sections, label)  # a double tap
        created = (await fake.wait_sent(ADMIN, before + 1, within=90))[-1]
        assert f"Новая статья «{TITLE}»" in created.plain, created.plain
        assert await answered(fake, second) == t.NEW_STALE
        assert await entries(sessionmaker) == 1
        assert len(fake.sent_to(ADMIN)) == before + 1

        (answer,) = await say(fake, FATHER, DOG)
        assert answer.plain == "Да, можно. Предупредите педагога заранее."
