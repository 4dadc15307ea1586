"""/move where people trip: a code pasted with words around it, pasted in the middle of a
dialog, posted in a group by mistake, and МОЦ staff moving (their staff access moves with them,
an owner by the settings stays owner), over
the fake Telegram and MAX servers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot import texts
from bot.services.profile import transfer
from bot.texts import events as e
from bot.texts import transfer as t
from storage.models import Subscription, TeacherProfile, Ticket, TransferMiss, User
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, TEACHER, BotHarness
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import FakeUser
from tests.helpers.events import seed_event, seed_teacher
from tests.helpers.max_both import (
    SOON,
    TEACHER_MAX,
    Both,
    max_form_to_position,
    seed_max_teacher,
)
from tests.test_e2e_move import (
    ANNA_MAX,
    ANNA_TG,
    FULL_NAME,
    code_in_telegram,
    max_uid,
    seed_tg_teacher_with_consent,
    tg_say,
)
from tests.test_e2e_tickets import ask_specialist

CODE = re.compile(r"Код: ([A-Z0-9]{4}-[A-Z0-9]{4})")
GROUP_TG = -100_900
GROUP_MAX = -70_900
SECOND_TG = FakeUser(id=2311, first_name="Анна", last_name="К.")


async def code_in_max(h: Both, user: MaxUser) -> str:
    given = await h.say(user, "/move")
    found = CODE.search(given.plain)
    assert found, given.plain
    return found.group(1)


async def profile_of(h: Both, uid: int) -> TeacherProfile | None:
    async with h.sessionmaker() as session:
        return await session.get(TeacherProfile, uid)


async def test_a_code_with_words_around_it_is_taken(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    code = await code_in_telegram(h)
    await h.start(ANNA_MAX)
    done = await h.say(ANNA_MAX, f"мой код {code}")  # not «Точного ответа я не нашёл»
    assert "Перенесено: профиль" in done.plain
    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "перенесены в MAX" in told.text

    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    code = await code_in_max(h, TEACHER_MAX)
    done_tg = await tg_say(h, ANNA_TG, f"Код: {code}")  # the line of the message copied
    assert done_tg.text and "Перенесено: профиль" in done_tg.text
    assert await profile_of(h, uid) is None


async def test_a_code_pasted_in_the_middle_of_the_profile_form_moves_the_data(
    both: Both,
) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    code = await code_in_telegram(h)
    # a new MAX account: «Записаться», the consent, a name, an organisation, «Ваша должность?»
    _, asked = await max_form_to_position(h)
    assert "должность" in asked.plain
    done = await h.say(TEACHER_MAX, code)
    assert "Перенесено: профиль" in done.plain  # not «Шаг 5 из 5» with the code as position
    uid = await max_uid(h, TEACHER_MAX)
    profile = await profile_of(h, uid)
    assert profile is not None and profile.full_name == FULL_NAME
    assert profile.position == "Учитель"
    after = await h.say(TEACHER_MAX, "как активировать сертификат")  # the form is over
    assert "Шаг" not in after.plain
    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "перенесены в MAX" in told.text

    # Telegram: «Напишите фамилию, имя и отчество» answered with a code from MAX
    await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    await h.start(ANNA_MAX)
    code = await code_in_max(h, ANNA_MAX)
    event_id = await seed_event(h.sessionmaker, starts_at=SOON, title="Семинар Д")
    card = await tg_say(h, ANNA_TG, f"/start event_{event_id}")
    h.tg.press(card, e.BTN_REGISTER, user=ANNA_TG)
    consent = await h.tg.next_message(ANNA_TG.id, timeout=10)
    h.tg.press(consent, e.BTN_CONSENT_YES, user=ANNA_TG)
    asked_tg = await h.tg.next_message(ANNA_TG.id, timeout=10)
    assert asked_tg.text and "фамилию, имя и отчество" in asked_tg.text
    done_tg = await tg_say(h, ANNA_TG, code)
    assert done_tg.text and "Перенесено: профиль" in done_tg.text  # not «напишите ФИО»
    moved = await profile_of(h, ANNA_TG.id)
    assert moved is not None and moved.full_name == "Соколова Марина Ивановна"
    again = await tg_say(h, ANNA_TG, "как активировать сертификат")
    assert again.text and "Шаг" not in again.text


async def test_a_code_posted_in_a_group_stops_working(both: Both) -> None:
    h = both
    await seed_tg_teacher_with_consent(h)
    code = await code_in_telegram(h)
    h.tg.user_sends(code, user=ANNA_TG, chat_id=GROUP_TG, chat_type="supergroup")
    warned = await h.tg.next_message(ANNA_TG.id, timeout=10)  # privately, not in the group
    assert warned.text == t.BURNED
    await h.tg.idle()
    assert not h.tg.drain(GROUP_TG)
    await h.start(TEACHER_MAX)  # someone in that group tries it
    assert (await h.say(TEACHER_MAX, code)).plain == t.UNKNOWN
    assert await profile_of(h, await max_uid(h, TEACHER_MAX)) is None

    uid = await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    await h.start(ANNA_MAX)
    code = await code_in_max(h, ANNA_MAX)
    h.max.add_group(GROUP_MAX, "Учителя")
    before = len(h.max.sent_to(ANNA_MAX))
    h.max.user_writes(ANNA_MAX, f"вот код {code}", chat_id=GROUP_MAX)
    (warned_max,) = (await h.max.wait_sent(ANNA_MAX, before + 1))[before:]
    assert warned_max.plain == t.BURNED
    assert not h.max.sent_to(GROUP_MAX)
    assert (await tg_say(h, ANNA_TG, code)).text == t.UNKNOWN
    assert await profile_of(h, uid) is not None  # still where it was


STAFFER_TG = FakeUser(id=3100, first_name="Ирина", last_name="Методист")
STAFFER_MAX = MaxUser(50_000_000_777, "Ирина", "Методист")


async def make_staff(h: Both, uid: int, first_name: str) -> None:
    """An invited staffer who chose «Сотрудник МОЦ» and reads the staff and teachers' news."""
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(uid, first_name, None, None)
        await repo.staff.add(uid, ADMIN.id, datetime.now(UTC))
        await repo.users.set_role(uid, "staff")
        await repo.chats.subscribe(uid, "staff")
        await repo.chats.subscribe(uid, "teachers")
        await repo.commit()
    h.services.roster.changed()


