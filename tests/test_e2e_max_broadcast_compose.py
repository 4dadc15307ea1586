"""A МОЦ staffer who works only in MAX writes a broadcast there, as Telegram staff do with
/broadcast: the text, the audiences, tags, a button, «Ознакомлен», the time, a preview and
«Отправить» — and the parents' groups of BOTH messengers get it through the real worker. A
scheduled one waits (and the draft survives a restart of the MAX runtime), «📣 Анонсировать»
under a MAX event card announces it, a parent is refused, «Отмена» ends the draft and its
old buttons do nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import texts
from bot.app.jobs import broadcast_channel
from bot.core.clock import SystemClock
from bot.services.faq import FaqService
from bot.texts import broadcasts as bt
from bot.texts import max as max_texts
from broadcasts.content import Content
from broadcasts.runtime import Options
from broadcasts.uploads import FILE_MAX, KEEP_UNUSED
from broadcasts.worker import BroadcastWorker
from storage.db import SessionMaker
from storage.models import Broadcast, BroadcastState, Chat, ChatAudience, StoredFile
from storage.repositories import Repositories
from tests.conftest import running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_media import user_sends
from tests.fakes.max_model import MaxUser, Message
from tests.fakes.telegram_api import FakeTelegramServer
from tests.helpers.events import seed_event
from tests.helpers.max_both import Both, labels, max_answer
from tests.helpers.wait import until
from tests.test_web_broadcast_files import png

STAFFER = MaxUser(54_000_000_001, "Анна", "Методист")
COLLEAGUE = MaxUser(54_000_000_002, "Олег", "Завучев")
MOTHER = MaxUser(54_000_000_123, "Ольга", "Петрова")
TG_PARENTS = -1001001
MAX_PARENTS = -68_000_000_000_301
NEWS = "Собрание <в пятницу> & чай в 18:00"
FAST = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)


@dataclass
class World:
    h: Both
    worker: BroadcastWorker

    async def step(self, message: Message, label: str, count: int = 1) -> list[Message]:
        """Press `label` under `message`; the `count` messages the bot sends back."""
        before = len(self.h.max.sent_to(STAFFER))
        await self.h.press(STAFFER, message, label)
        return (await self.h.max.wait_sent(STAFFER, before + count))[before:]

    async def toggle(self, message: Message, audience: str) -> None:
        await self.h.press(STAFFER, message, audience)
        await until(lambda: f"✅ {audience}" in labels(message), 10, "the audience ticked")

    def tg_news(self) -> list[str]:
        return [m.text or "" for m in self.h.tg.sent_to(TG_PARENTS)]

    def max_news(self) -> list[str]:
        return [m.plain for m in self.h.max.sent_to(MAX_PARENTS)]

    async def staffer_id(self) -> int:
        """The staffer's internal id (bot.core.ids)."""
        async with self.h.sessionmaker() as session:
            return await Repositories(session).channel_ids.internal("max", "user", STAFFER.user_id)

    async def broadcasts(self) -> list[Broadcast]:
        async with self.h.sessionmaker() as session:
            return list((await session.scalars(select(Broadcast))).all())


async def seed_parents(sm: SessionMaker) -> None:
    """A parents' group in Telegram and one in MAX."""
    async with sm() as session:
        repo = Repositories(session)
        max_chat = await repo.channel_ids.internal("max", "chat", MAX_PARENTS)
        for chat_id, kind in ((TG_PARENTS, "supergroup"), (max_chat, "chat")):
            chat = Chat(id=chat_id, kind=kind, title="Родители 1А")
            chat.audiences = [ChatAudience(chat_id=chat_id, audience="parents")]
            session.add(chat)
        await session.commit()


