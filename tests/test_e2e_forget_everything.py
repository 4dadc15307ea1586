"""152-ФЗ end to end, in Telegram and in MAX: a teacher registers for an event with their name
and phone, asks a question with a screenshot, gets a staff answer, then /forget_me — and the
database files hold nothing of it, the staff chat shows neither the question nor the picture,
/my_data says so, and only the proof of consent is left: who (the id the messenger knows),
which text version, when given and withdrawn."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot import texts
from bot.core import ids
from bot.texts import events as t
from bot.texts import faq_learn as shot
from storage.db import SessionMaker
from storage.models import (
    ChannelId,
    Consent,
    FaqQuery,
    FsmRecord,
    Registration,
    StaffPost,
    TeacherProfile,
    Ticket,
    TicketMessage,
    User,
)
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness
from tests.fakes.max_media import PNG
from tests.fakes.max_media import user_sends as max_user_sends
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.max_both import MOTHER, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_consent import seed_event, stored_bytes
from tests.test_e2e_ticket_questions import photo

EVELINA = FakeUser(id=2010, first_name="Эвелина", last_name="Громова", username="evelina_g")
EVELINA_MAX = MaxUser(50_000_000_777, "Эвелина", "Громова")
FULL_NAME = "Громова Эвелина Олеговна"
ORG = "ДДТ «Радуга-Семицветик»"
PHONE = "+7 922 333-11-00"
QUESTION = "можно ли привести на мастер-класс собаку-поводыря Эвелины"
STAFF_ANSWER = "Да, можно: возьмите справку о собаке-проводнике."
SECRETS = (
    "Эвелин", "Громова", "evelina_g", "Олеговна", "Семицветик", "922 333", "9223331100",
    "собаку-поводыря", "справку о собаке",
)  # fmt: skip


def assert_forgotten_in_files(db_path: Path) -> None:
    stored = stored_bytes(db_path)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


async def assert_only_the_proof_is_left(sm: SessionMaker, uid: int) -> Consent:
    async with sm() as session:
        for model in (TeacherProfile, Ticket, TicketMessage, StaffPost, FaqQuery):
            assert not (await session.scalars(select(model))).all(), model.__name__
        # the registration stays as the МОЦ report's number, naming nobody
        kept = (await session.scalars(select(Registration))).all()
        assert kept and all(r.user_id is None for r in kept)
        assert await session.get(User, uid) is None
        records = (await session.scalars(select(FsmRecord))).all()
        assert all(r.state is None and r.data in ("", "{}") for r in records), records
        proof = (await session.scalars(select(Consent))).one()
    assert (proof.user_id, proof.kind, proof.version) == (uid, "personal_data", "2026-12-06.2")
    assert proof.given_at is not None and proof.withdrawn_at is not None
    return proof


async def test_telegram_teacher_registers_asks_with_a_screenshot_and_forgets_everything(
    harness: BotHarness, db_path: Path
) -> None:
    h = harness
    event_id = await seed_event(h.sessionmaker)
    card = await h.say(EVELINA, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(EVELINA.id)
    consent = await h.press(EVELINA, card, t.BTN_REGISTER)
    await h.press(EVELINA, consent, t.BTN_CONSENT_YES)
    await h.say(EVELINA, FULL_NAME)
    position = await h.say(EVELINA, ORG)
    await h.press(EVELINA, position, "Методист")
    await h.say(EVELINA, PHONE)
    mailing = await h.server.next_message(EVELINA.id)
    await h.press(EVELINA, mailing, t.BTN_MAIL_NO)
    assert "Вы записаны" in (await h.server.next_message(EVELINA.id)).text
    await h.server.idle()
    h.server.drain(EVELINA.id)  # the .ics and the card

    offer = await h.say(EVELINA, None, extra=photo(QUESTION))  # type: ignore[arg-type]
    assert offer.text == shot.SHOT_UNKNOWN
    assert "Номер обращения" in (await h.press(EVELINA, offer, shot.BTN_SEND_SHOT)).text
    post = await h.server.next_message(STAFF_CHAT)
    image = await h.server.next_message(STAFF_CHAT)
    assert QUESTION in post.text and "photo" in image.content
    h.server.user_sends(
        STAFF_ANSWER, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    answer = await h.server.next_message(EVELINA.id)
    assert STAFF_ANSWER in answer.text

    held = await h.say(EVELINA, "/my_data")
    assert FULL_NAME in held.text and PHONE in held.text
    assert "Записей на мероприятия: 1" in held.text and "Обращений к специалистам: 1" in held.text
    confirm = await h.press(EVELINA, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(EVELINA, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()

    proof = await assert_only_the_proof_is_left(h.sessionmaker, EVELINA.id)
    assert proof.user_id == EVELINA.id  # Telegram's own id: the channel id of the proof
    assert_forgotten_in_files(db_path)
    redacted = h.server.messages[(STAFF_CHAT, post.message_id)]
    assert QUESTION not in redacted.text and "Эвелина" not in redacted.text
    assert h.server.messages[(STAFF_CHAT, image.message_id)].deleted  # the screenshot too
    h.server.drain(STAFF_CHAT)
    h.server.user_sends(  # a staffer answering the redacted post learns why nothing goes
        "Дополню ответ", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    assert (await h.server.next_message(STAFF_CHAT)).text == texts.STAFF_TICKET_GONE

    after = await h.say(EVELINA, "/my_data")
    assert "Профиль педагога: нет" in after.text
    assert (
        "Записей на мероприятия: 0" in after.text and "Обращений к специалистам: 0" in after.text
    )
    assert "Записанных вопросов (для улучшения ответов): 0" in after.text
    assert "на обработку персональных данных (версия 2026-12-06.2)" in after.text
    assert "отозвано" in after.text


async def test_max_teacher_registers_asks_with_a_screenshot_and_forgets_everything(
    both: Both, db_path: Path
) -> None:
    h = both
    user = EVELINA_MAX

    async def press(message: object, label: str, count: int = 1) -> list:  # type: ignore[type-arg]
        before = len(h.max.sent_to(user))
        await h.press(user, message, label)  # type: ignore[arg-type]
        return (await h.max.wait_sent(user, before + count, within=15))[before:]

    event_id = await seed_event(h.sessionmaker)
    shown = await h.start(user, f"event_{event_id}")
    await h.max.wait_sent(user, 2)  # and «Кто вы?» for a newcomer
    (consent,) = await press(shown, t.BTN_REGISTER)
    await press(consent, t.BTN_CONSENT_YES)
    await h.say(user, FULL_NAME)
    position = await h.say(user, ORG)
    await press(position, t.POSITIONS[1])
    before = len(h.max.sent_to(user))
    h.max.user_writes(user, PHONE)
    mailing = (await h.max.wait_sent(user, before + 2))[-1]
    _saved, registered, _ics = await press(mailing, t.BTN_MAIL_NO, 3)
    assert "Семинар о согласии" in registered.plain

    before = len(h.max.sent_to(user))
    max_user_sends(h.max, user, PNG, QUESTION)
    offer = (await h.max.wait_sent(user, before + 1))[before]
    assert offer.plain == shot.SHOT_UNKNOWN
    (created,) = await press(offer, shot.BTN_SEND_SHOT)
    assert "Номер обращения" in created.plain
    post = await h.tg.next_message(STAFF_CHAT)
    image = await h.tg.next_message(STAFF_CHAT)
    assert QUESTION in post.text and image.document is not None
    h.tg.user_sends(
        STAFF_ANSWER, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    answer = (await h.max.wait_sent(user, before + 3, within=15))[-1]
    assert STAFF_ANSWER in answer.plain

    held = await h.say(user, "/my_data")
    assert FULL_NAME in held.plain and "Обращений к специалистам: 1" in held.plain
    (confirm,) = await press(held, texts.BTN_FORGET)
    (done,) = await press(confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.plain
    image_post = h.tg.messages[(STAFF_CHAT, image.message_id)]
    # the staff chat is tidied after the person has been told
    await until(lambda: image_post.deleted, what="the staff post deleted")

    async with h.sessionmaker() as session:
        mapping = (await session.scalars(select(ChannelId))).one()
    uid = ids.internal(mapping.seq, "user")
    proof = await assert_only_the_proof_is_left(h.sessionmaker, uid)
    # the proof resolves to the person's MAX id, and to nothing more
    assert (mapping.channel, mapping.kind, mapping.external_id) == ("max", "user", user.user_id)
    assert proof.user_id == uid
    assert_forgotten_in_files(db_path)
    redacted = h.tg.messages[(STAFF_CHAT, post.message_id)]
    assert QUESTION not in redacted.text and "Эвелина" not in redacted.text
    assert image_post.deleted  # the screenshot too

    after = await h.say(user, "/my_data")
    assert f"MAX id: {user.user_id}" in after.plain
    assert "Профиль педагога: нет" in after.plain and "Обращений к специалистам: 0" in after.plain
    assert "Записей на мероприятия: 0" in after.plain and "отозвано" in after.plain


async def test_max_parent_without_a_consent_leaves_not_even_the_max_id(
    both: Both, db_path: Path
) -> None:
    """A parent never agreed to anything: no proof needs their MAX id, so it goes too."""
    h = both
    await as_parent(h)
    reply = await h.say(MOTHER, QUESTION)
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, reply, "🙋 Спросить специалиста")
    await h.max.wait_sent(MOTHER, before + 1)
    await h.tg.next_message(STAFF_CHAT)

    held = await h.say(MOTHER, "/my_data")
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, held, texts.BTN_FORGET)
    (confirm,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    done = (await h.max.wait_sent(MOTHER, before + 2))[-1]
    assert "удалены" in done.plain

    async def unmapped() -> bool:  # the MAX id goes once the person has been told
        async with h.sessionmaker() as session:
            found = select(ChannelId).where(ChannelId.external_id == MOTHER.user_id)
            return not (await session.scalars(found)).all()

    await until(unmapped, what="the MAX id removed")
    async with h.sessionmaker() as session:
        for model in (Consent, User, Ticket, FaqQuery):
            assert not (await session.scalars(select(model))).all(), model.__name__
        # the row keeps its number taken (never handed to a newcomer), with no MAX id in it
        assert all(row.channel == "gone" for row in await session.scalars(select(ChannelId)))
    stored = stored_bytes(db_path)
    assert "Петрова".encode() not in stored and "собаку-поводыря".encode() not in stored