async def news_and_roles(h: Both, *uids: int) -> tuple[set[tuple[int, str]], list[str | None]]:
    async with h.sessionmaker() as session:
        subs = {(s.user_id, s.audience) for s in await session.scalars(select(Subscription))}
        roles = [(await session.get(User, uid) or User(role="gone")).role for uid in uids]
    return subs, roles


async def test_an_invited_staffer_moving_to_max_works_from_max_and_no_longer_from_telegram(
    both: Both,
) -> None:
    """A staffer leaving Telegram for MAX: staff in MAX at once (no second invitation), and
    the old Telegram account holds no staff powers any more (a phone handed on opens nothing)."""
    h = both
    await make_staff(h, STAFFER_TG.id, STAFFER_TG.first_name)
    assert (await tg_say(h, STAFFER_TG, "/staff")).text != texts.ADMIN_ONLY  # staff before
    given = await tg_say(h, STAFFER_TG, "/move")
    assert given.text and "Доступ сотрудника МОЦ переедет" in given.text
    found = CODE.search(given.text)
    assert found
    await h.start(STAFFER_MAX)
    assert (await h.say(STAFFER_MAX, "/tickets")).plain == texts.ADMIN_ONLY  # not yet
    done = await h.say(STAFFER_MAX, found.group(1))
    assert "доступ сотрудника МОЦ" in done.plain and "подписка на новости" in done.plain
    told = await h.tg.next_message(STAFFER_TG.id, timeout=15)
    assert told.text and "Доступ сотрудника МОЦ в этом аккаунте закончился" in told.text

    assert (await h.say(STAFFER_MAX, "/tickets")).plain != texts.ADMIN_ONLY
    assert (await tg_say(h, STAFFER_TG, "/staff")).text == texts.ADMIN_ONLY
    uid = await max_uid(h, STAFFER_MAX)
    subs, roles = await news_and_roles(h, uid, STAFFER_TG.id)
    assert subs == {(uid, "teachers"), (uid, "staff")}  # staff news follow the access
    assert roles == ["staff", None]


