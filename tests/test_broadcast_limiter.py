"""The limiter's shapes on a virtual clock: spacing, per-chat and per-group caps, 429 pauses.

`VirtualTime` is a tiny discrete-event loop: sleepers wake in time order and the clock jumps
to the next wake-up, so a minute of Telegram limits is checked in milliseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable

import pytest

from broadcasts.limiter import Priority, RateLimiter


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._seq), future))
        await future

    async def run(self, *jobs: Awaitable[object]) -> None:
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            for _ in range(10):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                future.set_result(None)
        for task in tasks:
            task.result()


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def limiter(vt: VirtualTime, rate: float = 25.0, **kwargs: float) -> RateLimiter:
    return RateLimiter(rate, clock=vt, sleep=vt.sleep, **kwargs)  # type: ignore[arg-type]


async def stamps(vt: VirtualTime, lim: RateLimiter, chats: list[int]) -> list[float]:
    out: list[float] = []
    for chat_id in chats:
        await lim.acquire(chat_id)
        out.append(vt.now)
    return out


async def test_global_rate_is_evenly_spaced(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0)
    got: list[float] = []
    await vt.run(*(collect(vt, lim, 1000 + i, got) for i in range(100)))
    gaps = [b - a for a, b in itertools.pairwise(sorted(got))]
    assert min(gaps) == pytest.approx(0.04)
    assert max(got) == pytest.approx(99 * 0.04)


async def collect(vt: VirtualTime, lim: RateLimiter, chat_id: int, out: list[float]) -> None:
    await lim.acquire(chat_id)
    out.append(vt.now)


async def test_one_message_a_second_into_one_chat(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0)
    got: list[float] = []
    await vt.run(collect_many(vt, lim, [7, 7, 8, 7], got))
    assert got == pytest.approx([0.0, 1.0, 1.04, 2.0])


async def collect_many(
    vt: VirtualTime, lim: RateLimiter, chats: list[int], out: list[float]
) -> None:
    out.extend(await stamps(vt, lim, chats))


async def test_twenty_a_minute_into_one_group(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0)
    got: list[float] = []
    await vt.run(collect_many(vt, lim, [-100] * 22, got))
    assert got[:20] == pytest.approx([float(i) for i in range(20)])
    assert got[20] == pytest.approx(60.0)  # the 21st waits for the first to leave the window
    assert got[21] == pytest.approx(61.0)


async def test_private_chats_have_no_minute_cap(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0)
    got: list[float] = []
    await vt.run(collect_many(vt, lim, [100] * 22, got))
    assert got[-1] == pytest.approx(21.0)


async def test_retry_after_pauses_everyone_and_halves_the_rate(vt: VirtualTime) -> None:
    lim = limiter(vt, 20.0, recovery_per_second=0.5)
    got: list[float] = []

    async def flood_at_half_a_second() -> None:
        await vt.sleep(0.52)
        lim.on_retry_after(3)
        lim.on_retry_after(3)  # the echo from another send of the same flood: no second cut

    await vt.run(flood_at_half_a_second(), *(collect(vt, lim, 1 + i, got) for i in range(40)))
    before = [t for t in got if t < 0.52]
    after = sorted(t for t in got if t >= 0.52)
    assert len(before) == 11  # 0.0 … 0.5 at 20/s
    assert after[0] == pytest.approx(3.52)  # nobody sends during the pause
    assert after[1] - after[0] == pytest.approx(0.1, abs=0.002)  # 10/s right after it
    assert lim.rate(3.52) == pytest.approx(10.0)
    assert lim.rate(3.52 + 10) == pytest.approx(15.0)  # climbing back linearly
    assert lim.rate(3.52 + 100) == pytest.approx(20.0)  # never above the configured rate


async def test_rate_never_drops_below_the_floor(vt: VirtualTime) -> None:
    lim = limiter(vt, 4.0, min_rate=1.5)
    for _ in range(5):
        lim.on_retry_after(1)
        vt.now += 1.0  # each flood after the previous pause ended
    assert lim.rate() == pytest.approx(1.5, abs=0.5)
    assert lim.rate() >= 1.5


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


async def test_people_are_served_before_a_broadcast_that_waits(vt: VirtualTime) -> None:
    lim = limiter(vt, 10.0)
    order: list[str] = []

    async def send(name: str, chat_id: int, priority: Priority, after: float = 0.0) -> None:
        await vt.sleep(after)
        await lim.acquire(chat_id, priority)
        order.append(name)

    broadcast = [send(f"b{i}", -1000 - i, Priority.BROADCAST) for i in range(20)]
    people = [send(f"p{i}", 100 + i, Priority.PERSON, after=0.25) for i in range(3)]
    staff = send("staff", -5, Priority.STAFF, after=0.25)
    await vt.run(*broadcast, *people, staff)
    assert order[3:7] == ["p0", "p1", "p2", "staff"]  # the next slots after they arrive


async def test_the_floor_keeps_a_broadcast_moving_under_a_crowd(vt: VirtualTime) -> None:
    lim = limiter(vt, 10.0, floor_rate=2.0)
    got: list[float] = []

    async def broadcast() -> None:
        await lim.acquire(-1)
        got.append(vt.now)

    crowd = [lim.acquire(100 + i, Priority.PERSON) for i in range(30)]  # 3 s of slots
    await vt.run(*crowd, broadcast())
    assert got and got[0] <= 0.5  # not after the whole crowd


async def test_a_chat_429_pauses_that_chat_only(vt: VirtualTime) -> None:
    lim = limiter(vt, 10.0, private_burst=2)
    got: dict[int, float] = {}

    async def send(chat_id: int) -> None:
        await lim.acquire(chat_id, Priority.PERSON)
        got[chat_id] = vt.now

    await vt.run(send(7))
    assert lim.on_retry_after(5, 7) == "private"  # it had a send a moment ago
    await vt.run(send(7), send(8))
    assert got[8] < 1.0 and got[7] >= 5.0 - 1e-6


async def test_the_private_burst_lets_two_go_at_once(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0, private_burst=2)
    got: list[float] = []
    await vt.run(collect_many(vt, lim, [7, 7, 7], got))
    assert got == pytest.approx([0.0, 0.04, 1.0])


async def test_within_gives_up_without_spending_a_slot() -> None:
    lim = RateLimiter(25.0, group_per_minute=1)
    await lim.acquire(-9)
    with pytest.raises(TimeoutError):
        await lim.acquire(-9, Priority.STAFF, within=0.05)
    assert lim.depth()[Priority.STAFF] == 0


@pytest.mark.redis
async def test_two_instances_share_one_budget_through_redis(redis_url: str) -> None:
    """Two limiters of 20/s with the Redis gate: together they keep 20/s, not 40."""
    from handlers.tg.outbound import redis_gate

    limiters = [RateLimiter(20.0, gate=redis_gate(redis_url, 20.0, bot_id=42)) for _ in (1, 2)]
    began = time.monotonic()
    await asyncio.gather(*(lim.acquire(100 + i) for i in range(20) for lim in limiters))
    assert time.monotonic() - began >= 39 / 20 * 0.9


async def test_an_edit_needs_no_chat_token_but_waits_out_a_429(vt: VirtualTime) -> None:
    lim = limiter(vt, 25.0)
    got: list[float] = []

    async def edit() -> None:
        await lim.acquire(7, Priority.PERSON, counted=False)
        got.append(vt.now)

    async def message_then_edit() -> None:
        await lim.acquire(7, Priority.PERSON)
        await edit()

    await vt.run(message_then_edit())
    assert got == pytest.approx([0.04])  # the next global slot, not a second later
    lim.on_retry_after(3, 7)
    await vt.run(edit())
    assert got[1] == pytest.approx(3.04)


async def test_an_album_of_ten_holds_the_next_slot_back_ten_slots(vt: VirtualTime) -> None:
    """Telegram counts a media group per file: the send after an album of 10 at 25/s comes
    0.4 s later, not 0.04 s; the album's own chat is spaced once, as one message."""
    lim = limiter(vt, 25.0)
    out: list[float] = []

    async def album_then_text() -> None:
        await lim.acquire(-1, cost=10)
        out.append(vt.now)
        await lim.acquire(-2)
        out.append(vt.now)

    await vt.run(album_then_text())
    assert out[1] - out[0] == pytest.approx(10 / 25.0)


