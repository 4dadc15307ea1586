"""«➕ В базу» on a parent's question that holds their phone number or e-mail: the sample that
goes into the knowledge base (kept for years, shown in the web panel) is the question without
them, and the staffer is told so."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.models import FaqStaffSample
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.helpers.max_bot import max_only_bot, ticket_from
from tests.test_e2e_faq_learn import staff_press, ticket_post
from tests.test_e2e_max_faq_new import ADMIN as MAX_ADMIN
from tests.test_e2e_max_faq_new import MOTHER, pressed
from tests.test_web_kb import CONTACTS, Client, sign_in

ASKED = (
    "где глянуть остаток на карте ребенка? мой номер +7 (912) 345-67-89, почта ivanova.m@mail.ru"
)
SHOES_ASKED = "нужна ли сменная обувь на занятиях, мой телефон 8 912 345 67 89"
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
    done = learn.server.messages[(STAFF_CHAT, picker.message_id)].text or ""
    assert "добавлен к статье" in done, done
    assert "345-67-89" not in done and "mail.ru" not in done
    assert t.CUT_PHONE in done and t.CUT_EMAIL in done

    async with learn.sessionmaker() as session:
        saved = (await session.scalars(select(FaqStaffSample))).all()
    assert [(s.entry_id, s.question) for s in saved] == [(entry_id, WITHOUT)]
    assert all("345" not in q and "@" not in q for q in faq.kb.entries[entry_id].questions)

    answer = await learn.say(FakeUser(id=2007, first_name="Инна"), ASKED.replace("912", "913"))
    assert answer.raw_text == entry_view(faq, settings, entry_id).text


async def test_in_the_panel_too_the_phone_is_cut_and_the_methodist_is_told(
    learn: BotHarness, client: Client, settings: Settings, faq: FaqService
) -> None:
    first = await learn.say(PARENT, SHOES_ASKED)
    assert texts.BTN_ASK_SHORT in first.inline_texts  # not understood
    await learn.dp.workflow_data["querylog"].flush()
    csrf = await sign_in(client, settings)
    listing = await (await client.get("/web/kb/unanswered")).text()
    found = re.search(r'action="/web/kb/unanswered/(\d+)/attach"', listing)
    assert found is not None
    done = await client.post(
        f"/web/kb/unanswered/{found.group(1)}/attach",
        data={"csrf": csrf, "entry_id": "moc.contacts"},
    )
    page = await done.text()
    assert "Вопрос добавлен к статье" in page and "Номер телефона, адрес почты или имя" in page
    assert "8 912 345 67 89" not in page
    assert all("345" not in q for q in faq.kb.entries["moc.contacts"].questions)
    history = await (await client.get(f"{CONTACTS}/history")).text()
    assert "345" not in history and "добавлен вопрос «нужна ли сменная обувь" in history


async def test_a_phone_number_alone_is_not_offered_for_the_base(learn: BotHarness) -> None:
    """«➕ В базу» on a ticket that is only «+7 912 345-67-89 🙏» (a parent asking to be called
    back): told at once there is nothing to learn, not a list of entries whose every tap then
    answers «нет слов» — or saves the number."""
    post = await ticket_post(learn, "+7 912 345-67-89 🙏")
    before = len(learn.server.sent_to(STAFF_CHAT))
    learn.server.press(post, t.BTN_TO_KB, user=ADMIN)
    answer = await learn.server.callback_answer()
    assert answer.params.get("text") == t.NO_WORDS_TEXT
    await learn.server.idle(timeout=10)
    assert len(learn.server.sent_to(STAFF_CHAT)) == before


LETTER = (
    "Здравствуйте! Мы переехали из другого района, ребёнку девять лет, он раньше занимался "
    "в шахматном клубе и в хоре. Подскажите, пожалуйста, как нам теперь быть: можно ли "
    "продолжить занятия у вас, нужно ли заново что-то оформлять, какие документы взять с "
    "собой, и можно ли записаться сразу в два кружка, если расписание совпадает по дням? "
    "Заранее большое спасибо за ответ, очень ждём."
)


async def test_a_letter_is_offered_only_as_a_new_entry(learn: BotHarness) -> None:
    """A 380-character letter: no entries to tap (each tap would be refused as «письмо»),
    only «✏️ Новая статья», and the reason is said up front."""
    assert len(LETTER) > 300
    post = await ticket_post(learn, LETTER)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    assert "Это письмо, а не формулировка" in (picker.text or ""), picker.text
    assert picker.inline_texts == [t.BTN_NEW_ENTRY], picker.inline_texts


async def test_in_max_a_letter_is_offered_only_as_a_new_entry(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        card = await ticket_from(fake, MAX_ADMIN, MOTHER, LETTER)
        picker = await pressed(fake, MAX_ADMIN, card, t.BTN_TO_KB)
        assert "Это письмо, а не формулировка" in picker.plain, picker.plain
        assert [b["text"] for row in picker.buttons() for b in row] == [t.BTN_NEW_ENTRY]
