"""Events, teachers and registrations written straight to the database: the preconditions
of the event tests (the dialogs that make them are tested in tests/test_e2e_events_admin.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import selectinload

from storage.db import SessionMaker
from storage.models import Event, EventStatus, Registration
from storage.repositories import Repositories
from tests.fakes.telegram_api import FakeUser

START = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)  # 15:00 in Moscow


async def seed_event(sm: SessionMaker, capacity: int = 30, **fields: Any) -> int:
    async with sm() as session:
        repo = Repositories(session)
        values: dict[str, Any] = {
            "title": "Семинар «Наставничество»", "kind": "seminar", "starts_at": START,
            "duration_min": 90, "format": "offline", "place": "ул. Ленина, 1, каб. 5",
            "capacity": capacity, "taken": 0, "status": EventStatus.PUBLISHED,
        }  # fmt: skip
        event = Event(**{**values, **fields})
        await repo.events.add(event)
        await repo.commit()
        return event.id


async def seed_teacher(
    sm: SessionMaker, user: FakeUser, full_name: str, organisation: str = "МБОУ СОШ № 1"
) -> None:
    async with sm() as session:
        repo = Repositories(session)
        await repo.users.touch(user.id, user.first_name, user.last_name, None)
        await repo.users.set_role(user.id, "teacher")
        await repo.profiles.save(
            user.id, full_name=full_name, organisation=organisation, position="Учитель",
            contact="+7 900 000-00-00", mailing_consent=False,
        )  # fmt: skip
        await repo.commit()


async def register(sm: SessionMaker, event_id: int, user: FakeUser) -> tuple[int, str]:
    async with sm() as session:
        repo = Repositories(session)
        result = await repo.events.register(event_id, user.id)
        await repo.commit()
        return result.registration.id, result.outcome


async def load_event(sm: SessionMaker, event_id: int) -> Event:
    async with sm() as session:
        event = await session.get(Event, event_id, options=[selectinload(Event.sessions)])
        assert event is not None
        return event


async def registration_status(sm: SessionMaker, reg_id: int) -> str:
    async with sm() as session:
        reg = await session.get(Registration, reg_id)
        assert reg is not None
        return reg.status
