"""The broadcast service as the admin dialog uses it: who gets it, what is refused, and why.

A database made by the real migrations; the registry is filled directly, the way the chats
handler would leave it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from broadcasts.content import Content, LinkButton
from broadcasts.service import (
    BroadcastError,
    Target,
    ack_report,
    cancel_broadcast,
    count_recipients,
    create_broadcast,
    recent,
    recipients,
    record_ack,
    reschedule,
    scheduled,
    status,
    target_of,
)
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.models import (
    Broadcast,
    BroadcastState,
    Chat,
    ChatAudience,
    ChatTag,
    Delivery,
    DeliveryStatus,
    Subscription,
    User,
)

NOW = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
TEXT = Content(kind="text", text="<b>Собрание</b> родителей в четверг в 18:00", ack=True)


@pytest.fixture
async def sm(sqlite_or_pg_url: str) -> AsyncIterator[SessionMaker]:
    engine = create_engine(sqlite_or_pg_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


def group(
    chat_id: int, *audiences: str, tags: tuple[str, ...] = (), active: bool = True,
    migrated_to: int | None = None,
) -> Chat:  # fmt: skip
    chat = Chat(id=chat_id, title=f"Группа {chat_id}", is_active=active, migrated_to=migrated_to)
    chat.audiences = [ChatAudience(chat_id=chat_id, audience=a) for a in audiences]
    chat.tags = [ChatTag(chat_id=chat_id, tag=t) for t in tags]
    return chat


def subscriber(user_id: int, *audiences: str, active: bool = True) -> tuple[User, list[object]]:
    user = User(id=user_id, first_name=f"U{user_id}", is_active=active)
    return user, [Subscription(user_id=user_id, audience=a) for a in audiences]


@pytest.fixture
async def registry(sm: SessionMaker) -> None:
    async with sm() as s:
        s.add_all(
            [
                group(-1, "parents", tags=("школа 5",)),
                group(-2, "parents", "directors"),
                group(-3, "parents", active=False),
                group(-4, "parents", migrated_to=-1004),  # supergroup not registered yet
                group(-5, "parents", migrated_to=-6),  # moved into a group the bot left
                group(-6, "teachers", active=False),
                group(-7, "directors", tags=("район север",)),
                group(-8, "teachers", migrated_to=-2),  # moved into a group already bound
            ]
        )
        await s.flush()
        people = [
            subscriber(101, "parents"),
            subscriber(102, "parents", "directors"),
            subscriber(103, "parents", active=False),
            subscriber(104, "teachers"),
        ]
        s.add_all([user for user, _ in people])
        await s.flush()  # subscriptions have no relationship to order them after their users
        s.add_all([sub for _, subs in people for sub in subs])
        await s.commit()


async def whom(sm: SessionMaker, target: Target) -> list[tuple[int, bool]]:
    async with sm() as s:
        return await recipients(s, target)


async def make(sm: SessionMaker, target: Target | None = None, **kwargs: object) -> Broadcast:
    values: dict[str, object] = {"author_id": 1000, "content": TEXT, "at": None, "now": NOW}
    values.update(kwargs)
    async with sm() as s:
        broadcast = await create_broadcast(s, target=target or Target(("parents",)), **values)  # type: ignore[arg-type]
        await s.commit()
        return broadcast


@pytest.mark.usefixtures("registry")
async def test_recipients_follow_audiences_activity_and_migrations(sm: SessionMaker) -> None:
    parents = await whom(sm, Target(("parents",)))
    assert parents == [(-1004, False), (-2, False), (-1, False), (101, True), (102, True)]


@pytest.mark.usefixtures("registry")
async def test_recipients_deduplicate_groups_and_subscribers(sm: SessionMaker) -> None:
    everyone = await whom(sm, Target(("all",)))
    ids = [chat_id for chat_id, _ in everyone]
    assert len(ids) == len(set(ids))
    assert set(ids) == {-1004, -7, -2, -1, 101, 102, 104}  # -8 resolved to -2, counted once
    async with sm() as s:
        assert await count_recipients(s, Target(("all",))) == 7


@pytest.mark.usefixtures("registry")
async def test_recipients_by_tags_and_groups_only(sm: SessionMaker) -> None:
    tagged = Target(("parents", "directors"), tags=("школа 5", "район север"))
    assert await whom(sm, tagged) == [(-7, False), (-1, False), (101, True), (102, True)]
    groups_only = Target(("directors",), include_private=False)
    assert await whom(sm, groups_only) == [(-7, False), (-2, False)]


@pytest.mark.usefixtures("registry")
async def test_create_schedules_without_writing_the_ledger(sm: SessionMaker) -> None:
    broadcast = await make(sm, Target(("directors",), include_private=False), repeat="weekly")
    assert broadcast.state == BroadcastState.SCHEDULED
    assert broadcast.scheduled_at == NOW
    assert target_of(broadcast) == Target(("directors",), include_private=False)
    async with sm() as s:
        assert await s.scalar(select(func.count(Delivery.id))) == 0
        shown = await status(s, broadcast.id)
    assert shown is not None
    assert (shown.total, shown.pending, shown.sent, shown.repeat) == (2, 2, 0, "weekly")
    assert shown.preview == "Собрание родителей в четверг в 18:00"


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"content": Content(kind="text", text="  ")}, "Сообщение пустое."),
        ({"content": Content(kind="photo", text="Фото")}, "Нет файла или фото."),
        (
            {"content": Content(kind="text", text="<b>жирный")},
            "Ошибка разметки: тег <b> не закрыт — добавьте </b>",
        ),
        (
            {"content": Content(kind="text", text="x", button=LinkButton("Сайт", "ftp://x"))},
            "Ссылка кнопки должна начинаться с https://",
        ),
        ({"at": NOW - timedelta(minutes=5)}, "Время отправки уже прошло"),
        ({"repeat": "daily"}, "Повтор бывает только еженедельный."),
        ({"target": Target(("pupils",))}, "Неизвестная аудитория: pupils."),
        ({"target": Target(())}, "Не выбрана аудитория."),
        (
            {"target": Target(("parents",), tags=("нет такой",), include_private=False)},
            "В выбранной аудитории нет ни одного чата",
        ),
    ],
)
async def test_create_refuses_in_russian(
    sm: SessionMaker, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(BroadcastError, match=message):
        await make(sm, **kwargs)  # type: ignore[arg-type]


@pytest.mark.usefixtures("registry")
async def test_a_few_seconds_in_the_past_is_still_now(sm: SessionMaker) -> None:
    broadcast = await make(sm, at=NOW - timedelta(seconds=30))
    assert broadcast.scheduled_at == NOW - timedelta(seconds=30)


@pytest.mark.usefixtures("registry")
async def test_two_admins_cancel_at_once_one_wins(sm: SessionMaker) -> None:
    broadcast = await make(sm, at=NOW + timedelta(hours=1))

    async def cancel() -> bool:
        async with sm() as s:
            done = await cancel_broadcast(s, broadcast.id)
            await s.commit()
            return done

    assert sorted(await asyncio.gather(cancel(), cancel())) == [False, True]
    assert await cancel() is False
    async with sm() as s:
        assert not await reschedule(s, broadcast.id, NOW + timedelta(hours=2), NOW)
        assert await scheduled(s) == []
        assert [b.state for b in await recent(s)] == [BroadcastState.CANCELLED]


@pytest.mark.usefixtures("registry")
async def test_reschedule_only_while_waiting(sm: SessionMaker) -> None:
    first = await make(sm, at=NOW + timedelta(hours=3))
    second = await make(sm, at=NOW + timedelta(hours=1))
    async with sm() as s:
        assert await reschedule(s, first.id, NOW + timedelta(minutes=30), NOW)
        with pytest.raises(BroadcastError, match="уже прошло"):
            await reschedule(s, second.id, NOW - timedelta(hours=1), NOW)
        await s.commit()
        assert [b.id for b in await scheduled(s)] == [first.id, second.id]


@pytest.mark.usefixtures("registry")
async def test_ack_once_per_person_and_the_report(sm: SessionMaker) -> None:
    broadcast = await make(sm)
    async with sm() as s:
        for chat_id, private in ((-1, False), (101, True), (102, True)):
            s.add(Delivery(broadcast_id=broadcast.id, chat_id=chat_id, is_private=private,
                           status=DeliveryStatus.SENT, attempts=1))  # fmt: skip
        first = await record_ack(s, broadcast.id, -1, 555, "Ольга Петрова")
        again = await record_ack(s, broadcast.id, -1, 555, "Ольга Петрова")
        elsewhere = await record_ack(s, broadcast.id, 101, 555, "Ольга Петрова")
        private = await record_ack(s, broadcast.id, 101, 101, "U101")
        unknown = await record_ack(s, broadcast.id + 100, -1, 556, "Кто-то")
        await s.commit()
        report = await ack_report(s, broadcast.id)
    assert (first, again, elsewhere, private, unknown) == (True, False, False, True, False)
    assert report.by_chat == {-1: ["Ольга Петрова"], 101: ["U101"]}
    assert report.pending_private == [102]