@pytest.fixture
async def world(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> AsyncIterator[World]:
    await seed_parents(sessionmaker)
    max_server.add_group(MAX_PARENTS)
    for person in (STAFFER, COLLEAGUE, MOTHER):
        max_server.dialog(person)
    async with running_both(
        server, max_server, db_path, sessionmaker, faq_service,
        max_admin_ids=f"{STAFFER.user_id},{COLLEAGUE.user_id}",
    ) as h:  # fmt: skip

        def known(chat_id: int, seq: int) -> str | None:  # as bot.app.jobs wires it
            return h.runtime.messenger.mid_of(chat_id, seq)

        channel, client = broadcast_channel(h.settings, sessionmaker, h.bot, known=known)
        worker = BroadcastWorker(
            sessionmaker, channel, SystemClock(), instance_id="max-compose", poll_seconds=0.2,
            options=FAST,
        )  # fmt: skip
        worker.start()
        try:
            yield World(h, worker)
        finally:
            await worker.stop(wait=5)
            if client is not None:
                await client.close()


async def to_the_audiences(w: World, text: str = NEWS) -> Message:
    asked = await w.h.say(STAFFER, "/broadcast")
    assert "Новая рассылка" in asked.plain and "4000" in asked.plain
    audiences = await w.h.say(STAFFER, text)
    assert audiences.plain.startswith("Кому отправить?")
    return audiences


async def to_the_time(w: World, audiences: Message, *, ack: bool = False) -> Message:
    """Parents ticked, no tags, no button, «Ознакомлен» as asked: the «Когда отправить?»."""
    await w.toggle(audiences, "Родители")
    assert "Получателей сейчас: 2" in audiences.plain  # a group in each messenger
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    assert "Сузить по тегам" in tags.plain
    (button,) = await w.step(tags, bt.BTN_NO_TAGS)
    assert button.plain.startswith("Добавить кнопку")
    (ack_q,) = await w.step(button, bt.BTN_NO_BUTTON)
    (when,) = await w.step(ack_q, bt.BTN_ACK_ON if ack else bt.BTN_ACK_OFF)
    assert when.plain.startswith("Когда отправить?")
    return when


async def test_a_max_staffer_composes_and_both_messengers_parents_get_it(world: World) -> None:
    w = world
    when = await to_the_time(w, await to_the_audiences(w))
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert sample.plain == NEWS  # typed in MAX, shown as typed, not read as HTML
    assert "Получателей: 2" in summary.plain and "сейчас" in summary.plain
    progress, queued = await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    # «⏳ Рассылка начнётся…», edited as delivery goes, as Telegram's author's is
    (broadcast,) = await w.broadcasts()
    assert queued.plain == "✅ Рассылка №1 поставлена в очередь. Ход отправки — в сообщении выше."
    assert (broadcast.progress_chat_id, broadcast.progress_message_id) == (
        await w.staffer_id(),
        progress.seq,
    )  # kept in the broadcast's row, where Telegram's is
    assert broadcast.progress_mid == progress.mid  # so any process edits it
    await until(lambda: "завершена" in progress.plain, 15, "the report in the progress message")
    assert progress.plain.startswith(f"✅ Рассылка №{broadcast.id} завершена")
    assert "Telegram: доставлено 1 из 1" in progress.plain
    assert "MAX: доставлено 1 из 1" in progress.plain and progress.edits >= 1
    assert w.h.max.sent_to(STAFFER)[-1] is queued  # the report edited in, not sent again
    assert w.tg_news() == [NEWS] and w.max_news() == [NEWS]


async def test_a_scheduled_one_with_ack_waits_and_survives_a_restart(world: World) -> None:
    w = world
    audiences = await to_the_audiences(w)
    await w.h.restart_max()  # the draft waits in the database
    await to_the_time(w, audiences, ack=True)
    late = (datetime.now(UTC) + timedelta(days=3)).astimezone(w.h.settings.tz)
    typed = late.strftime("%d.%m.%Y 10:00")
    repeat = await w.h.say(STAFFER, "вчера в обед")  # unreadable or past: asked again
    assert "Когда отправить?" in repeat.plain
    repeat = await w.h.say(STAFFER, typed)
    assert repeat.plain == bt.ASK_REPEAT
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_WEEKLY, 2)
    assert bt.BTN_ACK_ON not in labels(sample) and "✅ Ознакомлен" in labels(sample)
    assert typed in summary.plain and "каждую неделю" in summary.plain
    progress, done = await w.step(summary, bt.BTN_CONFIRM_AT, 2)
    assert progress.plain == bt.PROGRESS_AT.format(moment=typed)  # rewritten when it starts
    assert f"запланирована на {typed}" in done.plain and "повтор каждую неделю" in done.plain

    (broadcast,) = await w.broadcasts()
    assert broadcast.state == BroadcastState.SCHEDULED and broadcast.repeat == "weekly"
    assert Content.from_json(broadcast.content).ack
    await asyncio.sleep(1)
    assert NEWS not in w.tg_news() and NEWS not in w.max_news()
    listing = await w.h.say(STAFFER, "/broadcasts")
    assert bt.BTN_CANCEL_ONE.format(id=broadcast.id) in labels(listing)
    await w.step(listing, bt.BTN_CANCEL_ONE.format(id=broadcast.id))
    cancelled = bt.PROGRESS_CANCELLED.format(id=broadcast.id, who="Анна Методист")
    await until(lambda: progress.plain == cancelled, 10, "the progress message says cancelled")


