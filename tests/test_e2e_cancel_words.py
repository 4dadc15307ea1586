"""One list of words that mean «cancel» mid-dialog (bot.core.words), the same in MAX's staff
event form and edit dialog and in a parent's «ask a specialist» dialog in MAX and Telegram:
each word typed alone ends the dialog; a real answer that merely contains one of them is taken
as the answer. Over the fake MAX and Telegram servers (real HTTP)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from bot.texts import events_admin as t
from bot.texts import max as max_texts
from storage.models import Event, Ticket
from tests.conftest import PARENT, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.helpers.events import seed_event
from tests.helpers.max_bot import start
from tests.helpers.max_both import SOON, TEACHER_MAX, labels, seed_max_teacher
from tests.test_e2e_max_staff_card import ADMIN as CARD_ADMIN
from tests.test_e2e_max_staff_card import MOTHER as ASKER
from tests.test_e2e_max_staff_card import max_only as max_only  # a fixture
from tests.test_e2e_max_staff_card import ticket_card
from tests.test_e2e_max_staff_event_form import Max
from tests.test_e2e_max_staff_event_form import bot as bot  # a fixture
from tests.test_e2e_max_staff_events import ADMIN_MAX

# written out, not imported: the test says which words people type
WORDS = (
    "отмена", "Отменить", "отмени", "стоп", "Не надо", "передумал", "передумала", "cancel",
    "выйти", "Выйти!",
)  # fmt: skip


async def count(h: Max | BotHarness, model: type[Event] | type[Ticket]) -> int:
    async with h.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_each_word_drops_the_new_event_form_in_max(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None)
    for word in WORDS:
        (title_q,) = await h.says(admin, "/new_event")
        assert "Новое мероприятие" in title_q.plain
        (dropped,) = await h.says(admin, word)
        assert dropped.plain == t.DRAFT_DISCARDED, (word, dropped.plain)
    (title_q,) = await h.says(admin, "/new_event")
    (kind_q,) = await h.says(admin, "Как не надо делать презентации: стоп-слова")
    assert "вид" in kind_q.plain, "a title with the words in it is a title"
    (dropped,) = await h.presses(admin, kind_q, t.BTN_DISCARD)
    assert dropped.plain == t.DRAFT_DISCARDED and await count(h, Event) == 0


async def test_each_word_drops_the_edit_in_max(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    card = await start(h.fake, admin, f"event_{event_id}", n=2)
    for word in WORDS:
        (pick,) = await h.presses(admin, card, "✏️ Изменить")
        (ask,) = await h.presses(admin, pick, t.FIELD_LABELS["title"])
        assert t.BTN_DISCARD in labels(ask)
        (dropped,) = await h.says(admin, word)
        assert dropped.plain == max_texts.EDIT_DROPPED, (word, dropped.plain)
    (pick,) = await h.presses(admin, card, "✏️ Изменить")
    await h.presses(admin, pick, t.FIELD_LABELS["title"])
    (saved,) = await h.says(admin, "Стоп-кадр: отменить нельзя оставить")
    assert "Сохранено" in saved.plain and "Стоп-кадр: отменить нельзя оставить" in saved.plain


async def test_each_word_ends_the_question_dialog_in_max(bot: Max) -> None:
    h = bot
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await start(h.fake, TEACHER_MAX, None)
    (menu,) = await h.says(TEACHER_MAX, "/menu")
    for word in WORDS:
        (prompt,) = await h.says(TEACHER_MAX, "/ask")
        assert prompt.plain.startswith("Напишите ваш вопрос")
        (cancelled,) = await h.says(TEACHER_MAX, word)
        assert cancelled.plain == texts.CANCELLED, (word, cancelled.plain)  # Telegram's words
        assert labels(cancelled) == labels(menu), word  # and the teacher's menu
    assert await count(h, Ticket) == 0
    await h.says(TEACHER_MAX, "/ask")
    (sent,) = await h.says(TEACHER_MAX, "Как отменить запись, если ребёнок передумал?")
    assert "№" in sent.plain and await count(h, Ticket) == 1


async def test_each_word_leaves_a_max_admins_answer_unsent(max_only: FakeMaxServer) -> None:
    """After «Ответить» the next message is the answer to the parent — but not «отмена»: it
    went to the parent as the answer (Telegram's staff chat had it as /cancel)."""
    fake = max_only
    card = await ticket_card(fake)
    to_parent = len(fake.sent_to(ASKER))
    for word in WORDS:
        before = len(fake.sent_to(CARD_ADMIN))
        fake.press(CARD_ADMIN, card, texts.BTN_REPLY)
        (prompt,) = (await fake.wait_sent(CARD_ADMIN, before + 1))[before:]
        assert "Напишите ответ на обращение" in prompt.plain
        fake.user_writes(CARD_ADMIN, word)
        (cancelled,) = (await fake.wait_sent(CARD_ADMIN, before + 2))[before + 1 :]
        assert cancelled.plain == texts.CANCELLED, (word, cancelled.plain)  # Telegram's words
    assert len(fake.sent_to(ASKER)) == to_parent, "no word reached the parent"
    before = len(fake.sent_to(CARD_ADMIN))
    fake.press(CARD_ADMIN, card, texts.BTN_REPLY)
    await fake.wait_sent(CARD_ADMIN, before + 1)
    fake.user_writes(CARD_ADMIN, "Стоп, не надо справки: просто приходите с собакой.")
    (answer,) = (await fake.wait_sent(ASKER, to_parent + 1))[to_parent:]
    assert "не надо справки" in answer.plain


async def test_each_word_ends_the_question_dialog_in_telegram(harness: BotHarness) -> None:
    h = harness
    await h.say(PARENT, "/start")
    for word in WORDS:
        prompt = await h.say(PARENT, "/ask")
        assert prompt.text.startswith("Напишите ваш вопрос")
        cancelled = await h.say(PARENT, word)
        assert cancelled.text == texts.CANCELLED, (word, cancelled.text)
    assert await count(h, Ticket) == 0
    await h.say(PARENT, "/ask")
    sent = await h.say(PARENT, "Как отменить запись, если ребёнок передумал?")
    assert "№" in sent.text
    assert await count(h, Ticket) == 1
