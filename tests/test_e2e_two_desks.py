"""One bot in Telegram and MAX with staff in both: a staffer who works in MAX gets every new
ticket as a private card whether or not Telegram has a staff chat, answers a parent of either
messenger from it, and a close — wherever it happens — shows on every card and note in both.
A card of a closed ticket no longer takes an answer in Telegram, as in MAX."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot import texts
from bot.core.markup import fill
from bot.services.faq import FaqService
from bot.texts import faq_learn as shot
from storage.db import SessionMaker
from storage.models import Ticket, TicketStatus
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, running_both
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser
from tests.fakes.max_model import Message as MaxMessage
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeFile, FakeTelegramServer, SentMessage
from tests.helpers.max_both import MOTHER, UNKNOWN, Both, as_parent
from tests.helpers.wait import until

MAX_STAFF = MaxUser(50_000_000_401, "Вера", "Кураторова")  # MAX_ADMIN_IDS: works only in MAX
ANSWER = "Да, с собакой-поводырём можно."
FOLLOW_UP = "ребёнку 9 лет, если это важно"


@asynccontextmanager
async def two_desks(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq: FaqService,
    **overrides: Any,
) -> AsyncIterator[Both]:
    """Telegram (ADMIN, the staff chat unless `overrides` drop it) and MAX (MAX_STAFF, who
    has opened the bot) in one process."""
    async with running_both(
        server, max_server, db_path, sessionmaker, faq,
        max_admin_ids=str(MAX_STAFF.user_id), **overrides,
    ) as h:  # fmt: skip
        await h.start(MAX_STAFF)
        yield h


async def tg_parent_asks(h: Both, question: str = UNKNOWN) -> None:
    """The Telegram parent picks «Родитель», asks what the bot does not know, sends it on."""
    h.tg.user_sends("/start", user=PARENT)
    welcome = await h.tg.next_message(PARENT.id)
    h.tg.press(welcome, texts.ROLE_TITLES["parent"], user=PARENT)
    await h.tg.next_message(PARENT.id)
    h.tg.user_sends(question, user=PARENT)
    unknown = await h.tg.next_message(PARENT.id)
    h.tg.press(unknown, texts.BTN_ASK_SHORT, user=PARENT)
    assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text


async def max_parent_asks(h: Both) -> None:
    await as_parent(h, MOTHER)
    unknown = await h.say(MOTHER, UNKNOWN)
    await h.press(MOTHER, unknown, texts.BTN_ASK_SHORT)
    await until(lambda: any("Номер обращения" in m.plain for m in h.max.sent_to(MOTHER)))


async def max_card(h: Both, needle: str = UNKNOWN) -> MaxMessage:
    """MAX_STAFF's private post showing `needle` (a card, a note), once it has come."""

    def found() -> list[MaxMessage]:
        return [m for m in h.max.sent_to(MAX_STAFF) if needle in m.plain]

    await until(found, 15, f"a MAX post with {needle!r} for the MAX staffer")
    return found()[0]


async def tg_post(h: Both, chat: int, needle: str = UNKNOWN) -> SentMessage:
    """The bot's post showing `needle` in Telegram `chat` (a card, a note), once it has come."""

    def found() -> list[SentMessage]:
        return [m for m in h.tg.sent_to(chat) if needle in (m.text or "")]

    await until(found, 15, f"a Telegram post with {needle!r} in {chat}")
    return found()[0]


async def max_staff_answers(h: Both, card: MaxMessage, text: str = ANSWER) -> None:
    before = len(h.max.sent_to(MAX_STAFF))
    await h.press(MAX_STAFF, card, texts.BTN_REPLY)
    await h.max.wait_sent(MAX_STAFF, before + 1)
    h.max.user_writes(MAX_STAFF, text)
    await until(lambda: any("доставлен" in m.plain for m in h.max.sent_to(MAX_STAFF)))


def tg_current(h: Both, message: SentMessage) -> SentMessage:
    return h.tg.messages[(message.chat_id, message.message_id)]


def tg_retired(h: Both, message: SentMessage) -> bool:
    """No «Ответить» / «Закрыть» under the Telegram post any more; «В черновики FAQ» kept."""
    shown = tg_current(h, message).inline_texts
    return (
        texts.BTN_REPLY not in shown and texts.BTN_CLOSE not in shown and texts.BTN_DRAFT in shown
    )


def max_retired(message: MaxMessage) -> bool:
    shown = [button["text"] for row in message.buttons() for button in row]
    return (
        texts.BTN_REPLY not in shown and texts.BTN_CLOSE not in shown and texts.BTN_DRAFT in shown
    )


