"""Broadcasts from the staff side, through the real bot, the fake Bot API and the real worker:
compose, preview, test to self, schedule, delivery at the frozen clock's time, «Ознакомлен»,
the list with cancel / reschedule / «Кто ознакомился», an announcement from an event card."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Router
from sqlalchemy import func, select

import bot.app.factory
import handlers
from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.staff.composing import vet_signup
from bot.texts import broadcasts as texts_b
from broadcasts import service
from broadcasts.content import Content, LinkButton
from broadcasts.worker import BroadcastWorker
from handlers import acks, broadcasts_admin
from handlers.tg.broadcast_channel import TelegramChannel
from storage.db import SessionMaker
from storage.models import (
    Ack,
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    Event,
    Subscription,
    User,
)
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, TEACHER, BotHarness, make_settings, start_bot, stop_bot
from tests.fakes.telegram_api import (
    SAMPLE_MEDIA,
    ApiCall,
    FakeTelegramServer,
    FakeUser,
    SentMessage,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
TOMORROW_10 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # «завтра 10:00» in Moscow
ADMIN2 = FakeUser(id=1001, first_name="Олег", last_name="Завуч")
MEMBER = FakeUser(id=3001, first_name="Ирина", last_name="Смирнова")
PARENT_GROUPS = {-1001001: "Родители 1А", -1001002: "Родители 2Б", -1001003: "Родители 3В"}
TEACHER_GROUP = -1001009
HTML_LOOKING = "Собрание <b>в четверг</b> & чай"


def with_broadcast_routers(original: Callable[[], list[Router]]) -> Callable[[], list[Router]]:
    """get_routers() plus ours before `staff`, unless they are wired in already."""

    def routers() -> list[Router]:
        built = original()
        names = {router.name for router in built}
        ours = [m.create_router() for m in (broadcasts_admin, acks) if m.__name__ not in names]
        at = next(i for i, router in enumerate(built) if router.name == "handlers.staff")
        return [*built[:at], *ours, *built[at:]]

    return routers


@dataclass
class Staff(BotHarness):
    clock: FrozenClock
    worker: BroadcastWorker


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, admin_ids=f"{ADMIN.id},{ADMIN2.id}")


async def launch(
    server: FakeTelegramServer, settings: Settings, sm: SessionMaker, faq: FaqService,
    clock: FrozenClock,
) -> Staff:  # fmt: skip
    tg, dp, task = await start_bot(server, settings, sm, faq, clock)
    worker = BroadcastWorker(
        sm, TelegramChannel(tg), clock, instance_id="e2e", poll_seconds=0.2, tz=settings.tz,
        vet=vet_signup,  # as bot.app.jobs wires it
    )  # fmt: skip
    dp["broadcast_worker"] = worker
    worker.start()
    return Staff(server, settings, sm, dp, tg, task, clock, worker)


async def halt(h: Staff) -> None:
    await h.worker.stop(wait=5)
    await stop_bot(h.dp, h.task)


@pytest.fixture
async def harness(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeTelegramServer,
    settings: Settings,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[Staff]:
    # bot.app.factory imported the name, so that is the reference create_dispatcher() calls
    monkeypatch.setattr(
        bot.app.factory, "get_routers", with_broadcast_routers(handlers.get_routers)
    )
    await seed_registry(sessionmaker)
    h = await launch(server, settings, sessionmaker, faq_service, FrozenClock(NOW))
    yield h
    await halt(h)


async def seed_registry(sm: SessionMaker) -> None:
    """Three parents' groups, one teachers' group, and a parent subscribed in private."""
    async with sm() as session:
        for chat_id, title in [*PARENT_GROUPS.items(), (TEACHER_GROUP, "Педагоги школы 5")]:
            audience = "teachers" if chat_id == TEACHER_GROUP else "parents"
            chat = Chat(id=chat_id, kind="supergroup", title=title)
            chat.audiences = [ChatAudience(chat_id=chat_id, audience=audience)]
            session.add(chat)
        session.add(User(id=PARENT.id, first_name=PARENT.first_name, last_name=PARENT.last_name))
        await session.flush()  # no relationship orders the two inserts
        session.add(Subscription(user_id=PARENT.id, audience="parents"))
        await session.commit()


async def answered(h: BotHarness, fragment: str) -> ApiCall:
    """The callback answer whose text contains `fragment`."""
    return await h.server.wait_for(
        "answerCallbackQuery", lambda call: fragment in str(call.params.get("text", ""))
    )


async def toggle(h: BotHarness, user: FakeUser, message: SentMessage, label: str) -> None:
    h.server.press(message, label, user=user)
    await h.server.wait_for(
        "editMessageText", lambda c: c.params["message_id"] == message.message_id
    )


def txt(message: SentMessage) -> str:
    return message.text or ""


async def send_media(h: BotHarness, media: dict[str, object]) -> SentMessage:
    h.server.user_sends(None, user=ADMIN, extra=media)
    return await h.server.next_message(ADMIN.id)


async def broadcasts_in_db(h: BotHarness) -> list[Broadcast]:
    async with h.sessionmaker() as session:
        return list((await session.scalars(select(Broadcast).order_by(Broadcast.id))).all())


async def test_compose_schedule_deliver_and_acknowledge(harness: Staff) -> None:
    h = harness
    ask = await h.say(ADMIN, "/broadcast")
    assert "Новая рассылка" in txt(ask)
    audience = await h.say(ADMIN, HTML_LOOKING)
    assert "Получателей сейчас: 0" in txt(audience)
    await toggle(h, ADMIN, audience, "Родители")
    assert "Получателей сейчас: 4" in txt(h.server.messages[(ADMIN.id, audience.message_id)])
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    assert "получателей: 4" in txt(tags)
    button = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    ack_q = await h.press(ADMIN, button, texts_b.BTN_NO_BUTTON)
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_ON)
    assert "Когда отправить" in txt(when_q)

    past = await h.say(ADMIN, "сегодня 08:00")
    assert "уже прошло" in txt(past) and "Когда отправить" in txt(past)
    repeat = await h.say(ADMIN, "завтра 10:00")
    sample = await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)
    summary = await h.server.next_message(ADMIN.id)
    assert sample.text == HTML_LOOKING  # shown literally: the admin's text was escaped
    assert sample.inline_texts == ["✅ Ознакомлен"]
    assert "Получателей: 4 · 02.12.2026 10:00 · без повтора" in txt(summary)
    h.server.press(sample, "✅ Ознакомлен", user=ADMIN)
    await answered(h, "предпросмотр")

    h.server.press(summary, texts_b.BTN_TEST, user=ADMIN)
    test = await h.server.next_message(ADMIN.id)
    assert (test.text, test.inline_texts) == (HTML_LOOKING, ["✅ Ознакомлен"])
    await answered(h, "Тест отправлен")

    h.server.press(summary, texts_b.BTN_CONFIRM_AT, user=ADMIN)  # a double tap
    h.server.press(summary, texts_b.BTN_CONFIRM_AT, user=ADMIN)
    progress = await h.server.next_message(ADMIN.id)
    assert "запланирована на 02.12.2026 10:00" in txt(progress)
    done = await h.server.next_message(ADMIN.id)
    assert "Рассылка №1 запланирована на 02.12.2026 10:00" in txt(done)
    await answered(h, "уже закрыт")
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.SCHEDULED]

    h.clock.set(TOMORROW_10 - timedelta(seconds=30))
    h.worker.wake()
    await h.server.idle(quiet=0.6)
    assert all(not h.server.sent_to(chat_id) for chat_id in PARENT_GROUPS)

    h.clock.set(TOMORROW_10 + timedelta(seconds=1))
    h.worker.wake()
    for chat_id in PARENT_GROUPS:
        got = await h.server.next_message(chat_id, timeout=10)
        assert (got.text, got.inline_texts) == (HTML_LOOKING, ["✅ Ознакомлен"])
    private = await h.server.next_message(PARENT.id, timeout=10)
    assert private.inline_texts == ["✅ Ознакомлен", "Отписаться"]
    await h.server.wait_for(
        "editMessageText",
        lambda c: (
            c.params["message_id"] == progress.message_id and "завершена" in c.params["text"]
        ),
        timeout=10,
    )
    final = txt(h.server.messages[(ADMIN.id, progress.message_id)])
    assert "Доставлено: 4 из 4" in final
    assert all(len(h.server.sent_to(chat_id)) == 1 for chat_id in PARENT_GROUPS)
    assert not h.server.sent_to(TEACHER_GROUP)

    group_message = h.server.sent_to(-1001001)[0]
    h.server.press(group_message, "✅ Ознакомлен", user=MEMBER)
    await answered(h, texts_b.ACK_THANKS)
    h.server.press(group_message, "✅ Ознакомлен", user=MEMBER)
    await answered(h, texts_b.ACK_AGAIN)
    async with h.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Ack)) == 1

    listing = await h.say(ADMIN, "/broadcasts")
    assert "№1" in txt(listing) and "Доставлено 4 из 4" in txt(listing)
    report = await h.press(ADMIN, listing, "👀 №1 Кто ознакомился")
    assert "Родители 1А" in txt(report) and "Ирина Смирнова" in txt(report)
    assert "Не отметились" in txt(report) and "Мария Иванова" in txt(report)


async def test_long_text_refused_with_its_length_and_nothing_lost(harness: Staff) -> None:
    await harness.say(ADMIN, "/broadcast")
    refusal = await harness.say(ADMIN, "а" * 5000)
    assert "5000" in txt(refusal) and "4096" in txt(refusal) and "раздели" in txt(refusal)
    caption = await send_media(harness, {**SAMPLE_MEDIA["photo"], "caption": "б" * 1100})
    assert "Подпись к файлу" in txt(caption) and "1100" in txt(caption) and "1024" in txt(caption)
    sticker = await send_media(harness, SAMPLE_MEDIA["sticker"])
    assert "текст, фото или документ" in txt(sticker)
    audience = await harness.say(ADMIN, "Короткий текст")
    assert "Кому отправить" in txt(audience)
    assert await broadcasts_in_db(harness) == []


async def test_photo_with_typed_tags_and_link_button(harness: Staff) -> None:
    h = harness
    await h.say(ADMIN, "/broadcast")
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    media = {**SAMPLE_MEDIA["photo"], "caption": "Фото с <праздника>", "caption_entities": bold}
    audience = await send_media(h, media)
    await toggle(h, ADMIN, audience, "Педагоги")
    await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    nobody = await h.say(ADMIN, "Район-Север")
    assert "район-север" in txt(nobody) and "нет ни одного чата" in txt(nobody)
    bad = await h.say(ADMIN, "школа 5!")
    assert "через запятую" in txt(bad)
    button_q = await h.press(ADMIN, bad, texts_b.BTN_NO_TAGS)
    assert "Добавить кнопку" in txt(button_q)
    wrong = await h.say(ADMIN, "просто ссылка")
    assert "Не понял кнопку" in txt(wrong)
    ack_q = await h.say(ADMIN, "Подробнее | https://example.org/news")
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    sample = await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)
    summary = await h.server.next_message(ADMIN.id)
    assert sample.kind == "photo" and sample.document is not None
    assert sample.document.file_id == "sample-photo"  # the largest size
    assert sample.text == "Фото с <праздника>"
    assert sample.raw_text == "<b>Фото</b> с &lt;праздника&gt;"  # formatting kept, text escaped
    assert sample.button("Подробнее").url == "https://example.org/news"
    assert "Получателей: 1 · сейчас · без повтора" in txt(summary)

    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    got = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert got.kind == "photo" and got.document is not None
    assert got.document.file_id == "sample-photo" and got.text == sample.text


async def test_staff_only(harness: Staff) -> None:
    h = harness
    async with h.sessionmaker() as session:
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Тест"),
            target=service.Target(("parents",)), at=TOMORROW_10, now=NOW,
        )  # fmt: skip
        await session.commit()
    for command in ("/broadcast", "/broadcasts"):
        refusal = await h.say(TEACHER, command)
        assert "только для сотрудников" in txt(refusal)
    for data in ("bcc:confirm:", "bca:cancel:1", "bca:move:1", "eva:announce:1"):
        h.server.press_data(refusal, data, user=TEACHER)
        await answered(h, "только для сотрудников")
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.SCHEDULED]
    assert h.server.sent_to(TEACHER.id)[-1] is refusal


async def test_second_admin_is_told_it_was_already_cancelled(harness: Staff) -> None:
    h = harness
    async with h.sessionmaker() as session:
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Отмените меня"),
            target=service.Target(("parents",)), at=TOMORROW_10, now=NOW,
        )  # fmt: skip
        await session.commit()
    mine = await h.say(ADMIN, "/broadcasts")
    theirs = await h.say(ADMIN2, "/broadcasts")
    label = f"❌ №{created.id} Отменить"
    assert "запланирована" in txt(mine) and label in mine.inline_texts
    cancelled = await h.press(ADMIN, mine, label)
    assert f"Рассылка №{created.id} отменена" in txt(cancelled)
    h.server.press(theirs, label, user=ADMIN2)
    await answered(h, f"Рассылка №{created.id} уже отменена")
    assert [b.state for b in await broadcasts_in_db(h)] == [BroadcastState.CANCELLED]


async def test_cancelling_a_weekly_broadcast_says_the_repeats_end(harness: Staff) -> None:
    """No next week is booked after a cancel: the staff member is told, not left guessing."""
    h = harness
    async with h.sessionmaker() as session:
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Дежурство"),
            target=service.Target(("parents",)), at=TOMORROW_10, now=NOW, repeat="weekly",
        )  # fmt: skip
        await session.commit()
    listing = await h.say(ADMIN, "/broadcasts")
    cancelled = await h.press(ADMIN, listing, f"❌ №{created.id} Отменить")
    assert f"Рассылка №{created.id} отменена" in txt(cancelled)
    assert "Еженедельные повторы тоже прекращены" in txt(cancelled)


async def test_reschedule_with_a_typed_date(harness: Staff) -> None:
    h = harness
    async with h.sessionmaker() as session:
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Перенесите меня"),
            target=service.Target(("parents",)), at=TOMORROW_10, now=NOW,
        )  # fmt: skip
        await session.commit()
    listing = await h.say(ADMIN, "/broadcasts")
    ask = await h.press(ADMIN, listing, f"🕒 №{created.id} Перенести")
    assert "На когда перенести" in txt(ask)
    unreadable = await h.say(ADMIN, "когда-нибудь")
    assert "Не понял дату" in txt(unreadable)
    moved = await h.say(ADMIN, "03.12.2026 15:30")
    assert "перенесена на 03.12.2026 15:30" in txt(moved)
    (broadcast,) = await broadcasts_in_db(h)
    assert broadcast.scheduled_at == datetime(2026, 12, 3, 12, 30, tzinfo=UTC)


async def test_announce_an_event_from_its_card(harness: Staff) -> None:
    h = harness
    async with h.sessionmaker() as session:
        event = Event(
            title="Семинар «Программы & <карточки>»", kind="seminar",
            starts_at=datetime(2026, 12, 10, 12, 0, tzinfo=UTC), duration_min=90,
            format="offline", place="ул. Ленина, 1", capacity=30,
        )  # fmt: skip
        await Repositories(session).events.add(event)
        await session.commit()
    card = await h.say(ADMIN, f"/start event_{event.id}")
    assert "Семинар" in txt(card)
    h.server.press_data(card, f"eva:announce:{event.id}", user=ADMIN)
    started = await h.server.next_message(ADMIN.id)
    assert "Анонс мероприятия готов" in txt(started)
    audience = await h.server.next_message(ADMIN.id)
    await toggle(h, ADMIN, audience, "Педагоги")
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    ack_q = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)  # the button step is skipped
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    sample = await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)
    summary = await h.server.next_message(ADMIN.id)
    assert "Семинар «Программы & <карточки>»" in txt(sample)
    assert "чт, 10 декабря 2026, 15:00–16:30" in txt(sample)
    assert "ул. Ленина, 1" in txt(sample) and "30 из 30" in txt(sample)
    link = sample.button("📝 Записаться")
    assert link.url == f"https://t.me/moc_test_bot?start=event_{event.id}"
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    got = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert got.text == sample.text and got.button("📝 Записаться").url == link.url


async def test_dialog_survives_a_restart(harness: Staff, faq_service: FaqService) -> None:
    h = harness
    await h.say(ADMIN, "/broadcast")
    audience = await h.say(ADMIN, "Текст до перезапуска")
    await halt(h)
    restarted = await launch(h.server, h.settings, h.sessionmaker, faq_service, h.clock)
    h.dp, h.bot, h.task, h.worker = restarted.dp, restarted.bot, restarted.task, restarted.worker
    await toggle(h, ADMIN, audience, "Родители")
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    assert "получателей: 4" in txt(tags)


async def test_cancel_command_ends_the_dialog(harness: Staff) -> None:
    await harness.say(ADMIN, "/broadcast")
    await harness.say(ADMIN, "Черновик")
    bye = await harness.say(ADMIN, "/cancel")
    assert bye.text == texts.CANCELLED
    faq = await harness.say(ADMIN, "Родители")
    assert "Кому отправить" not in txt(faq)


async def test_sent_now_points_up_at_the_progress_message_and_a_double_tap_sends_once(
    harness: Staff,
) -> None:
    """The progress message goes out first, so «Ход отправки» is in the message above."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    summary = await to_preview(h, "Сбор в 18:00", "Родители")
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)  # a double tap
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    progress = await h.server.next_message(ADMIN.id)
    done = await h.server.next_message(ADMIN.id)
    assert "поставлена в очередь" in txt(done)
    assert progress.message_id < done.message_id and "в сообщении выше" in txt(done)
    await h.server.wait_for(
        "editMessageText",
        lambda c: (
            c.params["message_id"] == progress.message_id and "завершена" in c.params["text"]
        ),
        timeout=10,
    )
    assert all(len(h.server.sent_to(chat_id)) == 1 for chat_id in PARENT_GROUPS)
    assert len(await broadcasts_in_db(h)) == 1