async def test_announce_an_event_from_its_max_card(world: World) -> None:
    w = world
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    event_id = await seed_event(w.h.sessionmaker, starts_at=soon, title="Семинар <Наставники>")
    w.h.max.bot_started(STAFFER, f"event_{event_id}")
    shown = await w.h.max.wait_sent(STAFFER, 2)  # the card, then «Кто вы?» to a newcomer
    card = next(m for m in shown if "📣 Анонсировать" in labels(m))
    started, audiences = await w.step(card, "📣 Анонсировать", 2)
    assert started.plain == bt.ANNOUNCE_STARTED
    await w.toggle(audiences, "Родители")
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    (ack_q,) = await w.step(tags, bt.BTN_NO_TAGS)  # the announcement brings its own button
    assert ack_q.plain.startswith("Добавить кнопку «✅ Ознакомлен»")
    (when,) = await w.step(ack_q, bt.BTN_ACK_OFF)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert "Семинар <Наставники>" in sample.plain and bt.EVENT_BUTTON_LABEL in labels(sample)
    assert f"event_{event_id}" in sample.button(bt.EVENT_BUTTON_LABEL)["url"]
    await w.step(summary, bt.BTN_CONFIRM_NOW)

    def arrived() -> bool:
        title = "Семинар <Наставники>"
        return any(title in n for n in w.tg_news()) and any(title in n for n in w.max_news())

    await until(arrived, 15, "the announcement in both groups")


async def test_a_parent_is_refused_and_forged_buttons_do_nothing(world: World) -> None:
    w = world
    refused = await w.h.say(MOTHER, "/broadcast")
    assert refused.plain == texts.ADMIN_ONLY
    event_id = await seed_event(w.h.sessionmaker, title="Семинар")
    for payload in ("bcc:new:", f"eva:announce:{event_id}", "bcc:confirm:"):
        pressed = w.h.max.press_payload(MOTHER, refused, payload)
        assert await max_answer(w.h, pressed) == texts.ADMIN_ONLY
    assert len(w.h.max.sent_to(MOTHER)) == 1 and await w.broadcasts() == []


async def test_cancel_mid_dialog_ends_the_draft_and_its_buttons(world: World) -> None:
    w = world
    audiences = await to_the_audiences(w)
    await w.toggle(audiences, "Родители")
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    (cancelled,) = await w.step(tags, bt.BTN_CANCEL)
    assert cancelled.plain == bt.DIALOG_CANCELLED
    assert labels(tags) == []  # the question's buttons went with the answer
    stale = w.h.max.press_payload(STAFFER, tags, "bcc:tags:")  # an old client still shows them
    assert await max_answer(w.h, stale) == bt.DIALOG_STALE

    again = await to_the_audiences(w, "Второй черновик")
    old = w.h.max.press_payload(STAFFER, audiences, "bcc:aud_done:")  # the first draft's
    assert await max_answer(w.h, old) == bt.DRAFT_STALE
    typed = await w.h.say(STAFFER, "Отмена")
    assert typed.plain == bt.DIALOG_CANCELLED
    assert "Родители" in labels(again) and await w.broadcasts() == []
    await asyncio.sleep(0.5)
    assert w.tg_news() == [] and w.max_news() == []


