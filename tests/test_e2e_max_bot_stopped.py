"""A MAX person who stopped the bot («Остановить» in the dialog; MAX sends `bot_stopped`) is
treated as Telegram treats one who blocked it: inactive until they start it again. Before,
MAX's notice was dropped, so a freed seat went to a teacher the bot could no longer tell, and
the next in the waiting list — who could be told — waited for a seat left empty."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import events as t
from storage.models import Registration, RegistrationStatus, User
from storage.repositories import Repositories
from tests.fakes.max_model import MaxUser
from tests.helpers.events import seed_event
from tests.helpers.max_both import SOON, Both, seed_max_teacher, wait_edited
from tests.helpers.wait import until

HOLDER = MaxUser(50_000_000_331, "Анна", "Первая")
STOPPED = MaxUser(50_000_000_332, "Борис", "Второй")
NEXT = MaxUser(50_000_000_333, "Вера", "Третья")


async def test_a_seat_freed_passes_by_a_teacher_who_stopped_the_bot_in_max(both: Both) -> None:
    h = both
    event_id = await seed_event(h.sessionmaker, capacity=1, starts_at=SOON, title="Семинар")
    uids = {}
    for teacher in (HOLDER, STOPPED, NEXT):  # a seat, then the first and second in line
        uids[teacher.user_id] = await seed_max_teacher(h.sessionmaker, teacher)
        h.max.dialog(teacher)
        async with h.sessionmaker() as session:
            repo = Repositories(session)
            await repo.events.register(event_id, uids[teacher.user_id])
            await repo.commit()
    h.max.bot_stopped(STOPPED)

    async def stopped_known() -> bool:
        async with h.sessionmaker() as session:
            user = await session.get(User, uids[STOPPED.user_id])
            return user is not None and not user.is_active

    await until(stopped_known, 10, "the teacher who stopped the bot to be marked inactive")

    card = await h.start(HOLDER, f"event_{event_id}")  # the seat holder gives the seat up
    h.max.press(HOLDER, card, t.BTN_CANCEL_REG)
    confirm = await wait_edited(card, 0)  # the card asks in place
    h.max.press(HOLDER, confirm, t.BTN_CANCEL_YES)
    told = await h.max.wait_sent(NEXT, 1, within=15)
    assert "Семинар" in told[0].plain, told[0].plain
    async with h.sessionmaker() as session:
        rows = (await session.scalars(select(Registration))).all()
        statuses = {r.user_id: r.status for r in rows}
    assert statuses[uids[NEXT.user_id]] == RegistrationStatus.REGISTERED
    assert statuses[uids[STOPPED.user_id]] == RegistrationStatus.WAITING
    assert h.max.sent_to(STOPPED) == []
