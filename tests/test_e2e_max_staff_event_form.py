"""МОЦ staff who use only MAX create and change events there: the questions, checks and
texts of Telegram's dialog, re-asked on every wrong answer, «Отмена» at any step, a preview and
«Опубликовать»; the draft survives a restart; a new time reaches a registered teacher. Anyone
else's forged staff payload is refused. Over the fake MAX server (real HTTP), MAX only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.app.factory import Services
from bot.app.jobs import Jobs
from bot.app.max_runtime import MaxRuntime
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import events as te
from bot.texts import events_admin as t
from storage.db import SessionMaker
from storage.models import Event, Registration, RegistrationStatus
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.events import seed_event
from tests.helpers.max_bot import answered, max_settings, start
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    labels,
    new_runtime,
    seed_max_teacher,
    wait_edited,
)
from tests.test_e2e_max_staff_events import ADMIN_MAX

TITLE = "Семинар <ФГОС> & практика"


@dataclass
class Max:
    """The MAX-only bot of one process (its runtime may be replaced: a restart)."""

    fake: FakeMaxServer
    settings: Settings
    sessionmaker: SessionMaker
    faq: FaqService
    services: Services
    runtime: MaxRuntime

    async def says(self, user: MaxUser, text: str, n: int = 1) -> list[Message]:
        """The bot's next `n` messages to `user` — exactly `n`: a delivery report of a notice
        queued by the answer may already follow them."""
        before = len(self.fake.sent_to(user))
        self.fake.user_writes(user, text)
        return (await self.fake.wait_sent(user, before + n, within=15))[before : before + n]

    async def presses(
        self, user: MaxUser, message: Message, label: str, n: int = 1
    ) -> list[Message]:
        before = len(self.fake.sent_to(user))
        self.fake.press(user, message, label)
        return (await self.fake.wait_sent(user, before + n, within=15))[before : before + n]

    async def restart(self) -> None:
        """A new runtime on new services over the same database: nothing kept in memory."""
        await self.runtime.stop()
        self.services = Services(self.settings, self.sessionmaker, self.faq)
        self.runtime = new_runtime(self.services)
        await self.runtime.start()


@pytest.fixture
async def bot(
    max_server: FakeMaxServer, db_path: Any, sessionmaker: SessionMaker, faq_service: FaqService
) -> AsyncIterator[Max]:
    settings = max_settings(db_path, max_server, ADMIN_MAX, broadcast_poll_seconds=0.5)
    services = Services(settings, sessionmaker, faq_service)
    runtime = new_runtime(services)
    await runtime.start()
    h = Max(max_server, settings, sessionmaker, faq_service, services, runtime)
    yield h
    await h.runtime.stop()


def local(settings: Settings, days: int, hour: int = 15) -> str:
    """A moment typed as staff type it, in the МОЦ zone."""
    return (datetime.now(settings.tz) + timedelta(days=days)).strftime(f"%d.%m.%Y {hour}:00")


async def events_of(sm: SessionMaker) -> list[Event]:
    async with sm() as session:
        return list((await session.scalars(select(Event))).all())


async def until_registered(sm: SessionMaker, event_id: int) -> Registration:
    for _ in range(300):
        async with sm() as session:
            found = await session.scalar(
                select(Registration).where(Registration.event_id == event_id)
            )
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise TimeoutError("no registration")


async def arrives(fake: FakeMaxServer, user: MaxUser, words: str) -> Message:
    for _ in range(400):
        found = [m for m in fake.sent_to(user) if words in m.plain]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{words!r} never reached {user.first_name}: {fake.sent_to(user)}")


async def test_staff_creates_an_event_in_max_and_a_teacher_registers(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None, n=1)  # the greeting: the admin is known from now on
    (listing,) = await h.says(admin, "/events")
    (title_q,) = await h.presses(admin, listing, "➕ Новое мероприятие")
    assert "Новое мероприятие" in title_q.plain and t.BTN_DISCARD in labels(title_q)
    (kind_q,) = await h.says(admin, TITLE)
    assert "вид" in kind_q.plain
    (starts_q,) = await h.presses(admin, kind_q, "Семинар")
    assert "Когда начало" in starts_q.plain and t.BTN_DISCARD in labels(starts_q)

    (wrong,) = await h.says(admin, "в среду после обеда")
    assert "Не понял дату и время" in wrong.plain
    (past,) = await h.says(admin, local(h.settings, -1))
    assert "Это время уже прошло" in past.plain
    (duration_q,) = await h.says(admin, local(h.settings, 10))
    assert "Длительность" in duration_q.plain
    (format_q,) = await h.presses(admin, duration_q, "90 мин")
    (place_q,) = await h.presses(admin, format_q, "Очно")
    assert "Адрес" in place_q.plain
    (_seats_q,) = await h.says(admin, "ул. Ленина, 1, каб. 5")
    (not_number,) = await h.says(admin, "тридцать")
    assert not_number.plain == "Число мест — целое число цифрами, например 30."
    (deadline_q,) = await h.says(admin, "30")
    assert "запись" in deadline_q.plain
    (_description_q,) = await h.presses(admin, deadline_q, t.BTN_NO_DEADLINE)
    (too_long,) = await h.says(admin, "Очень подробно. " * 200)
    assert "Описание — до 3000 символов" in too_long.plain
    assert t.BTN_SKIP in labels(too_long) and t.BTN_DISCARD in labels(too_long)
    (preview,) = await h.presses(admin, too_long, t.BTN_SKIP)
    assert "Так карточку увидят педагоги" in preview.plain and TITLE in preview.plain
    assert labels(preview) == [t.BTN_PUBLISH, t.BTN_DISCARD]
    assert await events_of(h.sessionmaker) == []

    (published,) = await h.presses(admin, preview, t.BTN_PUBLISH)
    (event,) = await events_of(h.sessionmaker)
    assert f"мероприятие №{event.id}" in published.plain and TITLE in published.plain
    assert "✏️ Изменить" in labels(published)
    async with h.sessionmaker() as session:
        admin_uid = await Repositories(session).channel_ids.internal("max", "user", admin.user_id)
    assert (event.title, event.kind, event.capacity, event.duration_min, event.created_by) == (
        TITLE, "seminar", 30, 90, admin_uid,
    )  # fmt: skip
    late = await answered(h.fake, h.fake.press(admin, preview, t.BTN_PUBLISH))  # a second tap
    assert late == t.ALREADY_DONE and len(await events_of(h.sessionmaker)) == 1

    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    (teacher_list,) = await h.says(TEACHER_MAX, "/events")
    assert "➕ Новое мероприятие" not in labels(teacher_list)
    label = next(b for b in labels(teacher_list) if TITLE in b)
    edits = teacher_list.edits
    h.fake.press(TEACHER_MAX, teacher_list, label)
    card = await wait_edited(teacher_list, edits)  # the list turns into the card
    assert "✏️ Изменить" not in labels(card)
    h.fake.press(TEACHER_MAX, card, te.BTN_REGISTER)
    registration = await until_registered(h.sessionmaker, event.id)
    assert registration.status == RegistrationStatus.REGISTERED


async def test_wrong_date_is_asked_again_and_cancel_ends_the_dialog(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None)
    (title_q,) = await h.says(admin, "/new_event")
    assert "Новое мероприятие" in title_q.plain
    (kind_q,) = await h.says(admin, "Вебинар о сертификатах")
    (_starts_q,) = await h.presses(admin, kind_q, "Вебинар")
    (wrong,) = await h.says(admin, "31.02 10:00")
    assert "Такой даты нет" in wrong.plain and t.BTN_DISCARD in labels(wrong)
    (again,) = await h.says(admin, "25:99")
    assert "Не понял" in again.plain or "Такого времени нет" in again.plain
    (dropped,) = await h.presses(admin, again, t.BTN_DISCARD)
    assert dropped.plain == t.DRAFT_DISCARDED
    # out of the dialog: a date is a question for the FAQ again, not an answer
    (faq,) = await h.says(admin, local(h.settings, 5))
    assert "Длительность" not in faq.plain
    (_title_q,) = await h.says(admin, "/new_event")
    (typed,) = await h.says(admin, "Отмена")
    assert typed.plain == t.DRAFT_DISCARDED and await events_of(h.sessionmaker) == []


async def test_a_teachers_forged_staff_payloads_are_refused(bot: Max) -> None:
    h = bot
    await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, title="Семинар")
    card = await start(h.fake, TEACHER_MAX, f"event_{event_id}")
    (refused,) = await h.says(TEACHER_MAX, "/new_event")
    assert refused.plain == texts.ADMIN_ONLY
    button = card.attachments[0]["payload"]["buttons"][0][0]
    for forged in (
        "eva:new:0", f"eva:edit:{event_id}", f"eve:{event_id}:title", f"eva:cancel_yes:{event_id}",
        f"eva:close:{event_id}", "evn:publish:", "evn:title:Взлом",
        # the list, exports and attendance marks (handlers.max.staff_events)
        f"eva:people:{event_id}", f"eva:xlsx:{event_id}", f"eva:csv:{event_id}",
        f"eva:attend:{event_id}", "att:1:0", f"atp:{event_id}:0",
    ):  # fmt: skip
        button["payload"] = forged
        assert await answered(h.fake, h.fake.press(TEACHER_MAX, card, button["text"])) == (
            texts.ADMIN_ONLY
        ), forged
    (event,) = await events_of(h.sessionmaker)
    assert (event.title, event.status) == ("Семинар", "published")
    async with h.sessionmaker() as session:
        uid = await Repositories(session).channel_ids.internal("max", "user", TEACHER_MAX.user_id)
        assert await Repositories(session).dialog_states.get(f"max:{uid}") == ""


async def test_the_draft_survives_a_restart(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    await start(h.fake, admin, None)
    await h.says(admin, "/new_event")
    (kind_q,) = await h.says(admin, "Круглый стол: наставничество")
    (_starts_q,) = await h.presses(admin, kind_q, "Круглый стол")
    await h.restart()
    (duration_q,) = await h.says(admin, local(h.settings, 7, hour=11))
    assert "Длительность" in duration_q.plain
    (format_q,) = await h.says(admin, "1,5 ч")
    (_place_q,) = await h.presses(admin, format_q, "Онлайн")
    (no_link,) = await h.says(admin, "в зуме")
    assert "нужна ссылка" in no_link.plain
    await h.restart()
    (_seats_q,) = await h.says(admin, "https://telemost.yandex.ru/j/123")
    (deadline_q,) = await h.says(admin, "12")
    (_description_q,) = await h.presses(admin, deadline_q, t.BTN_NO_DEADLINE)
    (preview,) = await h.says(admin, "Обсуждаем опыт наставников.")
    assert "Круглый стол: наставничество" in preview.plain
    await h.restart()
    await h.presses(admin, preview, t.BTN_PUBLISH)
    (event,) = await events_of(h.sessionmaker)
    assert (event.title, event.kind, event.duration_min, event.format, event.capacity) == (
        "Круглый стол: наставничество", "round_table", 90, "online", 12,
    )  # fmt: skip


@asynccontextmanager
async def teacher_registered(h: Max, title: str) -> AsyncIterator[int]:
    """A new event with a MAX teacher registered, and the real jobs (the notice worker) on."""
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    event_id = await seed_event(h.sessionmaker, title=title, starts_at=SOON)  # ahead, not held
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, uid)).outcome == "registered"
        await repo.commit()
    jobs = Jobs(h.settings, h.sessionmaker, h.services.clock, h.services.switchboard)
    await jobs.start()
    try:
        assert jobs.worker is not None
        h.runtime.ctx.wake = jobs.worker.wake
        yield event_id
    finally:
        await jobs.stop()


async def test_a_new_time_set_in_max_reaches_the_registered_teacher(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    async with teacher_registered(h, "Семинар «Наставничество»") as event_id:
        card = await start(h.fake, admin, f"event_{event_id}", n=2)
        (pick,) = await h.presses(admin, card, "✏️ Изменить")
        (ask,) = await h.presses(admin, pick, t.FIELD_LABELS["starts"])
        assert "Новые дата и время" in ask.plain and t.BTN_DISCARD in labels(ask)
        (past,) = await h.says(admin, local(h.settings, -2))
        assert "Это время уже прошло" in past.plain
        new_time = local(h.settings, 12, hour=16)
        saved, notified = await h.says(admin, new_time, n=2)
        assert (
            "Сохранено: Дата и время" in saved.plain
            and f"{int(new_time[:2])} " in saved.plain
            and "16:00" in saved.plain
        )
        assert "Участникам отправляется уведомление" in notified.plain
        notice = await arrives(h.fake, TEACHER_MAX, "Изменилось время")
        assert "Семинар «Наставничество»" in notice.plain and "16:00" in notice.plain


def ics_of(h: Max, message: Message) -> dict[str, str]:
    """The properties of the .ics a MAX message carries (one meeting: one value each)."""
    assert [a["type"] for a in message.attachments] == ["file"]
    _name, data = h.fake.uploads[message.attachments[0]["payload"]["token"]]
    lines = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    return dict(line.split(":", 1) for line in lines if line.split(":")[0] in ICS_PROPERTIES)


ICS_PROPERTIES = ("UID", "SEQUENCE", "DTSTART", "STATUS")


async def test_the_registered_teacher_gets_the_moved_event_as_a_new_ics_in_max(bot: Max) -> None:
    """The teacher's calendar has the .ics; a new time comes with the file that moves it."""
    h, admin = bot, ADMIN_MAX
    async with teacher_registered(h, "Семинар «Наставничество»") as event_id:
        (mine,) = await h.says(TEACHER_MAX, "/my_events")
        edits = mine.edits
        h.fake.press(TEACHER_MAX, mine, labels(mine)[0])
        card = await wait_edited(mine, edits)
        (ics,) = await h.presses(TEACHER_MAX, card, te.BTN_ICS)
        first = ics_of(h, ics)
        card = await start(h.fake, admin, f"event_{event_id}", n=2)
        (pick,) = await h.presses(admin, card, "✏️ Изменить")
        await h.presses(admin, pick, t.FIELD_LABELS["starts"])
        new_time = local(h.settings, 12, hour=16)
        await h.says(admin, new_time, n=2)
        notice = await arrives(h.fake, TEACHER_MAX, "Изменилось время")
        assert "Семинар «Наставничество»" in notice.plain and "16:00" in notice.plain
        moved = datetime.strptime(new_time, "%d.%m.%Y %H:%M").replace(tzinfo=h.settings.tz)
        assert ics_of(h, notice) == {
            "UID": first["UID"], "SEQUENCE": "1", "STATUS": "CONFIRMED",
            "DTSTART": moved.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
        }  # fmt: skip
        assert first["SEQUENCE"] == "0" and first["DTSTART"] != ics_of(h, notice)["DTSTART"]


