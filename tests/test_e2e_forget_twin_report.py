"""A teacher with a profile in Telegram and in MAX (the same ФИО and phone) is one participant
of the yearly report — and stays one after deleting their data in one messenger.

A teacher came to a seminar from Telegram and to a master-class from MAX; /report counted one
participant. They pressed «Удалить мои данные» in Telegram: their Telegram rows stayed for the
numbers naming nobody, and /report counted two participants — the forgotten account and the
MAX one. Now the rows left by the deletion count as the teacher they still are in MAX, and as
one person again if they delete the MAX data too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot import texts
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeUser
from tests.fakes.telegram_model import SentMessage
from tests.helpers.events import seed_event
from tests.helpers.max_both import TEACHER_MAX, Both, seed_max_teacher

TEACHER_TG = FakeUser(id=2401, first_name="Марина", last_name="Соколова")
STAFF_TG = FakeUser(id=1000, first_name="Анна", last_name="Методист")  # ADMIN_IDS
PEOPLE = re.compile(r"участников (\d+)")


async def tg_say(h: Both, user: FakeUser, text: str) -> SentMessage:
    h.tg.user_sends(text, user=user)
    return await h.tg.next_message(user.id, timeout=10)


async def participants(h: Both, first: datetime, last: datetime) -> int:
    period = f"{first:%d.%m.%Y} {last:%d.%m.%Y}"
    sent = await tg_say(h, STAFF_TG, f"/report {period}")
    while sent.document is None:
        sent = await h.tg.next_message(STAFF_TG.id, timeout=10)
    found = PEOPLE.search(sent.text or "")
    assert found, sent.text
    return int(found.group(1))


async def attend(h: Both, event_id: int, user_id: int, at: datetime) -> None:
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        seat = await repo.events.register(event_id, user_id)
        assert seat.outcome == "registered"
        assert await repo.events.mark_attended(seat.registration.id, True, now=at)
        await repo.commit()


async def test_a_teacher_of_both_messengers_stays_one_participant_after_forget_me(
    both: Both,
) -> None:
    h = both
    now = datetime.now(UTC).replace(microsecond=0)
    seminar = await seed_event(h.sessionmaker, starts_at=now - timedelta(days=3))
    workshop = await seed_event(
        h.sessionmaker, starts_at=now - timedelta(days=2), title="Мастер-класс «Лего»"
    )
    max_uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:  # the same teacher, typed a little differently
        repo = Repositories(session)
        await repo.users.touch(TEACHER_TG.id, TEACHER_TG.first_name, None, None)
        await repo.users.set_role(TEACHER_TG.id, "teacher")
        await repo.profiles.save(
            TEACHER_TG.id, full_name="соколова  Марина Ивановна", organisation="МБОУ СОШ № 2",
            position="Учитель", contact="8 (900) 000-00-01", mailing_consent=False,
        )  # fmt: skip
        await repo.commit()
    await attend(h, workshop, max_uid, now - timedelta(days=2))
    await attend(h, seminar, TEACHER_TG.id, now - timedelta(days=3))
    first, last = now - timedelta(days=10), now + timedelta(days=1)
    assert await participants(h, first, last) == 1

    confirm = await tg_say(h, TEACHER_TG, "/forget_me")
    h.tg.press(confirm, texts.BTN_FORGET_YES, user=TEACHER_TG)
    done = (await h.tg.next_message(TEACHER_TG.id, timeout=10)).text
    assert done.startswith(texts.FORGOTTEN) and "в MAX" in done  # that account keeps its own
    assert await participants(h, first, last) == 1

    sent = len(h.max.sent_to(TEACHER_MAX))  # and then the MAX data too
    h.max.user_writes(TEACHER_MAX, "/forget_me")
    (confirm_max,) = (await h.max.wait_sent(TEACHER_MAX, sent + 1))[sent:]
    h.max.press(TEACHER_MAX, confirm_max, texts.BTN_FORGET_YES)
    assert "удалены" in (await h.max.wait_sent(TEACHER_MAX, sent + 2))[-1].plain
    assert await participants(h, first, last) == 1
