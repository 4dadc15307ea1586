"""QA pass on hostile input in Telegram, through the real bot and the fake Bot API over HTTP:
what a parent or a staff member would notice when messages are long, forged or odd."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.core.markup import MESSAGE_LIMIT
from storage.models import Event, EventStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, TEACHER, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_events import NOW, START, seed_teacher
from tests.test_e2e_tickets import UNKNOWN, ask_specialist


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path, staff_relay_seconds=1)


def long_text(tag: str, length: int) -> str:
    """Sentences numbered so a reader can tell whether any went missing; ends with `tag`."""
    sentences: list[str] = []
    while len(" ".join(sentences)) < length - 60:
        sentences.append(f"{tag}-{len(sentences) + 1}: справка из поликлиники нужна.")
    return " ".join([*sentences, f"{tag}-КОНЕЦ"])


async def test_a_long_follow_up_reaches_staff_whole_not_clipped(harness: BotHarness) -> None:
    """A parent adds to a waiting ticket a message near Telegram's 4096: staff read every
    sentence of it, in notes within the limit, the end not cut off."""
    h = harness
    ticket_id = await ask_specialist(h)
    await h.server.next_message(STAFF_CHAT)
    addition = long_text("Д", 3990)
    before = len(h.server.sent_to(STAFF_CHAT))
    h.server.user_sends(addition, user=PARENT)
    while "Д-КОНЕЦ" not in (await h.server.next_message(STAFF_CHAT, timeout=10)).text:
        pass
    notes = h.server.sent_to(STAFF_CHAT)[before:]
    assert all(f"№{ticket_id}" in n.text and len(n.text) <= MESSAGE_LIMIT for n in notes)
    shown = "\n".join(n.text for n in notes)
    tags = [s.split(":")[0] for s in addition.split(". ")]
    missing = [tag for tag in tags if f"{tag}:" not in shown and tag not in shown]
    assert not missing, f"staff never saw {missing[:3]}"


async def test_service_messages_in_the_private_chat_get_no_reply(harness: BotHarness) -> None:
    """Pinning the bot's message, setting an auto-delete timer or a chat wallpaper are things
    a parent does to the chat, not messages to the bot: Telegram delivers them as service
    messages, and the bot must not answer «Я понимаю только текст» to any of them."""
    h = harness
    menu = await h.say(PARENT, "/start")
    pinned = {"message_id": menu.message_id, "date": menu.date, "chat": {"id": PARENT.id,
              "type": "private", "first_name": PARENT.first_name}, "text": menu.text}  # fmt: skip
    background = {"type": {"type": "fill", "fill": {"type": "solid", "color": 0},
                           "dark_theme_dimming": 0}}  # fmt: skip
    for service in (
        {"pinned_message": pinned},
        {"message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}},
        {"chat_background_set": background},
    ):
        h.server.user_sends(user=PARENT, extra=service)
    await h.server.idle(quiet=1.0)
    said = [m.text for m in h.server.sent_to(PARENT.id) if m.message_id > menu.message_id]
    assert not said, f"the bot answered a service message: {said}"
    # a sticker is a message to the bot: it still hears how to ask
    h.server.user_sends(user=PARENT, extra={"sticker": STICKER})
    assert "только текст" in (await h.server.next_message(PARENT.id)).text


STICKER = {"file_id": "CAACAgI", "file_unique_id": "AgAD", "type": "regular", "width": 512,
           "height": 512, "is_animated": False, "is_video": False}  # fmt: skip


async def test_a_clarification_asked_under_an_old_answer_joins_that_ticket(
    harness: BotHarness,
) -> None:
    """Ticket №1 is answered; the parent asks something else (ticket №2, still open), then
    goes back to №1's answer and presses «Задать уточняющий вопрос»: the bot promised №1, so
    the clarification joins №1 and reaches staff as №1's — not №2's."""
    h = harness
    first = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    answer = await h.server.next_message(PARENT.id)
    assert texts.BTN_FOLLOW_UP in answer.inline_texts
    await h.server.next_message(STAFF_CHAT)  # «доставлен»
    reply = await h.say(PARENT, "а есть ли парковка для велосипедов у здания")
    await h.press(PARENT, reply, texts.BTN_ASK_SHORT)
    second = (await h.server.next_message(STAFF_CHAT)).text
    assert f"№{first + 1}" in second

    prompt = await h.press(PARENT, answer, texts.BTN_FOLLOW_UP)
    assert f"№{first}" in prompt.text
    appended = await h.say(PARENT, "а справка нужна от педиатра или от терапевта")
    assert f"№{first}" in appended.text, appended.text
    note = await h.server.next_message(STAFF_CHAT, timeout=10)
    assert f"№{first}," in note.text and "от педиатра" in note.text


RTL_TRICK = FakeUser(id=2077, first_name="\u202eИван", last_name="<b>Жуков</b> &lt; \u2067")


async def test_a_name_with_bidi_controls_does_not_turn_the_staff_card_around(
    harness: BotHarness,
) -> None:
    """A name may carry an unclosed right-to-left override (U+202E): put into the staff card
    as it is, it would show the rest of the line backwards — the messenger and the id staff
    read. The card shows the name's letters (HTML-looking ones as text) and no bidi control."""
    h = harness
    reply = await h.say(RTL_TRICK, UNKNOWN)
    await h.press(RTL_TRICK, reply, texts.BTN_ASK_SHORT)
    post = await h.server.next_message(STAFF_CHAT)
    assert "Иван <b>Жуков</b> &lt;" in post.text, post.text
    assert f"Telegram, id {RTL_TRICK.id}" in post.text
    controls = [c for c in post.text if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert not controls, f"bidi controls in the staff card: {controls}"


async def test_a_workshop_with_a_long_description_and_many_meetings_opens(
    harness: BotHarness,
) -> None:
    """/new_event allows a 3000-character description and 50 meetings; with 30 weekly meetings
    the card would be over 4096 and Telegram would refuse it («Что-то пошло не так»). The card
    opens within the limit, with every meeting and the start of the description."""
    h = harness
    description = long_text("О", 3000)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        event = Event(
            title="Мастерская «Робототехника»", kind="workshop", starts_at=START,
            duration_min=90, format="offline", place="ул. Ленина, 1", capacity=30, taken=0,
            status=EventStatus.PUBLISHED, description=description,
        )  # fmt: skip
        await repo.events.add(event, [START + timedelta(weeks=n) for n in range(30)])
        await repo.commit()
        event_id = event.id
    await seed_teacher(h.sessionmaker, TEACHER)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        assert (await repo.events.register(event_id, TEACHER.id)).outcome == "registered"
        await repo.commit()
    card = await h.say(TEACHER, f"/start event_{event_id}")
    assert "Мастерская «Робототехника»" in card.text, card.text
    assert len(card.text) <= MESSAGE_LIMIT
    assert "30. " in card.text and description[:500] in card.text
    assert "Вы: записаны ✅" in card.text, "the shortened card still tells the teacher's seat"


async def test_an_invisible_message_after_ask_is_no_ticket(harness: BotHarness) -> None:
    """After /ask a zero-width space, a Hangul filler (a «blank» many keyboards type) or a
    lone emoji is not a question: no empty ticket reaches staff, the bot asks for words and
    still waits; the question typed next becomes the ticket."""
    h = harness
    await h.say(PARENT, "/ask")
    for blank in ("\u200b", "\u3164", "\u2060 \u200b", "🙂"):
        reply = await h.say(PARENT, blank)
        assert reply.text == texts.ASK_REPROMPT, (blank, reply.text)
    await h.server.idle(quiet=0.5)
    assert not h.server.sent_to(STAFF_CHAT), "an empty-looking ticket reached staff"
    created = await h.say(PARENT, UNKNOWN)
    assert "№1" in created.text
    assert UNKNOWN in (await h.server.next_message(STAFF_CHAT)).text