async def test_without_a_staff_chat_max_staff_get_cards_beside_telegram_admins(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """No STAFF_CHAT_ID, staff in both messengers: only the Telegram admins got the ticket,
    the MAX staffer nothing. Now the MAX staffer gets a MAX card, answers the Telegram parent
    from it, and closes it — the Telegram admin's card then says closed and loses «Ответить»."""
    async with two_desks(
        server, max_server, db_path, sessionmaker, faq_service, staff_chat_id=None
    ) as h:
        await tg_parent_asks(h)
        tg_card = await tg_post(h, ADMIN.id)
        assert texts.BTN_REPLY in tg_card.inline_texts and "(Reply)" in tg_card.text
        card = await max_card(h)
        assert "(Reply)" not in card.plain, "worded for MAX: a MAX reply is no answer"
        assert "Мария Иванова" in card.plain and card.buttons()

        await max_staff_answers(h, card)
        answer = await tg_post(h, PARENT.id, "поводырём")
        assert "Ответ специалиста МОЦ" in answer.text
        note = await tg_post(h, ADMIN.id, "Вера Кураторова")  # who answered, for the colleague
        assert "поводырём" in note.text

        await h.press(MAX_STAFF, card, texts.BTN_CLOSE)
        await tg_post(h, PARENT.id, "закрыто")
        await until(lambda: tg_retired(h, tg_card), 15, "the Telegram card retired")
        retired = tg_current(h, tg_card).text or ""
        assert texts.STAFF_STATUS["closed"] in retired and "Вера Кураторова" in retired
        assert UNKNOWN in retired  # still readable


async def test_max_staff_get_cards_beside_the_telegram_staff_chat(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """With a Telegram staff chat the MAX-only staffer got nothing at all (they cannot enter a
    Telegram group). Now they get a private card; a Telegram colleague's answer and close in
    the staff chat reach the MAX parent and show on that card."""
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await max_parent_asks(h)
        post = await tg_post(h, STAFF_CHAT)
        card = await max_card(h)
        assert card.buttons() and "(Reply)" not in card.plain

        h.tg.user_sends(
            ANSWER, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
        )
        await until(lambda: any("поводырём" in m.plain for m in h.max.sent_to(MOTHER)))
        heard = await max_card(h, "ответил(а) Анна Методист")
        assert "поводырём" in heard.plain  # the MAX staffer will not answer a second time

        h.tg.press(tg_current(h, post), texts.BTN_CLOSE, user=ADMIN)
        await until(lambda: max_retired(card), 15, "the MAX card retired")
        assert texts.STAFF_STATUS["closed"] in card.plain and "Анна Методист" in card.plain
        await max_card(h, "№1 закрыто")
        await until(lambda: any("закрыто" in m.plain for m in h.max.sent_to(MOTHER)))


async def test_a_closed_tickets_card_takes_no_answer_in_telegram(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """A card still showing «Ответить» for a ticket closed since (posted before cards were
    retired, or Telegram refused the edit then): Telegram took the answer and sent it to the
    parent of a closed ticket, where MAX refuses. Now it says so, sends nothing, and the card
    is marked closed — whether «Ответить» is pressed or the card is replied to."""
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent_asks(h)
        post = await tg_post(h, STAFF_CHAT)
        async with h.sessionmaker() as session:
            await session.execute(update(Ticket).values(status=TicketStatus.CLOSED))
            await session.commit()
        to_parent = len(h.tg.sent_to(PARENT.id))

        h.tg.press(post, texts.BTN_REPLY, user=ADMIN)
        notice = await h.tg.wait_for(
            "answerCallbackQuery", lambda call: "закрыто" in str(call.params.get("text"))
        )
        assert notice.params["text"] == fill(texts.STAFF_CLOSED_NO_REPLY, id=1)
        await h.tg.idle()
        assert not [m for m in h.tg.sent_to(STAFF_CHAT) if "Напишите ответ" in (m.text or "")]
        assert tg_retired(h, post)
        assert texts.STAFF_STATUS["closed"] in (tg_current(h, post).text or "")

        h.tg.user_sends(
            ANSWER, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post
        )
        refused = await tg_post(h, STAFF_CHAT, "отвечать не нужно")
        assert refused.text == fill(texts.STAFF_CLOSED_NO_REPLY, id=1)
        await h.tg.idle()
        assert len(h.tg.sent_to(PARENT.id)) == to_parent, "the parent of a closed ticket got it"


async def test_follow_up_notes_lose_their_buttons_when_the_ticket_closes(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """The parent's later message reached staff as a note with «Ответить» / «Закрыть»; the
    card lost them on closing, the note kept them in both messengers, inviting an answer to a
    closed ticket. Now the note keeps its text and loses them, as the card does (both keep
    «В черновики FAQ» and «➕ В базу»: a closed ticket is what FAQ entries are made from)."""
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        await tg_parent_asks(h)
        post = await tg_post(h, STAFF_CHAT)
        h.tg.user_sends(FOLLOW_UP, user=PARENT)
        tg_note = await tg_post(h, STAFF_CHAT, FOLLOW_UP)
        max_note = await max_card(h, FOLLOW_UP)
        assert texts.BTN_REPLY in tg_note.inline_texts and max_note.buttons()

        h.tg.press(tg_current(h, post), texts.BTN_CLOSE, user=ADMIN)
        await until(lambda: max_retired(max_note), 15, "the MAX note retired")
        await until(lambda: tg_retired(h, tg_note), 15, "the Telegram note retired")
        assert FOLLOW_UP in (tg_current(h, tg_note).text or "") and FOLLOW_UP in max_note.plain


async def test_two_staff_answer_at_once_and_the_parents_thanks_retires_every_card(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """No staff chat: the Telegram admin and the MAX staffer answer the Telegram parent at the
    same moment. Both answers arrive and each staffer hears the other's; the parent's «Вопрос
    решён» then retires the cards in both messengers (a Telegram parent's close left them)."""
    async with two_desks(
        server, max_server, db_path, sessionmaker, faq_service, staff_chat_id=None
    ) as h:
        await tg_parent_asks(h)
        tg_card = await tg_post(h, ADMIN.id)
        card = await max_card(h)
        before = len(h.max.sent_to(MAX_STAFF))
        await h.press(MAX_STAFF, card, texts.BTN_REPLY)
        await h.max.wait_sent(MAX_STAFF, before + 1)

        h.tg.user_sends("Можно, предупредите педагога.", user=ADMIN, reply_to=tg_card)
        h.max.user_writes(MAX_STAFF, ANSWER)
        first = await tg_post(h, PARENT.id, "предупредите педагога")
        last = await tg_post(h, PARENT.id, "поводырём")
        assert "Ответ специалиста МОЦ" in first.text and "Ответ специалиста МОЦ" in last.text
        await tg_post(h, ADMIN.id, "Вера Кураторова")  # the colleague's answer, quoted
        await max_card(h, "ответил(а) Анна Методист")

        answers = [m for m in h.tg.sent_to(PARENT.id) if texts.BTN_SOLVED in m.inline_texts]
        h.tg.press(answers[-1], texts.BTN_SOLVED, user=PARENT)
        await until(lambda: tg_retired(h, tg_card), 15, "the Telegram card retired")
        await until(lambda: max_retired(card), 15, "the MAX card retired")
        assert texts.CLOSED_BY_ASKER in card.plain
        assert texts.CLOSED_BY_ASKER in (tg_current(h, tg_card).text or "")


SHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(64))  # the Telegram parent's screenshot
SCAN = b"%PDF-1.4\n%scan\n"


def tg_user_file(h: Both, file_id: str, name: str, data: bytes) -> None:
    """A file the Telegram parent is about to send: Telegram keeps its bytes by file_id."""
    h.tg.files[file_id] = FakeFile(file_id, f"u-{file_id}", name, data, None, f"f/{file_id}")


def max_files(h: Both, kind: str) -> list[tuple[MaxMessage, str, bytes]]:
    """MAX_STAFF's messages with a `kind` attachment: (message, file name, bytes)."""
    found = []
    for message in h.max.sent_to(MAX_STAFF):
        for attached in message.attachments:
            if attached["type"] == kind:
                name, data = h.max.uploads[attached["payload"]["token"]]
                found.append((message, name, data))
    return found


async def test_a_telegram_parents_screenshot_reaches_max_staff(
    server: FakeTelegramServer,
    max_server: FakeMaxServer,
    db_path: Path,
    sessionmaker: SessionMaker,
    faq_service: FaqService,
) -> None:
    """A Telegram parent's screenshot went to the Telegram staff chat as a copy and to nobody
    in MAX (a copy cannot cross messengers): the MAX staffer had a card «see the picture»
    and no picture. Now it is downloaded from Telegram and uploaded to MAX beside the card —
    the one sent with «Отправить специалисту», and a file sent later to the open ticket."""
    async with two_desks(server, max_server, db_path, sessionmaker, faq_service) as h:
        h.tg.user_sends("/start", user=PARENT)
        welcome = await h.tg.next_message(PARENT.id)
        h.tg.press(welcome, texts.ROLE_TITLES["parent"], user=PARENT)
        await h.tg.next_message(PARENT.id)
        tg_user_file(h, "sample-photo", "photo", SHOT)
        h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["photo"]))
        offer = await h.tg.next_message(PARENT.id)
        h.tg.press(offer, shot.BTN_SEND_SHOT, user=PARENT)
        assert "Номер обращения" in (await h.tg.next_message(PARENT.id)).text
        await max_card(h, shot.SHOT_QUESTION)
        await until(lambda: max_files(h, "image"), 15, "the screenshot for the MAX staffer")
        [(picture, name, data)] = max_files(h, "image")
        assert data == SHOT and name == "screenshot.jpg"
        assert "вложение от" in picture.plain  # the header naming the ticket, as in Telegram
        assert any("photo" in m.content for m in h.tg.sent_to(STAFF_CHAT))  # still copied

        tg_user_file(h, "sample-document", "заявление.pdf", SCAN)
        h.tg.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["document"]))
        await until(lambda: max_files(h, "file"), 15, "the later file for the MAX staffer")
        [(_, name, data)] = max_files(h, "file")
        assert data == SCAN and name == "заявление.pdf"  # as named, not %-quoted
