"""The MAX pace's shapes on a virtual clock: MAX_RATE spacing, a 429 halving the whole bot's
pace once per spell and the climb back, a broadcast's spare slot yielding to a reply."""

from __future__ import annotations

import asyncio

import pytest

from handlers.max.pacing import ECHO, MIN_RATE, RECOVERY, MaxPacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def test_slots_are_spaced_at_max_rate_and_by_chat() -> None:
    clock = Clock()
    pacer = MaxPacer(10, clock=clock)
    assert [pacer.reserve(chat) for chat in (1, 2, 3)] == pytest.approx([0.0, 0.1, 0.2])
    assert pacer.reserve(1) == pytest.approx(0.5)  # two a second into one chat


def test_a_429_halves_the_whole_pace_once_per_spell_and_it_climbs_back() -> None:
    clock = Clock()
    pacer = MaxPacer(20, clock=clock)
    pacer.slow_down()
    assert pacer.rate() == pytest.approx(10)
    pacer.slow_down()  # the same spell's echo (eight sends in flight all met it)
    assert pacer.rate() == pytest.approx(10)
    clock.now += ECHO
    pacer.slow_down()  # still refused a second later: slower again
    assert pacer.rate() == pytest.approx((10 + ECHO * RECOVERY) / 2)
    for _ in range(20):
        clock.now += ECHO
        pacer.slow_down()
    assert pacer.rate() == pytest.approx(MIN_RATE)  # never to a stop
    clock.now += (20 - MIN_RATE) / RECOVERY
    assert pacer.rate() == pytest.approx(20)  # and back to MAX_RATE, no further


def test_after_a_429_even_another_chat_waits_for_the_slower_pace() -> None:
    clock = Clock()
    pacer = MaxPacer(20, clock=clock)
    pacer.reserve(1)
    pacer.slow_down()  # chat 1's send met a 429: the storm is everyone's
    assert pacer.reserve(2) == pytest.approx(0.1)  # one slot at 10 a second, not at 20


async def test_a_broadcasts_spare_slot_yields_to_a_reply() -> None:
    clock = Clock()
    pacer = MaxPacer(10, clock=clock, sleep=clock.sleep)
    order: list[str] = []

    async def broadcast() -> None:
        for chat in (-1, -2, -3):
            await pacer.acquire_spare(chat)
            order.append(f"group {chat}")

    pacer.reserve(5)  # a reply holds the next slot
    pacer.reserve(6)  # and another
    await broadcast()
    assert order == ["group -1", "group -2", "group -3"]
    assert clock.now == pytest.approx(100.4)  # after both replies' slots, then one by one
