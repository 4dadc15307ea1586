"""«✏️ Новая статья» in Telegram: the section step had no «Отмена» (MAX's has one), so staff
who changed their mind had to know /cancel. Now the sections end with «Отмена», as in MAX:
the draft goes, nothing is saved, and a press on it later is told the draft is gone."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from bot.texts import faq_learn as t
from handlers.tg.callbacks import KbCb
from storage.models import FaqStaffEntry
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness
from tests.test_e2e_faq_learn import DOG, staff_press, staff_replies, ticket_post


async def test_the_section_step_offers_cancel_as_max_does(learn: BotHarness) -> None:
    post = await ticket_post(learn, DOG)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    title = await staff_press(learn, picker, t.BTN_NEW_ENTRY)
    wordings = await staff_replies(learn, title, "Можно ли прийти с собакой-поводырём?")
    answer = await staff_replies(learn, wordings, "собака-поводырь на занятиях")
    sections = await staff_replies(learn, answer, "Да, можно. Предупредите педагога.")
    assert "Шаг 4 из 4" in sections.text, sections.text
    assert sections.inline_texts[-1] == texts.BTN_CANCEL, sections.inline_texts

    dropped = await staff_press(learn, sections, texts.BTN_CANCEL)
    assert dropped.text == t.NEW_DROPPED
    async with learn.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqStaffEntry)) == 0
    # a second tap (its buttons are gone, the press was already on its way): the draft is gone
    learn.server.press_data(sections, KbCb(action="drop").pack(), user=ADMIN)
    stale = await learn.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("text") == t.NEW_STALE
    )
    assert stale.params.get("show_alert")
    await learn.server.idle()
    assert learn.server.sent_to(STAFF_CHAT)[-1].text == t.NEW_DROPPED
