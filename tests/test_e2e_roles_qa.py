"""Roles in Telegram, as a hurried or removed staffer meets them: a double tap on «✍️ Ответить»
asks once; a staffer removed while their «Ответить» is open cannot answer a parent any more
(the parent gets nothing, the ex-staffer hears why)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot import texts
from bot.services.faq import FaqService
from bot.texts import staff as t
from storage.models import Ticket, TicketMessage
from storage.repositories import Repositories
from tests.conftest import (
    ADMIN,
    PARENT,
    STAFF_CHAT,
    TEACHER,
    BotHarness,
    make_settings,
    start_bot,
    stop_bot,
)
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_staff_invites import invite, join
from tests.test_e2e_staff_reply import COLLEAGUE
from tests.test_e2e_tickets import ask_specialist


def prompts(h: BotHarness, chat_id: int, ticket_id: int) -> list[str]:
    """The «напишите ответ на обращение №N» prompts the bot sent to the chat."""
    wanted = f"напишите ответ на обращение №{ticket_id}"
    return [m.text for m in h.server.sent_to(chat_id) if wanted in (m.text or "")]


async def test_a_double_tap_on_reply_prompts_once(harness: BotHarness) -> None:
    h = harness
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    await h.server.idle()
    assert len(prompts(h, STAFF_CHAT, ticket_id)) == 1
    waiting = texts.STAFF_REPLY_WAITING.format(id=ticket_id)  # the second tap: why no prompt
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == waiting)

    h.server.user_sends(
        "Да, можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup"
    )  # the wait is still there: the next message is the answer
    answer = await h.server.next_message(PARENT.id)
    assert "Да, можно." in answer.text


async def test_a_removed_staffer_cannot_answer_through_an_open_reply(
    harness: BotHarness,
) -> None:
    h = harness
    await join(h, await invite(h))
    ticket_id = await ask_specialist(h)
    listing = await h.say(TEACHER, "/tickets")
    prompt = await h.press(TEACHER, listing, f"✍️ №{ticket_id}")
    assert f"обращение №{ticket_id}" in prompt.text

    staff = await h.say(ADMIN, "/staff")  # the owner removes him meanwhile
    h.server.press(staff, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    removed = t.REMOVE_OUTCOMES["removed"]
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == removed)

    told = await h.say(TEACHER, "Нет, с собакой нельзя.")
    assert told.text == texts.STAFF_ANSWER_NOT_STAFF
    await h.server.idle()
    assert not [m for m in h.server.sent_to(PARENT.id) if "Ответ специалиста" in m.text]
    async with h.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        answers = (
            await session.scalars(select(TicketMessage.text).where(TicketMessage.from_staff))
        ).all()
    assert ticket is not None and ticket.status == "open" and not answers


SURNAME = "Константинопольская-Преображенская"  # a double surname, as names go in Russia


async def seed_staff(h: BotHarness, count: int) -> None:
    """`count` staff who wrote to the bot once (their names known), one of them with a name
    that looks like HTML."""
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        for n in range(count):
            person = 5000 + n
            first = "<b>Ира</b> & Ко" if n == 7 else f"Анастасия-Александра {n:02d}"
            await repo.users.touch(person, first, SURNAME, None, keep_name=True)  # staff
            await repo.staff.add(person, ADMIN.id, datetime.now(UTC))
        await repo.commit()
    h.dp.workflow_data["roster"].changed()  # as members.accept does after its commit


async def test_a_staff_list_longer_than_one_message_comes_whole(harness: BotHarness) -> None:
    h = harness
    await seed_staff(h, 70)
    h.server.user_sends("/staff", user=ADMIN)
    await h.server.idle()
    parts = h.server.sent_to(ADMIN.id)
    shown = "\n".join(m.text or "" for m in parts)
    assert texts.ERROR not in shown
    assert len(parts) > 1 and all(len(m.text or "") <= 4096 for m in parts)
    assert all(f"Анастасия-Александра {n:02d} {SURNAME}" in shown for n in range(70) if n != 7)
    assert f"<b>Ира</b> & Ко {SURNAME} — сотрудник" in shown  # literally, not bold
    assert "Новый сотрудник — /invite." in parts[-1].text
    assert len(parts[-1].inline_texts) == 70  # every «Удалить», under the last part

    gone = f"Анастасия-Александра 03 {SURNAME}"
    h.server.press(parts[-1], t.BTN_REMOVE.format(name=gone)[:64], user=ADMIN)
    removed = t.REMOVE_OUTCOMES["removed"]
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == removed)
    await h.server.idle()
    after = h.server.sent_to(ADMIN.id)[len(parts) :]  # the list as it is now
    assert not h.server.sent_to(ADMIN.id)[len(parts) - 1].inline_texts  # the old buttons: off
    now = "\n".join(m.text or "" for m in after)
    assert gone not in now and f"Анастасия-Александра 04 {SURNAME}" in now
    assert len(after[-1].inline_texts) == 69


async def test_an_invite_of_an_owner_taken_off_admin_ids_no_longer_works(
    harness: BotHarness, db_path: Path, faq_service: FaqService
) -> None:
    """An owner leaves the МОЦ: ADMIN_IDS no longer names them, the bot is restarted. The link
    they made that morning and sent around must not make anyone staff any more."""
    h = harness
    token = await invite(h)
    await stop_bot(h.dp, h.task)
    h.settings = make_settings(db_path, admin_ids=str(COLLEAGUE.id))
    h.bot, h.dp, h.task = await start_bot(h.server, h.settings, h.sessionmaker, faq_service)

    refused = await h.say(TEACHER, f"/start staff_{token}")
    assert refused.text == t.INVITE_OUTCOMES["revoked"]
    assert (await h.say(TEACHER, "/tickets")).text == texts.ADMIN_ONLY


PARENTS_GROUP = -100777


async def in_group(h: BotHarness, who: FakeUser, text: str, chat_id: int) -> list[str]:
    """What the bot said in the group after `who` wrote `text` there."""
    before = len(h.server.sent_to(chat_id))
    h.server.user_sends(text, user=who, chat_id=chat_id, chat_type="supergroup")
    await h.server.idle()
    return [m.text or "" for m in h.server.sent_to(chat_id)[before:]]


async def test_private_only_staff_commands_in_a_group_point_to_the_private_chat(
    harness: BotHarness,
) -> None:
    """/staff, /broadcast, /broadcasts, /chats answer only in a private chat: typed in the
    staff group or a parents' group they were met with silence, as if the bot were down."""
    h = harness
    for chat in (STAFF_CHAT, PARENTS_GROUP):
        for command in ("staff", "broadcast", "broadcasts", "chats"):
            said = await in_group(h, ADMIN, f"/{command}", chat)
            assert said == [t.PRIVATE_COMMAND.format(command=command)], (chat, command, said)
    # a parent there gets no invitation to ask privately for what only owners may do
    assert await in_group(h, PARENT, "/invite", PARENTS_GROUP) == [t.INVITE_OWNERS_ONLY]
    assert await in_group(h, ADMIN, "/invite", PARENTS_GROUP) == [t.INVITE_PRIVATE_ONLY]
    assert await in_group(h, PARENT, "/broadcast", PARENTS_GROUP) == []  # not staff: not ours


