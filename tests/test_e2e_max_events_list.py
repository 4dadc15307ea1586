"""Issue 11: a teacher in MAX gets Telegram's events list — paging past the first 8, type and
month filters that keep each other — «Мои записи» with cancelling, and /profile with editing
(the consent asked again), over the fake MAX server (real HTTP)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import texts
from bot.core.dates import MONTHS_NOMINATIVE
from bot.texts import events as t
from bot.texts import max as max_texts
from storage.models import Consent, Registration, RegistrationStatus, TeacherProfile
from storage.repositories import Repositories
from tests.fakes.max_model import Message
from tests.helpers.events import seed_event
from tests.helpers.max_both import (
    TEACHER_MAX,
    Both,
    labels,
    max_answer,
    press_and_wait,
    press_to_edit,
    seed_max_teacher,
)

MSK = ZoneInfo("Europe/Moscow")
BASE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


async def edited(message: Message, edits: int, within: float = 15.0) -> Message:
    """Wait until the bot edited `message` `edits` times in all (a press turns the page)."""
    deadline = asyncio.get_running_loop().time() + within
    while message.edits < edits:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{message.edits} of {edits} edits: {message.plain!r}")
        await asyncio.sleep(0.05)
    return message


async def turn(h: Both, message: Message, label: str) -> Message:
    edits = message.edits
    await h.press(TEACHER_MAX, message, label)
    return await edited(message, edits + 1)


async def test_paging_past_eight_and_filters_that_keep_each_other(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    for day in range(1, 10):
        await seed_event(h.sessionmaker, starts_at=BASE + timedelta(days=day),
                         title=f"Семинар №{day}")  # fmt: skip
    webinar_day = BASE + timedelta(days=3, hours=1)
    await seed_event(h.sessionmaker, starts_at=webinar_day, title="Вебинар <А>", kind="webinar")
    later = BASE + timedelta(days=70)
    await seed_event(h.sessionmaker, starts_at=later, title="Вебинар Б", kind="webinar")
    await h.start(TEACHER_MAX)

    listing = await h.say(TEACHER_MAX, "/events")
    assert listing.plain.count("Семинар №") == 7 and "Вебинар <А>" in listing.plain
    assert "Семинар №8" not in listing.plain and texts.BTN_MORE_PAGE in labels(listing)
    assert listing.button(texts.BTN_MORE_PAGE)["payload"] == "evl::0:1"  # Telegram's format

    await turn(h, listing, texts.BTN_MORE_PAGE)  # the same message, the next page
    assert "Семинар №8" in listing.plain and "Семинар №9" in listing.plain
    assert "Вебинар Б" in listing.plain and "Семинар №1" not in listing.plain
    assert texts.BTN_PREV_PAGE in labels(listing) and texts.BTN_MORE_PAGE not in labels(listing)
    await turn(h, listing, texts.BTN_PREV_PAGE)
    assert "Семинар №1" in listing.plain

    await turn(h, listing, t.BTN_FILTER_KIND.format(value=t.BTN_KIND_ALL))
    assert t.PICK_KIND in listing.plain
    await turn(h, listing, "Вебинар")
    assert "Вебинар <А>" in listing.plain and "Вебинар Б" in listing.plain
    assert "Семинар №" not in listing.plain
    assert t.BTN_FILTER_KIND.format(value="Вебинар") in labels(listing)

    tz = h.settings.tz
    month = webinar_day.astimezone(tz)
    month_name = MONTHS_NOMINATIVE[month.month - 1].capitalize()
    await turn(h, listing, t.BTN_FILTER_MONTH.format(value=t.BTN_MONTH_ALL))
    assert t.PICK_MONTH in listing.plain
    await turn(h, listing, f"{month_name} {month.year}")
    assert "Вебинар <А>" in listing.plain and "Вебинар Б" not in listing.plain
    assert "Семинар №" not in listing.plain  # the type was kept

    await turn(h, listing, t.BTN_FILTER_KIND.format(value="Вебинар"))
    await turn(h, listing, t.BTN_KIND_ALL)  # the month is kept
    assert t.BTN_FILTER_MONTH.format(value=f"{month_name} {month.year}") in labels(listing)
    assert "Вебинар Б" not in listing.plain and "Вебинар <А>" in listing.plain
    days = [
        d for d in range(1, 10) if (BASE + timedelta(days=d)).astimezone(tz).month == month.month
    ]
    assert all(f"Семинар №{d} " in listing.plain for d in days[:7])

    # a forged filter (a kind that does not exist, a 13th month) is refused, nothing shown
    listing.attachments[0]["payload"]["buttons"][0][0]["payload"] = "evl:bogus:202613:0"
    callback = await h.press(TEACHER_MAX, listing, labels(listing)[0])
    assert (
        await max_answer(h, callback) == max_texts.STALE_BUTTON and "Вебинар <А>" in listing.plain
    )


async def test_my_registrations_and_cancelling_one(both: Both) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    first = await seed_event(h.sessionmaker, starts_at=BASE, title="Семинар <один>")
    second = await seed_event(h.sessionmaker, starts_at=BASE + timedelta(days=2), title="Два")
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for event_id in (first, second):
            assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()
    await h.start(TEACHER_MAX)

    mine = await h.say(TEACHER_MAX, "/my_events")
    assert "Ваши записи" in mine.plain and "Семинар <один>" in mine.plain and "Два" in mine.plain
    assert mine.plain.count(t.STATUS_REGISTERED) == 2
    card = await press_to_edit(h, mine, labels(mine)[0])  # the list turns into the card
    assert "Семинар <один>" in card.plain and t.BTN_ICS in labels(card)
    (ics,) = await press_and_wait(h, card, t.BTN_ICS, 1)
    assert [a["type"] for a in ics.attachments] == ["file"]
    named = f"seminar-odin-{BASE.astimezone(MSK):%d.%m.%Y}.ics"  # not «event-1.ics»
    assert any(name == named for name, _ in h.max.uploads.values())
    sent = len(h.max.sent_to(TEACHER_MAX))
    confirm = await press_to_edit(h, card, t.BTN_CANCEL_REG)  # the card asks, as in Telegram
    assert "Отменить запись" in confirm.plain and len(h.max.sent_to(TEACHER_MAX)) == sent
    (cancelled,) = await press_and_wait(h, confirm, t.BTN_CANCEL_YES, 1)
    assert "отменена" in cancelled.plain
    await asyncio.sleep(0.3)
    assert t.BTN_REGISTER in labels(confirm)  # the question is the card again, not a new one
    assert len(h.max.sent_to(TEACHER_MAX)) == sent + 1

    again = await h.say(TEACHER_MAX, texts.BTN_MY_EVENTS)  # the menu's words work too
    assert "Семинар <один>" not in again.plain and "Два" in again.plain
    async with h.sessionmaker() as session:
        statuses = {r.event_id: r.status for r in await session.scalars(select(Registration))}
    assert statuses == {first: RegistrationStatus.CANCELLED, second: RegistrationStatus.REGISTERED}


async def test_profile_shown_and_edited_with_the_consent_asked_again(both: Both) -> None:
    h = both
    await h.start(TEACHER_MAX)
    assert t.PROFILE_NONE in (await h.say(TEACHER_MAX, "/profile")).plain
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)

    shown = await h.say(TEACHER_MAX, "/profile")
    assert "Соколова Марина Ивановна" in shown.plain and "МБОУ СОШ № 2" in shown.plain
    (consent,) = await press_and_wait(h, shown, t.BTN_PROFILE_EDIT, 1)
    assert "152-ФЗ" in consent.plain
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    await h.say(TEACHER_MAX, "Соколова-Петрова Марина Ивановна")
    position = await h.say(TEACHER_MAX, "Гимназия <№ 5>")
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    before = len(h.max.sent_to(TEACHER_MAX))
    h.max.user_writes(TEACHER_MAX, "+7 900 555-44-33")
    mailing = (await h.max.wait_sent(TEACHER_MAX, before + 2))[-1]
    (saved,) = await press_and_wait(h, mailing, t.BTN_MAIL_YES, 1)
    assert t.PROFILE_SAVED in saved.plain

    shown = await h.say(TEACHER_MAX, "/profile")
    assert "Гимназия <№ 5>" in shown.plain and "+7 900 555-44-33" in shown.plain
    async with h.sessionmaker() as session:
        profile = await session.get(TeacherProfile, uid)
        kinds = {c.kind for c in await session.scalars(select(Consent))}
    assert profile is not None and profile.full_name == "Соколова-Петрова Марина Ивановна"
    assert profile.mailing_consent is True and {"personal_data", "mailing"} <= kinds