async def to_preview(h: Staff, text: str, audience_label: str) -> SentMessage:
    """From the text to the summary under the preview: no tags, no button, no ack, now."""
    audience = await h.say(ADMIN, text)
    await toggle(h, ADMIN, audience, audience_label)
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    button = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    ack_q = await h.press(ADMIN, button, texts_b.BTN_NO_BUTTON)
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)
    return await h.server.next_message(ADMIN.id)


async def test_send_under_a_cancelled_drafts_preview_does_not_send_the_new_draft(
    harness: Staff,
) -> None:
    """«✅ Отправить» left under a draft closed by /cancel belongs to that draft: pressed while
    another one is at its preview, it says so instead of sending the other one."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    old = await to_preview(h, "Черновик для родителей", "Родители")
    await h.say(ADMIN, "/cancel")
    await h.say(ADMIN, "/broadcast")
    new = await to_preview(h, "Новость для педагогов", "Педагоги")
    for label in (texts_b.BTN_TEST, texts_b.BTN_CONFIRM_NOW):
        h.server.press(old, label, user=ADMIN)
        await answered(h, "прежнего черновика")
    assert await broadcasts_in_db(h) == []
    assert not h.server.sent_to(TEACHER_GROUP)
    assert h.server.messages[(ADMIN.id, old.message_id)].inline_texts == []
    h.server.press(new, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    got = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert got.text == "Новость для педагогов"
    assert len(await broadcasts_in_db(h)) == 1


async def test_an_announcement_confirmed_when_registration_closes_goes_without_its_button(
    harness: Staff,
) -> None:
    """The author is at the preview when the registration deadline comes and confirms then:
    the teachers' chat got «📝 Записаться» to an event nobody can sign up for any more."""
    h = harness
    async with h.sessionmaker() as session:
        event = Event(
            title="Семинар «Наставничество»", kind="seminar",
            starts_at=datetime(2026, 12, 10, 12, 0, tzinfo=UTC), duration_min=90,
            format="offline", place="ул. Ленина, 1", capacity=30,
            registration_deadline=NOW + timedelta(hours=1),
        )  # fmt: skip
        await Repositories(session).events.add(event)
        await session.commit()
    card = await h.say(ADMIN, f"/start event_{event.id}")
    h.server.press_data(card, f"eva:announce:{event.id}", user=ADMIN)
    await h.server.next_message(ADMIN.id)  # «Анонс мероприятия готов»
    audience = await h.server.next_message(ADMIN.id)
    await toggle(h, ADMIN, audience, "Педагоги")
    tags = await h.press(ADMIN, audience, texts_b.BTN_NEXT)
    ack_q = await h.press(ADMIN, tags, texts_b.BTN_NO_TAGS)
    when_q = await h.press(ADMIN, ack_q, texts_b.BTN_ACK_OFF)
    repeat = await h.press(ADMIN, when_q, texts_b.BTN_NOW)
    sample = await h.press(ADMIN, repeat, texts_b.BTN_REPEAT_NONE)
    summary = await h.server.next_message(ADMIN.id)
    assert "📝 Записаться" in sample.inline_texts  # open while the draft was made

    h.clock.set(NOW + timedelta(hours=1))  # the deadline, to the second
    h.server.press(summary, texts_b.BTN_CONFIRM_NOW, user=ADMIN)
    got = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert "Семинар «Наставничество»" in txt(got)
    assert got.inline_texts == [], got.inline_texts  # no «Записаться» to a shut registration
    told = [txt(await h.server.next_message(ADMIN.id, timeout=10)) for _ in range(2)]
    assert "Кнопку «📝 Записаться» я убрал" in told[-1], told  # after «⏳ начнётся…»


