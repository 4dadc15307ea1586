"""A teacher on the waiting list, in Telegram and in MAX: the card's button was «Отменить
запись» and the question «Отменить запись на …?», though there was no seat to give back.
It reads as leaving the queue now, and so does what the bot says once it is done."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import events as t
from storage.models import Registration, RegistrationStatus
from tests.conftest import TEACHER
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import register, seed_event, seed_teacher
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    labels,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
    wait_edited,
)

SEATED = FakeUser(id=2009, first_name="Анна", last_name="Смирнова")
TITLE = "Мастер-класс «Квиллинг»"


async def test_leaving_the_waiting_list_says_so_in_both_messengers(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title=TITLE)
    await seed_teacher(h.sessionmaker, SEATED, "Смирнова Анна Сергеевна")
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    assert (await register(h.sessionmaker, event_id, SEATED))[1] == "registered"
    assert (await register(h.sessionmaker, event_id, TEACHER))[1] == "waiting"

    # Telegram: the card, «Выйти из листа ожидания», «Да, выйти»
    h.tg.user_sends(f"/start event_{event_id}", user=TEACHER)
    card = await h.tg.next_message(TEACHER.id)
    assert "в листе ожидания (1-й в очереди)" in card.text
    assert t.BTN_LEAVE_WAITLIST in card.inline_texts and t.BTN_CANCEL_REG not in card.inline_texts
    h.tg.press(card, t.BTN_LEAVE_WAITLIST, user=TEACHER)
    await h.tg.idle()
    asked = h.tg.messages[(TEACHER.id, card.message_id)]
    assert asked.text == f"Выйти из листа ожидания на «{TITLE}»? " + (
        "Если место освободится, его получит следующий в очереди."
    )
    assert asked.inline_texts == [t.BTN_LEAVE_YES, t.BTN_CANCEL_NO]
    h.tg.press(asked, t.BTN_LEAVE_YES, user=TEACHER)
    done = await h.tg.next_message(TEACHER.id)
    assert done.text == f"Вы вышли из листа ожидания на «{TITLE}»."
    await h.tg.idle()
    assert t.BTN_WAITLIST in h.tg.messages[(TEACHER.id, card.message_id)].inline_texts

    # MAX: the same words, and the queue's message says where to leave it
    offered = await h.start(TEACHER_MAX, f"event_{event_id}")
    edits = offered.edits
    (queued,) = await press_and_wait(h, offered, t.BTN_WAITLIST, 1)
    assert "Выйти из листа ожидания можно в «Мои записи»" in queued.plain
    shown = await wait_edited(offered, edits)  # the card itself, as Telegram edits it
    assert t.BTN_LEAVE_WAITLIST in labels(shown) and t.BTN_CANCEL_REG not in labels(shown)
    confirm = await press_to_edit(h, shown, t.BTN_LEAVE_WAITLIST)
    assert f"Выйти из листа ожидания на «{TITLE}»?" in confirm.plain
    assert labels(confirm) == [t.BTN_LEAVE_YES, t.BTN_CANCEL_NO]
    edits = confirm.edits
    (left,) = await press_and_wait(h, confirm, t.BTN_LEAVE_YES, 1)
    assert left.plain == f"Вы вышли из листа ожидания на «{TITLE}»."
    assert t.BTN_WAITLIST in labels(await wait_edited(confirm, edits))

    async with h.sessionmaker() as session:
        statuses = {r.user_id: r.status for r in await session.scalars(select(Registration))}
    assert statuses == {
        SEATED.id: RegistrationStatus.REGISTERED,  # nobody's seat moved
        TEACHER.id: RegistrationStatus.CANCELLED,
        uid: RegistrationStatus.CANCELLED,
    }