async def test_closing_and_cancelling_in_max_tell_the_registered_teacher(bot: Max) -> None:
    h, admin = bot, ADMIN_MAX
    async with teacher_registered(h, "Мастер-класс «Проекты»") as event_id:
        card = await start(h.fake, admin, f"event_{event_id}", n=2)
        assert "📣 Анонсировать" in labels(card)  # as in Telegram (test_e2e_max_broadcast_compose)
        (closed,) = await h.presses(admin, card, "🔒 Закрыть запись")
        assert "🔒 Закрыть запись" not in labels(closed)
        again = await answered(h.fake, h.fake.press(admin, card, "🔒 Закрыть запись"))
        assert again == t.CLOSE_NOT_OPEN
        (reopened,) = await h.presses(admin, closed, "🔓 Открыть запись")  # as in Telegram
        assert "🔒 Закрыть запись" in labels(reopened) and "🔓 Открыть запись" not in labels(
            reopened
        )
        (closed,) = await h.presses(admin, reopened, "🔒 Закрыть запись")
        (confirm,) = await h.presses(admin, closed, "🚫 Отменить мероприятие")
        assert "Записанным и ожидающим (1)" in confirm.plain
        (done,) = await h.presses(admin, confirm, t.BTN_CANCEL_EVENT_YES)
        assert "отменено" in done.plain and "уведомление" in done.plain
        assert "✏️ Изменить" not in labels(done)
        notice = await arrives(h.fake, TEACHER_MAX, "Мероприятие отменено")
        assert "Мастер-класс «Проекты»" in notice.plain
        assert ics_of(h, notice)["STATUS"] == "CANCELLED"  # off the teacher's calendar
        twice = await answered(h.fake, h.fake.press(admin, confirm, t.BTN_CANCEL_EVENT_YES))
        assert twice == t.ALREADY_CANCELLED
    (event,) = await events_of(h.sessionmaker)
    assert event.status == "cancelled"