async def test_a_text_over_maxs_limit_is_refused_with_the_numbers(world: World) -> None:
    w = world
    await w.h.say(STAFFER, "/broadcast")
    too_long = await w.h.say(STAFFER, "а" * 4001)
    assert too_long.plain == max_texts.BROADCAST_TOO_LONG.format(length=4001, limit=4000)


async def test_new_broadcast_under_the_max_list_opens_the_dialog(world: World) -> None:
    listing = await world.h.say(STAFFER, "/broadcasts")
    assert listing.plain == max_texts.BROADCASTS_EMPTY
    (asked,) = await world.step(listing, max_texts.BTN_NEW_BROADCAST)
    assert "Новая рассылка" in asked.plain and bt.BTN_CANCEL in labels(asked)


# --- a photo or a document as the broadcast -----------------------------------------------------

POSTER = png(640, 480)
CAPTION = "Афиша <концерта> & чай"


async def sends_file(
    w: World, data: bytes, caption: str = "", filename: str | None = None
) -> Message:
    """/broadcast, then the file with `caption`: the bot's answer to the file."""
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    user_sends(w.h.max, STAFFER, data, caption, filename=filename)
    return (await w.h.max.wait_sent(STAFFER, before + 1))[before]


async def confirmed(w: World, audiences: Message) -> Message:
    """Parents, no tags, no button, now: the preview's file (its message), then «Отправить»."""
    assert audiences.plain.startswith("Кому отправить?")
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert "Получателей: 2" in summary.plain
    await w.step(summary, bt.BTN_CONFIRM_NOW)
    return sample


def max_file(w: World, kind: str) -> tuple[Message, bytes]:
    """The MAX group's message and the bytes of its `kind` attachment."""
    (message,) = w.h.max.sent_to(MAX_PARENTS)
    (attached,) = [a for a in message.attachments if a["type"] == kind]
    return message, w.h.max.uploads[attached["payload"]["token"]][1]


def max_file_name(w: World) -> str:
    """The name the MAX group's file was uploaded under, as MAX read it from the upload."""
    (message,) = w.h.max.sent_to(MAX_PARENTS)
    (attached,) = [a for a in message.attachments if a["type"] == "file"]
    return w.h.max.uploads[attached["payload"]["token"]][0]


async def test_a_photo_with_caption_from_max_reaches_both_messengers(world: World) -> None:
    w = world
    sample = await confirmed(w, await sends_file(w, POSTER, CAPTION))
    assert sample.plain == CAPTION and any(a["type"] == "image" for a in sample.attachments)
    await until(lambda: w.h.tg.sent_to(TG_PARENTS) and w.h.max.sent_to(MAX_PARENTS), 15, "sent")
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.kind == "photo" and tg.text == CAPTION  # typed in MAX: shown as typed
    assert tg.document is not None and tg.document.data == POSTER
    message, data = max_file(w, "image")
    assert message.plain == CAPTION and data == POSTER
    (broadcast,) = await w.broadcasts()
    assert Content.from_json(broadcast.content).kind == "photo"


async def test_a_draft_left_at_the_preview_for_a_day_keeps_its_file(world: World) -> None:
    """The staffer's photo waited at the preview over a day; a colleague's file meanwhile
    pruned the unused files, and the draft's went with them: «Отправить» then made a broadcast
    whose file was gone. Now a file a live draft holds is kept, and the photo goes out."""
    w = world
    audiences = await sends_file(w, POSTER, CAPTION)
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    _, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    async with w.h.sessionmaker() as session:  # the draft's file, stored over a day ago
        old = datetime.now(UTC) - KEEP_UNUSED - timedelta(hours=1)
        await session.execute(update(StoredFile).values(created_at=old))
        await session.commit()
    await w.h.say(COLLEAGUE, "/broadcast")
    before = len(w.h.max.sent_to(COLLEAGUE))
    user_sends(w.h.max, COLLEAGUE, b"%PDF-1.4\n%plan\n", filename="План.pdf")  # prunes
    assert (await w.h.max.wait_sent(COLLEAGUE, before + 1))[-1].plain.startswith("Кому")

    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    await until(lambda: w.h.tg.sent_to(TG_PARENTS) and w.h.max.sent_to(MAX_PARENTS), 15, "sent")
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.kind == "photo" and tg.document is not None and tg.document.data == POSTER
    message, data = max_file(w, "image")
    assert message.plain == CAPTION and data == POSTER