async def test_an_owner_by_the_settings_moving_stays_owner_and_the_new_account_is_staff(
    both: Both,
) -> None:
    """ADMIN_IDS can only be changed in the settings: the Telegram account stays owner; the MAX
    account becomes staff beside it."""
    h = both
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.touch(ADMIN.id, ADMIN.first_name, ADMIN.last_name, None)
        await repo.users.set_role(ADMIN.id, "staff")
        await repo.chats.subscribe(ADMIN.id, "staff")
        await repo.chats.subscribe(ADMIN.id, "teachers")
        await repo.commit()
    given = await tg_say(h, ADMIN, "/move")
    assert given.text and "останется владельцем бота" in given.text
    found = CODE.search(given.text)
    assert found
    await h.start(ANNA_MAX)
    done = await h.say(ANNA_MAX, found.group(1))
    assert "доступ сотрудника МОЦ" in done.plain
    told = await h.tg.next_message(ADMIN.id, timeout=15)
    assert told.text and "остаётся владельцем бота" in told.text
    assert (await h.say(ANNA_MAX, "/tickets")).plain != texts.ADMIN_ONLY
    assert (await tg_say(h, ADMIN, "/staff")).text != texts.ADMIN_ONLY
    uid = await max_uid(h, ANNA_MAX)
    subs, roles = await news_and_roles(h, uid, ADMIN.id)
    assert subs == {(uid, "teachers"), (uid, "staff"), (ADMIN.id, "staff")}
    assert roles == ["staff", "staff"]


async def test_a_max_staffer_moving_to_telegram_works_from_telegram(both: Both) -> None:
    h = both
    await h.start(STAFFER_MAX)
    uid = await max_uid(h, STAFFER_MAX)
    await make_staff(h, uid, STAFFER_MAX.first_name)
    code = await code_in_max(h, STAFFER_MAX)
    assert (await tg_say(h, STAFFER_TG, "/staff")).text == texts.ADMIN_ONLY  # not yet
    done = await tg_say(h, STAFFER_TG, code)
    assert done.text and "доступ сотрудника МОЦ" in done.text
    (told,) = (await h.max.wait_sent(STAFFER_MAX, 3))[2:]
    assert "Доступ сотрудника МОЦ в этом аккаунте закончился" in told.plain
    assert (await tg_say(h, STAFFER_TG, "/staff")).text != texts.ADMIN_ONLY
    assert (await h.say(STAFFER_MAX, "/tickets")).plain == texts.ADMIN_ONLY
    subs, roles = await news_and_roles(h, STAFFER_TG.id, uid)
    assert subs == {(STAFFER_TG.id, "teachers"), (STAFFER_TG.id, "staff")}
    assert roles == ["staff", None]


async def test_codes_swapped_both_ways_move_the_data_once(both: Both) -> None:
    """Unsure which side gives the code, a teacher asks for one on both and sends each to the
    other: the data goes where the first code was sent, and stays there."""
    h = both
    await seed_tg_teacher_with_consent(h)
    from_tg = await code_in_telegram(h)
    await h.start(ANNA_MAX)
    from_max = await code_in_max(h, ANNA_MAX)
    done = await h.say(ANNA_MAX, from_tg)
    assert "Перенесено: профиль" in done.plain
    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "перенесены в MAX" in told.text

    back = await tg_say(h, ANNA_TG, from_max)
    assert back.text == t.UNKNOWN  # not «Перенесено» back to Telegram
    assert await profile_of(h, await max_uid(h, ANNA_MAX)) is not None
    assert await profile_of(h, ANNA_TG.id) is None


async def test_the_code_message_forwarded_to_another_account_of_the_same_messenger(
    both: Both,
) -> None:
    """To another Telegram (or MAX) account the natural way is to forward the bot's message
    with the code: its «Код: K7MP-2QXA» line is the code."""
    h = both
    await seed_tg_teacher_with_consent(h)
    given = await tg_say(h, ANNA_TG, "/move")
    assert given.text
    origin = {
        "type": "user",
        "date": 0,
        "sender_user": {"id": 1, "is_bot": True, "first_name": "МОЦ"},
    }
    h.tg.user_sends(given.text, user=SECOND_TG, extra={"forward_origin": origin})
    done = await h.tg.next_message(SECOND_TG.id, timeout=10)
    assert done.text and "Перенесено: профиль" in done.text
    told = await h.tg.next_message(ANNA_TG.id, timeout=15)
    assert told.text and "другой аккаунт Telegram" in told.text

    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    await h.start(TEACHER_MAX)
    intro = await h.say(TEACHER_MAX, "/move")
    await h.start(ANNA_MAX)
    before = len(h.max.sent_to(ANNA_MAX))
    h.max.user_forwards(ANNA_MAX, intro)
    (done_max,) = (await h.max.wait_sent(ANNA_MAX, before + 1))[before:]
    assert "Перенесено: профиль" in done_max.plain
    assert await profile_of(h, uid) is None


