"""A teacher types instead of pressing: what the menu buttons say («мои записи»,
«Мероприятия», «мой профиль», «мои данные», /privacy) or a day or month («15.12», «завтра»,
«какие мероприятия в декабре») — and gets the same view in Telegram and MAX; and the contact
question of the form reads the same in both, naming the button that shares the number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.dates import MONTHS_GENITIVE
from bot.services.events.cards import short_when
from bot.services.events.listing import month_label
from bot.texts import events as t
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import TEACHER
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import (
    MOTHER,
    TEACHER_MAX,
    Both,
    as_parent,
    labels,
    max_form_to_position,
    press_and_wait,
    seed_max_teacher,
)

OTHER = FakeUser(id=2007, first_name="Ольга", last_name="Петрова")
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
DATA_HEAD = "Что бот хранит о вас"
MONTHS_PREPOSITIONAL = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)  # fmt: skip


async def tg_says(h: Both, text: str) -> str:
    h.tg.user_sends(text, user=TEACHER)
    return (await h.tg.next_message(TEACHER.id)).text


async def test_the_teachers_doors_typed_without_emoji_open_them_in_both(both: Both) -> None:
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Игровые технологии»")
    await h.start(TEACHER_MAX)

    # before: the FAQ took «мои записи» for the Navigator's «как записать ребёнка в кружок»
    mine = await tg_says(h, "мои записи")
    assert t.MY_EMPTY in mine and "Навигатор" not in mine
    assert t.MY_EMPTY in (await h.say(TEACHER_MAX, "Мои записи")).plain
    listing = await tg_says(h, "Мероприятия")
    assert "Ближайшие мероприятия" in listing and "Игровые технологии" in listing
    assert "Игровые технологии" in (await h.say(TEACHER_MAX, "мероприятия")).plain
    assert "Сидоров Пётр Ильич" in await tg_says(h, "Мой профиль")
    assert "Соколова Марина Ивановна" in (await h.say(TEACHER_MAX, "мой профиль")).plain

    # «мои данные» typed in Telegram was the FAQ's «данные ребёнка не подтверждены»; MAX
    # showed /my_data. /privacy, the word Telegram bots answer to, was «Такой команды нет»
    assert DATA_HEAD in await tg_says(h, "мои данные")
    assert DATA_HEAD in await tg_says(h, "/privacy")
    assert DATA_HEAD in (await h.say(TEACHER_MAX, "/privacy")).plain


async def test_the_max_contact_question_names_the_share_button_as_telegrams(both: Both) -> None:
    h = both
    _, ask_position = await max_form_to_position(h)
    assert "должность" in ask_position.plain
    (ask_contact,) = await press_and_wait(h, ask_position, "Методист", 1)

    # Telegram's question names the share button; MAX's had only «Напишите телефон»
    assert "кнопку ниже" in t.PROFILE_CONTACT and "кнопку ниже" in ask_contact.plain
    assert "MAX" in ask_contact.plain and t.BTN_SHARE_PHONE in labels(ask_contact)
    taken = await h.say(TEACHER_MAX, "+7 912 3456789")
    assert "+7 912 345-67-89" in taken.plain


async def test_a_typed_day_or_month_lists_its_events_in_both(both: Both) -> None:
    """«15.12», «завтра», «какие мероприятия в декабре»: the FAQ answered «Напишите вопрос
    словами» to the date and an article to the month; now the list for it, in both."""
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    tz = h.settings.tz
    day = (SOON + timedelta(days=1)).astimezone(tz).replace(hour=15, minute=0)
    await seed_event(h.sessionmaker, starts_at=day, title="Мастер-класс «Оригами»")
    await seed_event(h.sessionmaker, starts_at=day + timedelta(days=1), title="Семинар «Игры»")
    await h.start(TEACHER_MAX)
    typed = f"{day:%d.%m}"
    named = f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"

    for text in (await tg_says(h, typed), (await h.say(TEACHER_MAX, typed)).plain):
        assert f"Мероприятия {named}" in text and "Оригами" in text and "Игры" not in text
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(tz)
    none = f"На {tomorrow.day} {MONTHS_GENITIVE[tomorrow.month - 1]} мероприятий нет"
    for text in (await tg_says(h, "завтра"), (await h.say(TEACHER_MAX, "Завтра?")).plain):
        assert none in text and "Оригами" in text and "Игры" in text  # and what there is

    month = f"какие мероприятия в {MONTHS_PREPOSITIONAL[day.month - 1]}"
    h.tg.user_sends(month, user=TEACHER)
    listing = await h.tg.next_message(TEACHER.id)
    in_max = await h.say(TEACHER_MAX, month)
    label = t.BTN_FILTER_MONTH.format(value=month_label(day.year * 100 + day.month))
    assert "Оригами" in listing.text and label in listing.inline_texts
    assert "Оригами" in in_max.plain and label in labels(in_max)


async def test_a_typed_day_or_month_finds_a_workshop_by_any_of_its_meetings(both: Both) -> None:
    """A workshop meets on three days; a teacher types the second or third one. Only its
    first day found it: «На 22 декабря мероприятий нет» about a day it meets."""
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    tz = h.settings.tz
    first = (SOON + timedelta(days=1)).astimezone(tz).replace(hour=15, minute=0)
    meetings = [first, first + timedelta(days=7), first + timedelta(days=35)]
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        workshop = Event(
            title="Мастерская «Проекты»", kind="workshop", starts_at=first, duration_min=90,
            format="offline", place="МОЦ", capacity=20, taken=0, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        await repo.events.add(workshop, meetings)
        await repo.commit()
    await h.start(TEACHER_MAX)
    this_year = datetime.now(UTC).astimezone(tz).year

    second, third = meetings[1], meetings[2]
    named = f"{third.day} {MONTHS_GENITIVE[third.month - 1]}"
    for text in (
        await tg_says(h, f"{second:%d.%m}"),
        (await h.say(TEACHER_MAX, f"мастерская {named}")).plain,
    ):
        assert "Мастерская «Проекты»" in text and "мероприятий нет" not in text
    on_third = await tg_says(h, f"{third:%d.%m}")
    assert f"Мероприятия {named}" in on_third
    # the line gives the meeting of that day, not the first one
    assert short_when(third, tz, this_year) in on_third
    assert short_when(first, tz, this_year) not in on_third

    month = f"какие мероприятия в {MONTHS_PREPOSITIONAL[third.month - 1]}"
    in_max = await h.say(TEACHER_MAX, month)  # the month of the third meeting only
    assert "Мастерская «Проекты»" in in_max.plain and short_when(third, tz, this_year) in (
        in_max.plain
    )


async def test_a_date_typed_while_a_ticket_is_open_joins_the_ticket(both: Both) -> None:
    """The specialist asked «когда вы подали заявку?»: «15.12» is the answer, not a list."""
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await tg_says(h, "/ask")
    assert "№" in await tg_says(h, "Не пришло подтверждение заявки на семинар")
    assert "Добавил это к обращению" in await tg_says(h, "15.12")


async def test_a_wish_to_sign_up_gets_the_list_and_a_parents_stays_the_navigators(
    both: Both,
) -> None:
    """«запишите меня» from a teacher was the Navigator's «как записать ребёнка в кружок»."""
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар «Игровые технологии»")
    await h.start(TEACHER_MAX)
    for text in (
        await tg_says(h, "Запишите меня, пожалуйста"),
        (await h.say(TEACHER_MAX, "запишите меня")).plain,
        await tg_says(h, "хочу на семинар"),
        (await h.say(TEACHER_MAX, "Хочу на семинар!")).plain,
    ):
        assert "Ближайшие мероприятия" in text and "Игровые технологии" in text
        assert "Навигатор" not in text

    await as_parent(h)
    for_parent = await h.say(MOTHER, "запишите меня")
    assert "Навигатор" in for_parent.plain and "Игровые технологии" not in for_parent.plain


async def test_telegrams_help_names_the_teachers_commands_as_maxs(both: Both) -> None:
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    in_tg = await tg_says(h, "помощь")
    in_max = (await h.say(TEACHER_MAX, "/help")).plain
    for command in ("/events", "/my_events", "/profile", "/withdraw_consent", "/forget_me"):
        assert command in in_max and command in in_tg, command


async def test_my_registrations_say_the_place_in_the_waiting_list_as_the_card(both: Both) -> None:
    """«Мои записи» said only «в листе ожидания»; the card said «2-й в очереди»."""
    h = both
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Оригами")
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(OTHER.id, OTHER.first_name, OTHER.last_name, None)
        for who in (OTHER.id, uid, TEACHER.id):  # a seat, then the queue: MAX 1st, Telegram 2nd
            await repo.events.register(event_id, who)
        await repo.commit()
    await h.start(TEACHER_MAX)

    assert t.STATUS_WAITING.format(position=2) in await tg_says(h, "/my_events")
    assert t.STATUS_WAITING.format(position=1) in (await h.say(TEACHER_MAX, "/my_events")).plain
