"""/move's service and repository on both dialects (DELETE … RETURNING, a primary key
re-keyed, subscriptions merged): what the target ends up with when both accounts hold data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.services.profile import transfer
from bot.services.staff.roster import Roster
from bot.texts import transfer as t
from storage.db import create_engine, create_sessionmaker
from storage.models import Event, EventStatus, Registration, Subscription, TeacherProfile
from storage.repositories import Repositories
from tests.conftest import make_settings

SOURCE, TARGET, OTHER = 3101, 2**60 + 7, 3102
NOW = datetime.now(UTC).replace(microsecond=0)


async def _profile(repo: Repositories, uid: int, name: str) -> None:
    await repo.profiles.save(
        uid, full_name=name, organisation="ДДТ", position="Педагог", contact="+7 900 000-00-09",
        mailing_consent=False,
    )  # fmt: skip


async def test_both_accounts_merge_into_the_target(sqlite_or_pg_url: str) -> None:
    engine = create_engine(sqlite_or_pg_url)
    sm = create_sessionmaker(engine)
    roster = Roster(make_settings(Path("unused.db")), sm)
    try:
        async with sm() as session:
            repo = Repositories(session)
            for uid in (SOURCE, TARGET, OTHER):
                await repo.users.touch(uid, "Имя", None, None)
            await repo.users.set_role(SOURCE, "teacher")
            await repo.users.set_role(TARGET, "parent")
            await _profile(repo, SOURCE, "Источникова Анна")
            await _profile(repo, TARGET, "Целевая Анна")
            for uid, audience in (
                (SOURCE, "teachers"),
                (TARGET, "teachers"),
                (SOURCE, "directors"),
            ):
                await repo.chats.subscribe(uid, audience)
            event = Event(
                title="Семинар", kind="seminar", starts_at=NOW + timedelta(days=5),
                duration_min=90, format="offline", place="каб. 1", capacity=1, taken=0,
                status=EventStatus.PUBLISHED,
            )  # fmt: skip
            await repo.events.add(event)
            assert (await repo.events.register(event.id, TARGET)).outcome == "registered"
            assert (await repo.events.register(event.id, SOURCE)).outcome == "waiting"
            await repo.commit()
            said = await transfer.issue(repo, roster, SOURCE, NOW)
        found = re.search(r"Код: <code>(\w{4})-(\w{4})</code>", said)
        assert found, said
        code = found.group(1) + found.group(2)

        async with sm() as session:
            repo = Repositories(session)
            done = await transfer.redeem(repo, roster, TARGET, code, NOW)
        assert done.source == SOURCE and done.moved is not None
        assert done.promoted == []  # the source only waited: no seat was freed
        assert done.moved.role == "teacher" and done.moved.profile
        assert "Перенесено: профиль" in done.text

        async with sm() as session:
            repo = Repositories(session)
            again = await transfer.redeem(repo, roster, OTHER, code, NOW)
            profile = await session.get(TeacherProfile, TARGET)
            regs = (await session.scalars(select(Registration))).all()
            subs = (await session.scalars(select(Subscription))).all()
            role = (await repo.users.get(TARGET)).role  # type: ignore[union-attr]
        assert again.text == t.UNKNOWN and again.source is None
        assert profile is not None and profile.full_name == "Источникова Анна"
        assert [(r.user_id, r.status) for r in regs] == [(TARGET, "registered")]
        assert sorted((s.user_id, s.audience) for s in subs) == [
            (TARGET, "directors"),
            (TARGET, "teachers"),
        ]
        assert role == "teacher"
    finally:
        await engine.dispose()


def test_a_code_is_read_in_any_case_with_or_without_separators() -> None:
    for typed in ("K7MP-2QXA", "k7mp 2qxa", "/move K7MP2QXA", " К7МР–2QХА "):  # Cyrillic too
        assert transfer.code_in(typed) == "K7MP2QXA", typed
    for other in ("WhatsApp", "23456789", "СМЕТАНКА", "как активировать", "K7MP-2QX", ""):
        assert transfer.code_in(other) is None, other
    for _ in range(200):
        code = transfer.new_code()
        assert transfer.code_in(transfer.shown(code)) == code