async def test_a_staff_answer_quoting_a_code_still_reaches_the_teacher(
    harness: BotHarness,
) -> None:
    """A teacher asked why their code does not work; the answer in the staff chat quotes it:
    the code stops working (it was shown in a group), the answer is delivered all the same."""
    h = harness
    given = await h.say(PARENT, "/move")
    found = CODE.search(given.text)
    assert found
    ticket_id = await ask_specialist(h)
    post = await h.server.next_message(STAFF_CHAT)
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)
    await h.server.next_message(STAFF_CHAT)
    answer = f"Отправьте код {found.group(1)} боту в MAX"
    h.server.user_sends(answer, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup")
    warned = await h.server.next_message(PARENT.id)
    assert warned.text == t.BURNED
    delivered = await h.server.next_message(PARENT.id)
    assert "Ответ специалиста МОЦ" in delivered.text and found.group(1) in delivered.text
    assert "доставлен" in (await h.server.next_message(STAFF_CHAT)).text
    async with h.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None and ticket.status == "answered"


async def test_a_question_to_a_specialist_quoting_a_code_stays_a_question(
    harness: BotHarness,
) -> None:
    """In a dialog only a message that is the code alone moves data: «мой код … не работает»
    typed after /ask is the question."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER, "Сидоров Пётр Ильич")
    given = await h.say(TEACHER, "/move")
    found = CODE.search(given.text)
    assert found
    await h.say(PARENT, "/ask")
    created = await h.say(PARENT, f"мой код {found.group(1)} не работает")
    assert "Номер обращения" in created.text
    async with h.sessionmaker() as session:
        assert await session.get(TeacherProfile, TEACHER.id) is not None
        assert await session.get(TeacherProfile, PARENT.id) is None


async def test_move_with_words_gives_a_code(both: Both) -> None:
    """«/move в MAX» asks for a code as /move does, not «Код не подошёл»."""
    h = both
    await seed_tg_teacher_with_consent(h)
    given = await tg_say(h, ANNA_TG, "/move в MAX")
    assert given.text and CODE.search(given.text), given.text
    await h.start(ANNA_MAX)
    given_max = await h.say(ANNA_MAX, "/move в телеграм")
    assert CODE.search(given_max.plain), given_max.plain
    assert (await h.say(ANNA_MAX, "/move K7MP-2QX")).plain == t.UNKNOWN  # a code mistyped


async def test_a_double_tap_on_the_move_button_gives_one_code(both: Both) -> None:
    """Two codes on the screen, the upper one void, is a trap: a second press a moment later
    points to the code above."""
    h = both
    await seed_tg_teacher_with_consent(h)
    held = await tg_say(h, ANNA_TG, "/my_data")
    h.tg.press(held, t.BTN_MOVE, user=ANNA_TG)
    h.tg.press(held, t.BTN_MOVE, user=ANNA_TG)
    first = await h.tg.next_message(ANNA_TG.id, timeout=10)
    second = await h.tg.next_message(ANNA_TG.id, timeout=10)
    found = CODE.search(first.text or "")
    assert found and not CODE.search(second.text or ""), second.text  # no second code
    assert second.text == t.JUST_GIVEN
    await h.start(ANNA_MAX)
    assert "Перенесено: профиль" in (await h.say(ANNA_MAX, found.group(1))).plain


async def test_many_wrong_codes_and_the_account_waits(both: Both) -> None:
    """Guessing: ten wrong codes in an hour and even a right one is refused from that account
    (the code's owner keeps their data); /forget_me deletes the record of the misses."""
    h = both
    uid = await seed_max_teacher(h.sessionmaker, ANNA_MAX)
    await h.start(ANNA_MAX)
    right = await code_in_max(h, ANNA_MAX)
    for _ in range(10):
        guess = transfer.shown(transfer.new_code())
        assert (await tg_say(h, ANNA_TG, guess)).text == t.UNKNOWN
    assert (await tg_say(h, ANNA_TG, right)).text == t.TOO_MANY
    assert await profile_of(h, uid) is not None and await profile_of(h, ANNA_TG.id) is None

    forget = await tg_say(h, ANNA_TG, "/forget_me")
    h.tg.press(forget, texts.BTN_FORGET_YES, user=ANNA_TG)
    assert "удалены" in ((await h.tg.next_message(ANNA_TG.id, timeout=10)).text or "")
    async with h.sessionmaker() as session:
        assert not (await session.scalars(select(TransferMiss))).all()
