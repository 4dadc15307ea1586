"""A parent's voice message reaches the specialist, in Telegram and MAX: during an open ticket
it joins it and after /ask it is the question; staff get the recording itself in both staff
channels (the Telegram staff chat a copy or a document, a MAX staffer a file). Before, the
bot only said «голосовые специалисту не передать», and a parent who cannot type well (or
drives) had no way to be heard. Without a ticket the bot says it does not understand speech
and how to send the recording to a specialist — not the general «Я понимаю только текст»."""

from __future__ import annotations

import secrets
from pathlib import Path

from bot import texts
from bot.services.faq import FaqService
from bot.texts import unread
from storage.db import SessionMaker
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeTelegramServer, SentMessage
from tests.helpers.max_both import MOTHER, Both, as_parent
from tests.helpers.wait import until
from tests.test_e2e_ticket_carry import tg_parent
from tests.test_e2e_two_desks import (
    max_files,
    max_parent_asks,
    tg_parent_asks,
    tg_user_file,
    two_desks,
)

OGG = b"OggS\x00\x02 a parent speaking"


def tg_voice(h: Both, reply_to: SentMessage | None = None) -> tuple[int, int]:
    """The Telegram parent sends a voice message (a reply to `reply_to`); its (chat id,
    message id)."""
    tg_user_file(h, "sample-voice", "voice.ogg", OGG)
    extra = dict(SAMPLE_MEDIA["voice"])
    sent = h.tg.user_sends(None, user=PARENT, extra=extra, reply_to=reply_to)
    return PARENT.id, sent["message"]["message_id"]


def max_voice(h: Both, transcription: str = "") -> None:
    """MOTHER sends a MAX voice message (an `audio` attachment MAX keeps at its url)."""
    token = f"in.{secrets.token_hex(8)}"
    h.max.uploads[token] = ("audio", OGG)
    audio = {"type": "audio", "payload": {"url": f"{h.max.url}/files/{token}", "token": token}}
    if transcription:
        audio["transcription"] = transcription
    h.max.user_writes(MOTHER, "", attachments=[audio])


def tg_staff_has(h: Both, source: tuple[int, int]) -> bool:
    return any(m.source == source for m in h.tg.sent_to(STAFF_CHAT))