@pytest.mark.redis
async def test_a_broadcast_in_another_instance_yields_to_people_through_redis(
    redis_url: str,
) -> None:
    """The worker's limiter has a broadcast going; another instance's limiter has twenty
    people to answer at once. Both at 20/s through the shared budget: the people's twenty
    slots come in about a second, as if no broadcast were going — the broadcast takes what
    they leave."""
    from handlers.tg.outbound import redis_gate

    worker, instance = (
        RateLimiter(20.0, gate=redis_gate(redis_url, 20.0, bot_id=43)) for _ in (1, 2)
    )
    sent: list[int] = []

    async def broadcast() -> None:
        for group in range(-1, -400, -1):
            await worker.acquire(group, Priority.BROADCAST)
            sent.append(group)

    going = asyncio.create_task(broadcast())
    try:
        await asyncio.sleep(0.5)  # the broadcast in full swing
        began = time.monotonic()
        await asyncio.gather(*(instance.acquire(100 + i, Priority.PERSON) for i in range(20)))
        took = time.monotonic() - began
        during = len(sent)
        await asyncio.sleep(0.5)
        assert len(sent) > during + 5, "the broadcast goes on once the people are answered"
    finally:
        going.cancel()
    assert took <= 1.4, took  # 20 slots at 20/s; in turn with the broadcast it would be ~2 s
