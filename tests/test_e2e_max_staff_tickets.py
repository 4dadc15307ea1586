"""A MAX-only МОЦ's ticket desk as a staffer lives it: invited staff get the tickets (not only
MAX_ADMIN_IDS), «Ответить» can be cancelled with a button, and a closed ticket's card loses
its buttons wherever it was closed, a stale press being told so rather than acting."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from bot import texts
from bot.core.clock import SystemClock
from bot.core.markup import fill
from bot.services.faq import FaqService
from bot.texts import staff as staff_texts
from bot.texts.faq_learn import BTN_TO_KB
from handlers.web import add_panel
from storage.db import SessionMaker
from storage.models import Ticket, TicketStatus
from storage.repositories import Repositories
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser, Message
from tests.helpers.max_bot import answered, max_only_bot, say, start

OWNER = MaxUser(50_000_000_301, "Анна", "Методист")
INVITED = MaxUser(50_000_000_302, "Олег", "Педагогов")
MOTHER = MaxUser(50_000_000_303, "Ольга", "Петрова")
QUESTION = "можно ли привести на занятие собаку-поводыря"
INVITE = re.compile(r"https://max\.ru/moc_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


async def invite(fake: FakeMaxServer, owner: MaxUser, newcomer: MaxUser) -> None:
    """`owner` makes an invite link with /invite and `newcomer` opens it."""
    (sent,) = await say(fake, owner, "/invite")
    found = INVITE.search(sent.plain)
    assert found is not None, sent.plain
    joined = await start(fake, newcomer, found.group(1))
    assert joined.plain == staff_texts.INVITE_OUTCOMES["joined"]


async def ask(fake: FakeMaxServer, parent: MaxUser, question: str = QUESTION) -> None:
    """`parent` picks «Родитель», asks what the KB does not answer, sends it to staff."""
    fake.bot_started(parent)
    welcome = (await fake.wait_sent(parent, 1))[0]
    fake.press(parent, welcome, texts.ROLE_TITLES["parent"])
    await fake.wait_sent(parent, 2)
    unknown = (await say(fake, parent, question))[-1]
    fake.press(parent, unknown, texts.BTN_ASK_SHORT)
    assert "Номер обращения" in (await fake.wait_sent(parent, 4))[-1].plain


async def cards(fake: FakeMaxServer, staffer: MaxUser, question: str = QUESTION) -> list[Message]:
    """The ticket cards `staffer` holds, once the first has come (and a moment for a second)."""
    for _ in range(200):
        found = [
            m for m in fake.sent_to(staffer) if question in m.plain and "Обращение" in m.plain
        ]
        if found:
            await asyncio.sleep(0.5)
            return [m for m in fake.sent_to(staffer) if question in m.plain and m.buttons()]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no card for {staffer.first_name}")


async def until(fake: FakeMaxServer, user: MaxUser, needle: str) -> Message:
    """The first message to `user` showing `needle`, waiting for it."""
    for _ in range(300):
        for message in fake.sent_to(user):
            if needle in message.plain:
                return message
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{needle!r} never reached {user.first_name}")


def answerable(card: Message) -> bool:
    """«Ответить» or «Закрыть» under it (a closed ticket's card keeps only the FAQ buttons)."""
    labels = [button["text"] for row in card.buttons() for button in row]
    return texts.BTN_REPLY in labels or texts.BTN_CLOSE in labels


async def owner_and_invited(fake: FakeMaxServer) -> None:
    fake.bot_started(OWNER)
    await fake.wait_sent(OWNER, 1)
    await invite(fake, OWNER, INVITED)


async def test_invited_max_staff_get_new_tickets_once(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """The owner invited a colleague to work the tickets; only MAX_ADMIN_IDS got them, and the
    colleague waited for tickets that never came. Each gets one card and can answer from it."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        await owner_and_invited(fake)
        await ask(fake, MOTHER)
        (colleague_card,) = await cards(fake, INVITED)
        assert len(await cards(fake, OWNER)) == 1, "one card per person"
        before = len(fake.sent_to(INVITED))
        fake.press(INVITED, colleague_card, texts.BTN_REPLY)
        await fake.wait_sent(INVITED, before + 1)
        fake.user_writes(INVITED, "Да, с собакой-поводырём можно.")
        await fake.wait_sent(INVITED, before + 2)
        assert "поводырём" in (await fake.wait_sent(MOTHER, 5))[-1].plain
        await until(fake, OWNER, "Олег Педагогов")  # the owner hears who answered


SECOND = MaxUser(50_000_000_304, "Олег", "Завучев")
SIGNED = MaxUser(50_000_000_305, "Инна", "<Завуч> & Co")  # a name MAX lets anyone choose
LOGIN = re.compile(r"http://\S+(/web/login\?t=[^\s<\"]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def two_admins_with_a_card(
    fake: FakeMaxServer, one: MaxUser = OWNER
) -> tuple[Message, Message]:
    """Both MAX admins (`one` and SECOND) open the bot, the mother asks; each admin's card."""
    for admin in (one, SECOND):
        fake.bot_started(admin)
        await fake.wait_sent(admin, 1)
    await ask(fake, MOTHER)
    (first,) = await cards(fake, one)
    (second,) = await cards(fake, SECOND)
    return first, second


async def test_the_answer_prompt_has_a_cancel_button(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """«Ответить», then second thoughts: MAX shows no command list to tap /cancel from, so the
    prompt carries «Отмена»; after it the staffer's next message is not sent to the parent."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        fake.bot_started(OWNER)
        await fake.wait_sent(OWNER, 1)
        await ask(fake, MOTHER)
        (card,) = await cards(fake, OWNER)
        before = len(fake.sent_to(OWNER))
        fake.press(OWNER, card, texts.BTN_REPLY)
        prompt = (await fake.wait_sent(OWNER, before + 1))[-1]
        assert "№1" in prompt.plain
        pressed = fake.press(OWNER, prompt, texts.BTN_CANCEL)
        assert await answered(fake, pressed) == ""
        cancelled = (await fake.wait_sent(OWNER, before + 2))[-1]
        assert cancelled.plain == texts.CANCELLED  # Telegram's words for /cancel
        shown = [b["text"] for row in cancelled.buttons() for b in row]  # and its menu
        assert texts.BTN_TICKETS in shown and texts.BTN_BROADCAST in shown, shown
        assert not prompt.buttons()  # nothing left to press twice

        mother_before = len(fake.sent_to(MOTHER))
        await say(fake, OWNER, "а какие у нас часы работы в субботу?")  # a question, not an answer
        await asyncio.sleep(0.5)
        assert len(fake.sent_to(MOTHER)) == mother_before, "the parent got the staffer's question"

        again = fake.press_payload(OWNER, prompt, "tk:unreply:1")  # kept on an old screen
        assert "уже не ожидается" in await answered(fake, again)


async def test_a_card_closed_by_a_colleague_loses_its_buttons(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """Each MAX admin holds their own card: one closed the ticket and the other's card still
    said «ждёт ответа» with «Ответить» under it. Now it says who closed it and has no buttons;
    a press on a button kept from before (an old client screen) is told so and does nothing."""
    async with max_only_bot(db_path, sessionmaker, faq_service, SIGNED, SECOND) as (fake, _):
        first, second = await two_admins_with_a_card(fake, SIGNED)
        reply_payload = second.button(texts.BTN_REPLY)["payload"]
        fake.press(SIGNED, first, texts.BTN_CLOSE)
        told = (await fake.wait_sent(SECOND, 3))[-1]  # the greeting, the card, the news
        assert told.plain == "Обращение №1 закрыто (Инна <Завуч> & Co)."
        for card in (first, second):
            assert not answerable(card), card.plain
            assert texts.STAFF_STATUS["closed"] in card.plain
            assert "закрыто (Инна <Завуч> & Co)." in card.plain  # escaped once, as typed
            assert QUESTION in card.plain  # still readable

        before = len(fake.sent_to(SECOND))
        stale = fake.press_payload(SECOND, second, reply_payload)
        assert await answered(fake, stale) == fill(texts.STAFF_CLOSED_NO_REPLY, id=1)
        await asyncio.sleep(0.5)
        assert len(fake.sent_to(SECOND)) == before, "no «напишите ответ» for a closed ticket"
        closing = fake.press_payload(SECOND, second, reply_payload.replace("reply", "close"))
        assert await answered(fake, closing) == "Обращение №1 уже закрыто."


async def test_a_stale_reply_on_a_closed_tickets_card_keeps_the_faq_buttons(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """A card still showing «Ответить» for a ticket closed since (its rewrite failed, or it
    came before): pressed, it used to lose every button in MAX, while Telegram's keeps «В
    черновики FAQ» and «➕ В базу» (desk.retire_stale). Now it is told, says closed and keeps
    them, as in Telegram; «В черновики FAQ» under it still works."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        fake.bot_started(OWNER)
        await fake.wait_sent(OWNER, 1)
        await ask(fake, MOTHER)
        (card,) = await cards(fake, OWNER)
        async with sessionmaker() as session:  # closed where no card was rewritten
            await session.execute(update(Ticket).values(status=TicketStatus.CLOSED))
            await session.commit()
        before = len(fake.sent_to(OWNER))
        pressed = fake.press(OWNER, card, texts.BTN_REPLY)
        assert await answered(fake, pressed) == fill(texts.STAFF_CLOSED_NO_REPLY, id=1)

        def labels() -> list[str]:
            return [button["text"] for row in card.buttons() for button in row]

        for _ in range(100):
            if texts.STAFF_STATUS["closed"] in card.plain:
                break
            await asyncio.sleep(0.05)
        assert texts.STAFF_STATUS["closed"] in card.plain and QUESTION in card.plain
        assert labels() == [texts.BTN_DRAFT, BTN_TO_KB]
        assert len(fake.sent_to(OWNER)) == before, "no «напишите ответ» for a closed ticket"
        drafted = fake.press(OWNER, card, texts.BTN_DRAFT)  # nobody answered: nothing to save
        assert await answered(fake, drafted) == texts.STAFF_DRAFT_NO_ANSWER


async def test_a_close_in_the_web_panel_retires_the_max_cards(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """Closed on the panel's page: the MAX admins' cards show it closed, without buttons."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER, SECOND) as (fake, services):
        first, second = await two_admins_with_a_card(fake)
        (link,) = await say(fake, OWNER, "/web")
        found = LOGIN.search(link.text)
        assert found is not None, link.text
        app = web.Application()
        add_panel(
            app, services.settings, services.sessionmaker, services.switchboard, SystemClock(),
            roster=services.roster,
        )  # fmt: skip
        async with TestClient(TestServer(app)) as client:
            assert (await client.get(found.group(1).replace("&amp;", "&"))).status == 200
            page = await (await client.get("/web/tickets/1")).text()
            csrf = CSRF.search(page)
            assert csrf is not None
            done = await client.post("/web/tickets/1/close", data={"csrf": csrf.group(1)})
            assert done.status == 200
        await until(fake, SECOND, "№1 закрыт")
        for card in (first, second):
            assert not answerable(card) and texts.STAFF_STATUS["closed"] in card.plain, card.plain


async def test_a_typed_cancel_of_the_answer_wait_speaks_to_staff(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """/cancel or «отмена» after «Ответить» told the staffer «Напишите вопрос, когда будете
    готовы» — the parent's words; Telegram says «Действие отменено», and so does MAX now."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        fake.bot_started(OWNER)
        await fake.wait_sent(OWNER, 1)
        await ask(fake, MOTHER)
        (card,) = await cards(fake, OWNER)
        for word in ("/cancel", "отмена"):
            before = len(fake.sent_to(OWNER))
            fake.press(OWNER, card, texts.BTN_REPLY)
            await fake.wait_sent(OWNER, before + 1)
            assert [m.plain for m in await say(fake, OWNER, word)] == [texts.CANCELLED]


async def test_tickets_cards_are_redacted_and_retired_like_the_first(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """/tickets in MAX sends each open ticket as a card, but the bot forgot them: /forget_me
    left the parent's name and question there, and a close left «Ответить» under them."""
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        fake.bot_started(OWNER)
        await fake.wait_sent(OWNER, 1)
        await ask(fake, MOTHER)
        await cards(fake, OWNER)
        _, listed = await say(fake, OWNER, "/tickets", replies=2)
        assert QUESTION in listed.plain and listed.buttons()
        fake.press(OWNER, listed, texts.BTN_CLOSE)
        for _ in range(200):
            if texts.STAFF_STATUS["closed"] in listed.plain:
                break
            await asyncio.sleep(0.05)
        assert not answerable(listed) and texts.STAFF_STATUS["closed"] in listed.plain

        assert "закрыто" in (await fake.wait_sent(MOTHER, 5))[-1].plain
        (confirm,) = await say(fake, MOTHER, "/forget_me")
        fake.press(MOTHER, confirm, texts.BTN_FORGET_YES)
        for _ in range(200):
            if "удалил свои данные" in listed.plain:
                break
            await asyncio.sleep(0.05)
        assert "Ольга" not in listed.plain and QUESTION not in listed.plain, listed.plain


async def test_tickets_counts_every_open_ticket(
    db_path: Path, sessionmaker: SessionMaker, faq_service: FaqService
) -> None:
    """25 parents wait: /tickets said «Открытые обращения (20)» — the size of one page — and
    the staffer thought the queue shorter than it is."""
    async with sessionmaker() as session:
        repo = Repositories(session)
        for n in range(25):
            uid = await repo.channel_ids.internal("max", "user", 50_000_001_000 + n)
            await repo.users.touch(uid, f"Родитель {n}", None, None)
            await repo.tickets.create(uid, uid, f"вопрос номер {n}")
        await repo.commit()
    async with max_only_bot(db_path, sessionmaker, faq_service, OWNER) as (fake, _):
        fake.bot_started(OWNER)
        await fake.wait_sent(OWNER, 1)
        header, *_ = await say(fake, OWNER, "/tickets", replies=12)
        assert header.plain == "Открытые обращения (25):"
