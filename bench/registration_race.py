"""Registration race: hundreds of teachers press «Записаться» in the same second.

Why: the seat count must hold under a stampede. Every attempt below runs in its own session
through the bot's real `EventRepo.register` (the conditional UPDATE), all started at once, with
duplicate presses by the same user; the result is read back from the database. A naive
check-then-act baseline (read `taken`, compare in Python, write) runs the same load on a second
event, to show what the conditional UPDATE buys. SQLite always; PostgreSQL when `PG_URL` or a
`--database-url postgresql+asyncpg://...` is given (skipped with a message if unreachable).

    python bench/registration_race.py [--n 500] [--seats 30] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import IntegrityError, OperationalError  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from storage.db import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Event, Registration, RegistrationStatus, User  # noqa: E402
from storage.repositories.events import EventRepo  # noqa: E402

DUPLICATES = 50
MAX_TRIES = 20  # per attempt, on SQLite's "database is locked"
Op = Callable[[AsyncSession, int, int], Awaitable[str]]


@dataclass
class Side:
    """What one strategy achieved on its event, read back from the database."""

    event_id: int = 0
    confirmed: int = 0
    waiting: int = 0
    duplicates: int = 0  # users with more than one registration row
    taken: int = 0
    wall_s: float = 0.0
    per_s: float = 0.0
    retries: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    backend: str
    n: int
    seats: int
    ours: Side
    naive: Side

    @property
    def passed(self) -> bool:
        o = self.ours
        return (
            o.confirmed == min(self.n, self.seats) and o.duplicates == 0 and o.taken == o.confirmed
        )

    @property
    def oversold(self) -> int:
        return max(self.naive.confirmed - self.seats, 0)


async def register_op(session: AsyncSession, event_id: int, user_id: int) -> str:
    return (await EventRepo(session).register(event_id, user_id)).outcome


async def naive_op(session: AsyncSession, event_id: int, user_id: int) -> str:
    """The classic check-then-act: read, compare in Python, write the computed value."""
    event = await session.get(Event, event_id)
    assert event is not None
    free = event.taken < event.capacity
    if free:
        event.taken = event.taken + 1  # UPDATE ... SET taken=<value read earlier>
    status = RegistrationStatus.REGISTERED if free else RegistrationStatus.WAITING
    session.add(Registration(event_id=event_id, user_id=user_id, status=status))
    return status.value


async def attempt(sm: SessionMaker, op: Op, event_id: int, user_id: int, side: Side) -> str:
    """One press in its own session; retried a bounded number of times if SQLite is locked."""
    for tries in range(1, MAX_TRIES + 1):
        try:
            async with sm() as session:
                outcome = await op(session, event_id, user_id)
                await session.commit()
                return outcome
        except IntegrityError:
            return "unique_violation"  # the (event, user) key refused a second row
        except OperationalError as exc:
            if "locked" not in str(exc) or tries == MAX_TRIES:
                raise
            side.retries += 1
            await asyncio.sleep(random.uniform(0.001, 0.005 * tries))
    raise AssertionError("unreachable")


async def stampede(sm: SessionMaker, op: Op, side: Side, users: list[int], dupes: int) -> None:
    """All presses at once; the first `dupes` users press twice at the same moment."""
    presses = [u for i, u in enumerate(users) for _ in range(2 if i < dupes else 1)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(attempt(sm, op, side.event_id, u, side) for u in presses), return_exceptions=True
    )
    side.wall_s = time.perf_counter() - started
    side.per_s = len(presses) / side.wall_s
    side.outcomes = dict(
        Counter(r if isinstance(r, str) else f"error:{type(r).__name__}" for r in results)
    )


async def read_back(sm: SessionMaker, side: Side) -> None:
    async with sm() as session:
        rows = await session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == side.event_id)
            .group_by(Registration.status)
        )
        counts = {status: count for status, count in rows}
        twice = (
            select(Registration.user_id)
            .where(Registration.event_id == side.event_id)
            .group_by(Registration.user_id)
            .having(func.count() > 1)
        )
        side.duplicates = int(
            await session.scalar(select(func.count()).select_from(twice.subquery())) or 0
        )
        side.taken = int(
            await session.scalar(select(Event.taken).where(Event.id == side.event_id)) or 0
        )
    side.confirmed = counts.get(RegistrationStatus.REGISTERED, 0)
    side.waiting = counts.get(RegistrationStatus.WAITING, 0)


async def setup(sm: SessionMaker, n: int, seats: int) -> tuple[list[int], Side, Side]:
    """n fresh users (ids far from real ones) and two identical events."""
    base = random.randrange(10**12, 2 * 10**12, 10**6)
    users = [base + i for i in range(n)]
    starts = datetime.now(UTC) + timedelta(days=7)
    async with sm() as session:
        session.add_all(User(id=u, first_name=f"bench{i}") for i, u in enumerate(users))
        sides = []
        for title in ("bench: conditional UPDATE", "bench: naive check-then-act"):
            event = Event(title=title, kind="seminar", starts_at=starts, capacity=seats)
            sides.append(Side(event_id=(await EventRepo(session).add(event)).id))
        await session.commit()
    return users, sides[0], sides[1]


async def race(
    sm: SessionMaker, n: int, seats: int, dupes: int = DUPLICATES, backend: str = "sqlite"
) -> Report:
    users, ours, naive = await setup(sm, n, seats)
    await stampede(sm, register_op, ours, users, min(dupes, n))
    await stampede(sm, naive_op, naive, users, 0)
    for side in (ours, naive):
        await read_back(sm, side)
    return Report(backend, n, seats, ours, naive)


async def cleanup(sm: SessionMaker, report: Report) -> None:
    async with sm() as session:
        ids = [report.ours.event_id, report.naive.event_id]
        users = select(Registration.user_id).where(Registration.event_id.in_(ids))
        await session.execute(delete(User).where(User.id.in_(users)))
        await session.execute(delete(Event).where(Event.id.in_(ids)))
        await session.commit()


async def _race_on(url: str, n: int, seats: int, dupes: int) -> Report:
    engine = create_engine(url)
    try:
        sm = create_sessionmaker(engine)
        report = await race(sm, n, seats, dupes, make_url(url).get_backend_name())
        await cleanup(sm, report)
        return report
    finally:
        await engine.dispose()


async def unreachable(url: str) -> str | None:
    """Why the server cannot be used, or None when a connection works."""
    engine = create_engine(url)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any refusal means: skip this backend
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        await engine.dispose()


def run(url: str, n: int, seats: int, dupes: int = DUPLICATES) -> Report:
    upgrade(url)  # the real migrations create the schema (sync; runs its own loop)
    return asyncio.run(_race_on(url, n, seats, dupes))


def _targets(args: argparse.Namespace, tmp: str) -> list[str]:
    given = args.database_url
    sqlite = (
        given if given and given.startswith("sqlite") else f"sqlite+aiosqlite:///{tmp}/race.db"
    )
    pg = [u for u in (given, os.environ.get("PG_URL")) if u and u.startswith("postgres")]
    return [sqlite, *dict.fromkeys(pg)]


def _print(r: Report) -> None:
    print(
        f"\n{r.backend}: {r.n} teachers (+{min(DUPLICATES, r.n)} double presses), {r.seats} seats"
    )
    print(f"  {'':<22}{'conditional UPDATE':>20}{'naive check-then-act':>22}")
    for name in ("confirmed", "waiting", "duplicates", "taken", "retries"):
        print(f"  {name:<22}{getattr(r.ours, name):>20}{getattr(r.naive, name):>22}")
    print(f"  {'wall s':<22}{r.ours.wall_s:>20.3f}{r.naive.wall_s:>22.3f}")
    print(f"  {'registrations/s':<22}{r.ours.per_s:>20.0f}{r.naive.per_s:>22.0f}")
    print(f"  {'oversold seats':<22}{0:>20}{r.oversold:>22}")
    print(f"  outcomes: {r.ours.outcomes}  naive: {r.naive.outcomes}")
    if refused := r.ours.outcomes.get("unique_violation", 0):
        print(
            f"  note: {refused} double presses got IntegrityError out of register(), not 'already'"
        )
    verdict = "PASS" if r.passed else "FAIL"
    print(f"  {verdict}: confirmed == seats, duplicates == 0, taken == confirmed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    reports, skipped = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for url in _targets(args, tmp):
            shown = make_url(url).render_as_string(hide_password=True)
            if url.startswith("postgres") and (why := asyncio.run(unreachable(url))):
                skipped[shown] = why
                continue
            reports.append(run(url, args.n, args.seats))
    ok = all(r.passed for r in reports)
    if args.json:
        runs = [asdict(r) | {"passed": r.passed, "oversold": r.oversold} for r in reports]
        print(json.dumps({"runs": runs, "skipped": skipped, "passed": ok}, ensure_ascii=False))
    else:
        for where, why in skipped.items():
            print(f"skipped PostgreSQL {where}: {why}")
        for report in reports:
            _print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