async def test_a_telegram_voice_joins_the_open_ticket_and_reaches_both_staff_channels(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent_asks(h)
        await h.tg.idle(quiet=0.5)
        before = len(h.tg.sent_to(PARENT.id))
        source = tg_voice(h)
        told = (await h.tg.next_message(PARENT.id)).text
        assert "Добавил это к обращению" in told and "№1" in told, told
        await until(lambda: tg_staff_has(h, source), 15, "the voice in the staff chat")
        await until(lambda: max_files(h, "file"), 15, "the voice for the MAX staffer")
        [(_, name, data)] = max_files(h, "file")
        assert data == OGG and name.endswith(".ogg")
        await h.tg.idle(quiet=0.5)
        said = [m.text for m in h.tg.sent_to(PARENT.id)[before:]]
        assert not [s for s in said if "не добавлено" in s or "Не удалось" in s], said


async def test_a_telegram_voice_after_ask_is_the_question(both: Both) -> None:
    h = both
    await tg_parent(h)
    h.tg.user_sends("/ask", user=PARENT)
    assert (await h.tg.next_message(PARENT.id)).text == texts.ASK_PROMPT
    source = tg_voice(h)
    created = (await h.tg.next_message(PARENT.id)).text
    assert "Номер обращения" in created, created
    await until(lambda: tg_staff_has(h, source), 15, "the voice in the staff chat")
    posts = [m.text or "" for m in h.tg.sent_to(STAFF_CHAT)]
    assert any(unread.VOICE_QUESTION in p and "Обращение №1" in p for p in posts), posts


async def test_a_telegram_voice_without_a_ticket_says_how_to_pass_it_on(both: Both) -> None:
    h = both
    await tg_parent(h)
    tg_voice(h)
    told = await h.tg.next_message(PARENT.id)
    assert "не распознаю" in told.text and "/ask" in told.text, told.text
    assert not h.tg.sent_to(STAFF_CHAT)


async def test_a_max_voice_joins_the_open_ticket_with_its_transcription(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await max_parent_asks(h)
        before = len(h.max.sent_to(MOTHER))
        max_voice(h, "а справку от врача нужно приносить")
        (told,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
        assert "Добавил это к обращению" in told.plain and "№1" in told.plain, told.plain

        def voice_in_tg() -> list[bytes]:
            return [m.document.data for m in h.tg.sent_to(STAFF_CHAT) if m.document is not None]

        await until(voice_in_tg, 15, "the voice in the Telegram staff chat")
        assert voice_in_tg() == [OGG]
        await until(lambda: max_files(h, "file"), 15, "the voice for the MAX staffer")
        posts = [m.text or "" for m in h.tg.sent_to(STAFF_CHAT)]
        assert any("а справку от врача нужно приносить" in p for p in posts), posts


async def test_a_max_voice_after_ask_is_the_question_and_without_a_ticket_is_explained(
    both: Both,
) -> None:
    h = both
    await as_parent(h)
    before = len(h.max.sent_to(MOTHER))
    max_voice(h)
    (hint,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert "не распознаю" in hint.plain and "/ask" in hint.plain, hint.plain

    await h.say(MOTHER, "/ask")
    before = len(h.max.sent_to(MOTHER))
    max_voice(h)
    (created,) = (await h.max.wait_sent(MOTHER, before + 1))[before:]
    assert "Номер обращения" in created.plain, created.plain
    await until(
        lambda: [m for m in h.tg.sent_to(STAFF_CHAT) if m.document is not None],
        15, "the voice in the Telegram staff chat",
    )  # fmt: skip


async def test_a_telegram_voice_in_reply_to_the_answer_reopens_the_ticket(both: Both) -> None:
    """The specialist answered (the ticket waits for nothing): a voice sent as a reply to the
    answer is for the specialist, as a typed reply is — not «нажмите /ask»."""
    h = both
    await tg_parent_asks(h)
    post = await h.tg.next_message(STAFF_CHAT, timeout=10)
    h.tg.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
    )
    answer = await h.tg.next_message(PARENT.id, timeout=10)
    while "Ответ специалиста" not in answer.text:
        answer = await h.tg.next_message(PARENT.id, timeout=10)
    source = tg_voice(h, reply_to=answer)
    told = (await h.tg.next_message(PARENT.id)).text
    assert "Добавил это к обращению" in told and "№1" in told, told
    await until(lambda: tg_staff_has(h, source), 15, "the voice in the staff chat")


async def test_a_telegram_voice_in_the_profile_form_is_no_ticket_matter(
    harness: BotHarness,
) -> None:
    """At «Шаг 2 из 5» (the name) a voice is not the parent's question for staff: the general
    hint, as before voice messages were passed on, and no «нажмите /ask»."""
    from bot.texts import events as t
    from tests.conftest import TEACHER
    from tests.helpers.events import seed_event
    from tests.helpers.max_both import SOON

    h = harness
    event_id = await seed_event(h.sessionmaker, title="Семинар", starts_at=SOON)
    card = await h.say(TEACHER, f"/start event_{event_id}")
    while t.BTN_REGISTER not in card.inline_texts:
        card = await h.server.next_message(TEACHER.id)
    consent = await h.press(TEACHER, card, t.BTN_REGISTER)
    step = await h.press(TEACHER, consent, t.BTN_CONSENT_YES)
    assert "Шаг 2 из 5" in step.text
    h.server.user_sends(None, user=TEACHER, extra=dict(SAMPLE_MEDIA["voice"]))
    told = await h.server.next_message(TEACHER.id)
    assert "/ask" not in told.text and "обращени" not in told.text, told.text