async def test_a_document_without_caption_from_max_reaches_both_messengers(world: World) -> None:
    """Under its own Russian name in the MAX group too: the upload used to %-quote it, and
    parents saw «%D0%9F%D0%BB%D0%B0%D0%BD%20%D0%BC%D0%B0%D1%8F.pdf»."""
    w = world
    pdf = b"%PDF-1.4\n%plan\n"
    await confirmed(w, await sends_file(w, pdf, filename="План мая.pdf"))
    await until(lambda: w.h.tg.sent_to(TG_PARENTS) and w.h.max.sent_to(MAX_PARENTS), 15, "sent")
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.kind == "document" and not tg.text
    assert tg.document is not None and tg.document.filename == "План мая.pdf"
    assert tg.document.data == pdf
    _, data = max_file(w, "file")
    assert data == pdf
    assert max_file_name(w) == "План мая.pdf"


async def test_a_long_caption_or_a_big_file_is_refused_with_the_numbers(world: World) -> None:
    w = world
    refused = await sends_file(w, POSTER, "а" * 1025)
    assert refused.plain == bt.CONTENT_TOO_LONG.format(
        what=bt.WHAT_CAPTION, length=1025, limit=1024
    )
    before = len(w.h.max.sent_to(STAFFER))
    user_sends(w.h.max, STAFFER, b"%PDF" + b"0" * FILE_MAX, filename="big.pdf")
    (big,) = (await w.h.max.wait_sent(STAFFER, before + 1))[before:]
    assert big.plain.startswith("Файл больше 10 МБ (10,0 МБ)")
    audiences = await w.h.say(STAFFER, "а" * 1025)  # still asked for the content: text fits
    assert audiences.plain.startswith("Кому отправить?") and await w.broadcasts() == []


async def test_an_announcement_set_for_after_the_deadline_goes_without_its_button(
    world: World,
) -> None:
    """Scheduled for a day after registration closes, the announcement kept «📝 Записаться»:
    the parents' and teachers' chats would get a button to «Запись закончилась»."""
    w = world
    tz = w.h.settings.tz
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    deadline = (datetime.now(UTC) + timedelta(days=2)).astimezone(tz).replace(hour=10, minute=0)
    event_id = await seed_event(
        w.h.sessionmaker, starts_at=soon, title="Семинар «Наставники»",
        registration_deadline=deadline,
    )  # fmt: skip
    w.h.max.bot_started(STAFFER, f"event_{event_id}")
    shown = await w.h.max.wait_sent(STAFFER, 2)
    card = next(m for m in shown if "📣 Анонсировать" in labels(m))
    _, audiences = await w.step(card, "📣 Анонсировать", 2)
    await w.toggle(audiences, "Родители")
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    (ack_q,) = await w.step(tags, bt.BTN_NO_TAGS)
    await w.step(ack_q, bt.BTN_ACK_OFF)
    typed = (deadline + timedelta(days=1)).strftime("%d.%m.%Y 10:00")
    repeat = await w.h.say(STAFFER, typed)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert bt.EVENT_BUTTON_LABEL in labels(sample)
    _, done = await w.step(summary, bt.BTN_CONFIRM_AT, 2)
    assert f"запланирована на {typed}" in done.plain
    assert "Кнопку «📝 Записаться» я убрал" in done.plain, done.plain
    (broadcast,) = await w.broadcasts()
    assert Content.from_json(broadcast.content).button is None
