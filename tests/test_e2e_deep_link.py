"""A teacher who arrives by a broadcast's «📝 Записаться» link (`/start event_<id>`), through
the real bot: the card comes first and alone, and registering makes the newcomer a teacher —
teacher's menu, «Мои записи», /my_data «Роль: Педагог» — without a welcome after the card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.texts import events as events_texts
from storage.models import User
from storage.repositories import Repositories
from tests.conftest import TEACHER, BotHarness
from tests.fakes.telegram_api import SentMessage
from tests.helpers.events import seed_event

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def menu_of(message: SentMessage) -> list[str]:
    return [button for row in message.reply_keyboard for button in row]


async def role_of(h: BotHarness) -> str | None:
    async with h.sessionmaker() as session:
        user = await session.get(User, TEACHER.id)
        assert user is not None
        return user.role


def no_welcome(h: BotHarness) -> None:
    said = [m.text or "" for m in h.server.sent_to(TEACHER.id)]
    assert not [t for t in said if "Кто вы?" in t or t.startswith("Здравствуйте")]


async def test_newcomer_by_deep_link_registers_and_becomes_a_teacher(h: BotHarness) -> None:
    event_id = await seed_event(h.sessionmaker, starts_at=START)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    assert "Семинар «Наставничество»" in card.text and "✅ Записаться" in card.inline_texts
    await h.server.idle(quiet=0.5)
    assert len(h.server.sent_to(TEACHER.id)) == 1  # the card, and no welcome after it
    consent = await h.press(TEACHER, card, "✅ Записаться")
    await h.press(TEACHER, consent, "✅ Согласен(на)")
    await h.say(TEACHER, "Сидоров Пётр Ильич")
    position = await h.say(TEACHER, "МБУ ДО «ДДТ»")
    await h.press(TEACHER, position, "Методист")
    await h.say(TEACHER, "+7 900 123-45-67")
    mailing = await h.server.next_message(TEACHER.id)
    saved = await h.press(TEACHER, mailing, "Нет, спасибо")
    assert "Профиль сохранён" in saved.text
    assert texts.BTN_MY_EVENTS in menu_of(saved) and texts.BTN_EVENTS in menu_of(saved)
    confirmed = await h.server.next_message(TEACHER.id)
    assert "Вы записаны" in confirmed.text and "Мои записи" in confirmed.text
    assert (await h.server.next_message(TEACHER.id)).document is not None  # the .ics
    assert await role_of(h) == "teacher"
    assert "Роль: Педагог" in (await h.say(TEACHER, "/my_data")).text
    assert texts.BTN_MY_EVENTS in menu_of(await h.say(TEACHER, "/menu"))
    no_welcome(h)


async def test_known_user_without_a_role_gets_the_teacher_menu_on_registering(
    h: BotHarness,
) -> None:
    event_id = await seed_event(h.sessionmaker, starts_at=START)
    async with h.sessionmaker() as session:  # a profile kept, the role never chosen
        repo = Repositories(session)
        await repo.users.touch(TEACHER.id, TEACHER.first_name, TEACHER.last_name, None)
        await repo.profiles.save(
            TEACHER.id, full_name="Сидоров Пётр Ильич", organisation="ДДТ",
            position="Методист", contact="+7 900 000-00-00", mailing_consent=False,
        )  # fmt: skip
        await repo.commit()
    card = await h.say(TEACHER, f"/start event_{event_id}")
    confirmed = await h.press(TEACHER, card, "✅ Записаться")
    assert "Вы записаны" in confirmed.text
    assert texts.BTN_MY_EVENTS in menu_of(confirmed)
    assert await role_of(h) == "teacher"
    no_welcome(h)


async def test_a_link_to_a_deleted_event_says_so_and_then_welcomes(h: BotHarness) -> None:
    gone = await h.say(TEACHER, "/start event_999")
    assert gone.text == events_texts.EVENT_GONE
    welcome = await h.server.next_message(TEACHER.id)
    assert welcome.text.startswith("Здравствуйте") and "Кто вы?" in welcome.text


@pytest.mark.parametrize("payload", ["event_", "event_12x", "event_²", "promo"])
async def test_another_payload_gets_the_plain_welcome(h: BotHarness, payload: str) -> None:
    await seed_event(h.sessionmaker, starts_at=START)
    welcome = await h.say(TEACHER, f"/start {payload}")
    assert welcome.text.startswith("Здравствуйте") and welcome.inline_texts
    await h.server.idle(quiet=0.3)
    assert len(h.server.sent_to(TEACHER.id)) == 1


@pytest.fixture
def h(harness: BotHarness) -> BotHarness:
    return harness