async def booked(h: Staff, at: datetime) -> None:
    """Wait for the weekly series' next occurrence (booked as the last one closes)."""
    for _ in range(100):
        if any(b.scheduled_at == at for b in await broadcasts_in_db(h)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no occurrence booked at {at}")


async def test_a_weekly_announcement_drops_signup_once_registration_closes(
    harness: Staff,
) -> None:
    """A weekly broadcast with «📝 Записаться» was checked only when it was made: the weeks
    after the registration deadline still carried the button to a shut registration."""
    h = harness
    async with h.sessionmaker() as session:
        event = Event(
            title="Семинар «Наставничество»", kind="seminar",
            starts_at=NOW + timedelta(days=30), duration_min=90, format="offline",
            place="ул. Ленина, 1", capacity=30, registration_deadline=NOW + timedelta(days=3),
        )  # fmt: skip
        await Repositories(session).events.add(event)
        link = LinkButton("📝 Записаться", f"https://t.me/moc_bot?start=event_{event.id}")
        created = await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Запись идёт", button=link),
            target=service.Target(("teachers",)), at=TOMORROW_10, now=NOW, repeat="weekly",
        )  # fmt: skip
        await session.commit()

    h.clock.set(TOMORROW_10)  # the first week: registration open
    h.worker.wake()
    first = await h.server.next_message(TEACHER_GROUP, timeout=10)
    assert first.inline_texts == ["📝 Записаться"]
    for week in (1, 2):  # after the deadline: without the button, the author told once
        await booked(h, TOMORROW_10 + timedelta(days=7 * week))
        h.clock.set(TOMORROW_10 + timedelta(days=7 * week))
        h.worker.wake()
        later = await h.server.next_message(TEACHER_GROUP, timeout=10)
        assert txt(later) == "Запись идёт" and later.inline_texts == [], later.inline_texts
    told = [txt(m) for m in h.server.sent_to(ADMIN.id) if "без кнопки" in txt(m)]
    assert len(told) == 1, told
    assert f"№{created.id + 1}" in told[0] and "Семинар «Наставничество»" in told[0]
    assert "следующие недели" in told[0]
