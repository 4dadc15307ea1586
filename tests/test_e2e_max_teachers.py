"""Issue 11: a teacher in MAX — /events, the card, «Записаться» with the .ics file, cancelling
(the next in line in Telegram is promoted and told there), the deep link to the card — over
the fake MAX server and the fake Telegram server, both real HTTP, in one process."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.texts import events as t
from storage.models import FsmRecord, Registration, RegistrationStatus, TeacherProfile
from storage.repositories import Repositories
from tests.fakes.max_model import Message
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

MSK = ZoneInfo("Europe/Moscow")
WAITING_TG = FakeUser(id=2007, first_name="Пётр", last_name="Иванов")


async def test_list_card_register_with_ics_then_cancel_promotes_a_telegram_teacher(
    both: Both,
) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар <А>")
    await h.start(TEACHER_MAX)

    listing = await h.say(TEACHER_MAX, "/events")
    assert "Ближайшие мероприятия" in listing.plain and "Семинар <А>" in listing.plain
    label = listing.buttons()[0][0]["text"]
    assert listing.buttons()[0][0]["payload"] == f"ev:card:{event_id}"  # Telegram's format
    shown = await press_to_edit(h, listing, label)  # the list turns into the card
    assert "Семинар <А>" in shown.plain
    assert t.BTN_REGISTER in [b["text"] for row in shown.buttons() for b in row]

    edits = shown.edits
    confirmation, ics = await press_and_wait(h, shown, t.BTN_REGISTER, 2)
    assert "Семинар <А>" in confirmation.plain and "ул. Ленина" in confirmation.plain
    assert [a["type"] for a in ics.attachments] == ["file"]
    named = f"seminar-a-{SOON.astimezone(MSK):%d.%m.%Y}.ics"  # the title and day, not the id
    assert any(name == named for name, _ in h.max.uploads.values())
    assert b"BEGIN:VCALENDAR" in next(d for n, d in h.max.uploads.values() if n.endswith(".ics"))
    card = shown  # the card itself now offers the cancelling, as Telegram edits it
    await wait_edited(card, edits)
    assert t.BTN_CANCEL_REG in labels(card)

    await seed_teacher(h.sessionmaker, WAITING_TG, "Иванов Пётр Петрович")
    assert (await register(h.sessionmaker, event_id, WAITING_TG))[1] == "waiting"

    confirm = await press_to_edit(h, card, t.BTN_CANCEL_REG)
    assert "Отменить запись" in confirm.plain
    (cancelled,) = await press_and_wait(h, confirm, t.BTN_CANCEL_YES, 1)
    assert "отменена" in cancelled.plain
    told = await h.tg.next_message(WAITING_TG.id, timeout=15)
    assert told.text and "Семинар" in told.text
    async with h.sessionmaker() as session:
        regs = {r.user_id: r.status for r in await session.scalars(select(Registration))}
    assert regs[WAITING_TG.id] == RegistrationStatus.REGISTERED
    assert regs[uid] == RegistrationStatus.CANCELLED


async def test_the_deep_link_shows_the_card(both: Both) -> None:
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Вебинар для педагогов")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert "Вебинар для педагогов" in shown.plain
    labels = [b["text"] for row in shown.buttons() for b in row]
    assert t.BTN_REGISTER in labels and t.BTN_TO_LIST in labels


async def test_a_first_registration_asks_the_profile_and_stores_only_after_consent(
    both: Both,
) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар для новичков")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)  # and «Кто вы?» for a newcomer

    async def walk_to_consent(share: bool) -> Message:
        (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
        assert "152-ФЗ" in consent.plain and "Шаг 1 из 5" in consent.plain
        (first,) = await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
        assert first.plain == t.PROFILE_START.replace("<b>", "").replace("</b>", "")
        bad = await h.say(TEACHER_MAX, "Марина 123")
        assert "ФИО полностью" in bad.plain  # re-prompted, as in Telegram
        org = await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
        assert "организаци" in org.plain
        position = await h.say(TEACHER_MAX, "МБОУ СОШ № 2")
        (contact,) = await press_and_wait(h, position, t.POSITIONS[0], 1)
        assert "телефон" in contact.plain.lower()
        assert t.BTN_SHARE_PHONE in [b["text"] for row in contact.buttons() for b in row]
        assert "распознать" in (await h.say(TEACHER_MAX, "позвоните мне")).plain
        return await mailing_after(h, "+7 900 123-45-67", share)

    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    (refused,) = await press_and_wait(h, consent, t.BTN_CONSENT_NO, 1)
    assert "не сохранены" in refused.plain
    async with h.sessionmaker() as session:
        assert (await session.scalars(select(Registration))).first() is None
        assert (await session.scalars(select(TeacherProfile))).first() is None

    mailing = await walk_to_consent(share=True)
    saved, confirmation, ics = await press_and_wait(h, mailing, t.BTN_MAIL_NO, 3)
    assert t.PROFILE_SAVED in saved.plain
    assert "Семинар для новичков" in confirmation.plain
    assert [a["type"] for a in ics.attachments] == ["file"]
    async with h.sessionmaker() as session:
        profile = (await session.scalars(select(TeacherProfile))).one()
        registration = (await session.scalars(select(Registration))).one()
    assert profile.full_name == "Соколова Марина Ивановна"
    assert profile.organisation == "МБОУ СОШ № 2" and profile.mailing_consent is False
    assert profile.contact == "+7 900 123-45-67"  # shared by MAX's button
    assert registration.status == RegistrationStatus.REGISTERED


async def mailing_after(h: Both, contact: str, share: bool) -> Message:
    """The contact typed or shared by the button: «Контакт: …», then the mailing question."""
    before = len(h.max.sent_to(TEACHER_MAX))
    if share:
        h.max.user_shares_contact(TEACHER_MAX, "89001234567")
    else:
        h.max.user_writes(TEACHER_MAX, contact)
    return (await h.max.wait_sent(TEACHER_MAX, before + 2, within=15))[-1]


async def test_a_telegram_cancellation_promotes_a_waiting_max_teacher_told_in_max(
    both: Both,
) -> None:
    """The promotion notice goes through the app's Switchboard, whichever messenger the next
    in line is in (TelegramMessenger alone would try Telegram with a MAX person's id)."""
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Мастер-класс")
    await seed_teacher(h.sessionmaker, WAITING_TG, "Иванов Пётр Петрович")
    assert (await register(h.sessionmaker, event_id, WAITING_TG))[1] == "registered"
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "waiting"
        await repo.commit()
    before = len(h.max.sent_to(TEACHER_MAX))

    h.tg.user_sends(f"/start event_{event_id}", user=WAITING_TG)
    card = await h.tg.next_message(WAITING_TG.id)
    h.tg.press(card, t.BTN_CANCEL_REG, user=WAITING_TG)
    for _ in range(100):  # the card is edited into «Отменить запись на …?»
        if t.BTN_CANCEL_YES in str(card.reply_markup):
            break
        await asyncio.sleep(0.05)
    h.tg.press(card, t.BTN_CANCEL_YES, user=WAITING_TG)
    told = (await h.max.wait_sent(TEACHER_MAX, before + 1, within=15))[before]
    assert "Мастер-класс" in told.plain
    async with h.sessionmaker() as session:
        regs = {r.user_id: r.status for r in await session.scalars(select(Registration))}
    assert regs[uid] == RegistrationStatus.REGISTERED


async def test_thirty_long_organisation_names_fit_the_dialogs_row(both: Both) -> None:
    """The offered organisations wait with the answers in the dialog's row; its step column
    holds 255 characters (PostgreSQL refuses more, SQLite does not check), so they go in its
    data. The teacher picks one by button and it is what is saved."""
    h = both
    names = [f"ЦДТ № {n}: муниципальное бюджетное учреждение доп. образования" for n in range(30)]
    async with h.sessionmaker() as session:
        await Repositories(session).profiles.add_organisations(names)
        await session.commit()
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар")
    shown = await h.start(TEACHER_MAX, f"event_{event_id}")
    await h.max.wait_sent(TEACHER_MAX, 2)

    async def longest_step() -> int:
        async with h.sessionmaker() as session:
            rows = (await session.scalars(select(FsmRecord))).all()
        return max((len(r.state or "") for r in rows), default=0)

    (consent,) = await press_and_wait(h, shown, t.BTN_REGISTER, 1)
    await press_and_wait(h, consent, t.BTN_CONSENT_YES, 1)
    org = await h.say(TEACHER_MAX, "Соколова Марина Ивановна")
    assert await longest_step() <= 255
    label = next(
        b["text"] for row in org.buttons() for b in row if b["text"].startswith("ЦДТ № 7:")
    )
    (position,) = await press_and_wait(h, org, label, 1)
    await press_and_wait(h, position, t.POSITIONS[0], 1)
    mailing = await mailing_after(h, "+7 900 123-45-67", share=False)
    await press_and_wait(h, mailing, t.BTN_MAIL_NO, 3)
    assert await longest_step() <= 255
    async with h.sessionmaker() as session:
        profile = (await session.scalars(select(TeacherProfile))).one()
    assert profile.organisation == names[7]


async def test_waiting_list_presses_turn_the_card_in_place_not_new_cards(both: Both) -> None:
    """As Telegram edits the card: a double tap on «Встать в лист ожидания» tells «вы в листе
    ожидания» and «уже в листе» but leaves one card, showing the turn; «Выйти из листа
    ожидания» asks in the card and turns it back; a card MAX will not edit comes anew."""
    h = both
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    await seed_teacher(h.sessionmaker, WAITING_TG, "Иванов Пётр Петрович")
    assert (await register(h.sessionmaker, event_id, WAITING_TG))[1] == "registered"
    card = await h.start(TEACHER_MAX, f"event_{event_id}")
    assert t.BTN_WAITLIST in labels(card)
    before = len(h.max.sent_to(TEACHER_MAX))

    await h.press(TEACHER_MAX, card, t.BTN_WAITLIST)
    await h.press(TEACHER_MAX, card, t.BTN_WAITLIST)
    told = await h.max.wait_sent(TEACHER_MAX, before + 2, within=15)
    await wait_edited(card, 1)
    await asyncio.sleep(0.5)  # nothing more comes
    sent = h.max.sent_to(TEACHER_MAX)[before:]
    assert "в листе ожидания" in told[before].plain and t.ALREADY_WAITING in told[before + 1].plain
    assert not [m.plain for m in sent if t.BTN_TO_LIST in labels(m)]  # no second card
    assert t.BTN_LEAVE_WAITLIST in labels(card) and "1-й" in card.plain, card.plain

    question = await press_to_edit(h, card, t.BTN_LEAVE_WAITLIST)
    assert "Выйти из листа ожидания" in question.plain and t.BTN_LEAVE_YES in labels(question)
    assert len(h.max.sent_to(TEACHER_MAX)) == before + 2
    h.max.fail_next(400, "edit.forbidden", "Message is too old", matching="Длительность")
    left, again = await press_and_wait(h, question, t.BTN_LEAVE_YES, 2)
    assert "Вы вышли из листа ожидания" in left.plain
    assert t.BTN_WAITLIST in labels(again) and t.BTN_TO_LIST in labels(again)  # sent anew
