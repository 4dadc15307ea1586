"""«➕ В базу» on a parent's question that holds their phone number or e-mail: the sample that
goes into the knowledge base (kept for years, shown in the web panel) is the question without
them, and the staffer is told so."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import faq_learn as t
from storage.models import FaqStaffSample
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_faq_learn import staff_press, ticket_post

ASKED = (
    "где глянуть остаток на карте ребенка? мой номер +7 (912) 345-67-89, почта ivanova.m@mail.ru"
)
WITHOUT = "где глянуть остаток на карте ребенка? мой номер, почта"


async def test_the_askers_phone_and_email_stay_out_of_the_knowledge_base(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    post = await ticket_post(learn, ASKED)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    first = picker.buttons[0][0]
    assert first.callback_data is not None
    entry_id = first.callback_data.rsplit(":", 1)[1]
    learn.server.press(picker, first.text, user=ADMIN)
    await learn.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    done = learn.server.messages[(STAFF_CHAT, picker.message_id)]
    assert "добавлен к статье" in done.text, done.text
    assert "345-67-89" not in done.text and "mail.ru" not in done.text
    assert t.CUT_PHONE in done.text and t.CUT_EMAIL in done.text

    async with learn.sessionmaker() as session:
        saved = (await session.scalars(select(FaqStaffSample))).all()
    assert [(s.entry_id, s.question) for s in saved] == [(entry_id, WITHOUT)]
    assert all("345" not in q and "@" not in q for q in faq.kb.entries[entry_id].questions)

    answer = await learn.say(FakeUser(id=2007, first_name="Инна"), ASKED.replace("912", "913"))
    assert answer.raw_text == entry_view(faq, settings, entry_id).text