async def test_a_removed_staffers_old_staff_buttons_refuse_and_go(harness: BotHarness) -> None:
    """Telegram keeps the keyboard a chat was last given: a removed staffer still had
    «📨 Обращения» and «📣 Рассылка» under the input field. A tap now says why not and
    leaves them the keyboard of an ordinary user."""
    h = harness
    await join(h, await invite(h))
    menu = await h.say(TEACHER, "/start")
    while not menu.reply_keyboard:  # a newcomer: «Кто вы?» first
        menu = await h.press(TEACHER, menu, texts.ROLE_TITLES["teacher"])
    assert texts.BTN_TICKETS in str(menu.reply_keyboard)
    staff = await h.say(ADMIN, "/staff")
    h.server.press(staff, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    removed = t.REMOVE_OUTCOMES["removed"]
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == removed)

    for button in (texts.BTN_TICKETS, texts.BTN_BROADCAST):
        refused = await h.say(TEACHER, button)
        assert refused.text == texts.ADMIN_ONLY, (button, refused.text)
        keys = str(refused.reply_keyboard)
        assert texts.BTN_EVENTS in keys and texts.BTN_TICKETS not in keys, keys
        assert texts.BTN_BROADCAST not in keys


async def test_a_newcomer_gets_the_staff_buttons_with_the_welcome(harness: BotHarness) -> None:
    """«Вы теперь сотрудник МОЦ» came with no keyboard: «📨 Обращения» appeared only after
    /start, which nobody told the newcomer to type."""
    h = harness
    joined = await h.say(TEACHER, f"/start staff_{await invite(h)}")
    assert joined.text == t.INVITE_OUTCOMES["joined"]
    keys = str(joined.reply_keyboard)
    assert texts.BTN_TICKETS in keys and texts.BTN_BROADCAST in keys, keys


async def remove_teacher(h: BotHarness) -> None:
    staff = await h.say(ADMIN, "/staff")
    h.server.press(staff, t.BTN_REMOVE.format(name="Пётр Сидоров"), user=ADMIN)
    removed = t.REMOVE_OUTCOMES["removed"]
    await h.server.wait_for("answerCallbackQuery", lambda c: c.params.get("text") == removed)


async def test_a_staffer_removed_mid_dialog_hears_why_it_ended(harness: BotHarness) -> None:
    """Removed while creating an event or a broadcast: the next step answered «Начнём
    сначала 🙂 Повторите, пожалуйста, вопрос» (as if the bot had glitched); MAX said «только
    для сотрудников». Now Telegram says so too, and the draft is gone."""
    h = harness
    for command in ("/new_event", "/broadcast"):
        await join(h, await invite(h))
        opened = await h.say(TEACHER, command)
        assert texts.ADMIN_ONLY not in opened.text
        await remove_teacher(h)
        told = await h.say(TEACHER, "Семинар о проектной деятельности")
        assert told.text == texts.ADMIN_ONLY, (command, told.text)
        assert texts.BTN_TICKETS not in str(told.reply_keyboard)
        assert (await h.say(TEACHER, "/cancel")).text != texts.CANCELLED  # nothing left open
