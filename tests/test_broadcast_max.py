"""The MAX channel against the fake MAX server: MAX's answers mapped to the ledger's outcomes,
the «Ознакомлен»/«Отписаться» buttons, long texts, files, and a broadcast through the real
worker and ledger reaching MAX groups and subscribers once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.clock import FrozenClock
from broadcasts.channel import Blocked, Failed, ProgressMessage, RetryAfter, Sent
from broadcasts.content import Content, LinkButton
from broadcasts.files import StoredFiles
from broadcasts.limiter import RateLimiter
from broadcasts.runtime import Options
from broadcasts.service import Target, create_broadcast, status
from broadcasts.worker import BroadcastWorker
from handlers.max.broadcast_channel import MaxBackoff, MaxChannel
from handlers.max.broadcast_media import MaxMedia
from handlers.max.client import MaxClient
from handlers.tg.callbacks import AckCb, UnsubCb
from storage.db import create_engine, create_sessionmaker
from storage.models import BroadcastState, Chat, ChatAudience, Subscription, User
from storage.repositories.stored_files import StoredFileRepo
from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import MaxUser

PARENT = MaxUser(601, "Анна")
AUTHOR = MaxUser(700, "Методист")
GROUP = -68_000_000_000_001
NOTICE = Content("text", "<b>Собрание</b> в четверг", ack=True)


def _chat(srv: FakeMaxServer, target: int) -> MaxUser | int:
    """A positive id is a user (their dialog), a negative one a group."""
    return MaxUser(target, "") if target > 0 else target


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxServer]:
    async with FakeMaxServer() as fake:
        fake.dialog(PARENT)
        fake.dialog(AUTHOR)
        fake.add_group(GROUP)
        fake.add_group(GROUP - 1)
        yield fake


@pytest.fixture
async def client(max_api: FakeMaxServer) -> AsyncIterator[MaxClient]:
    async with MaxClient(max_api.token, base_url=max_api.url) as max_client:
        yield max_client


def channel(client: MaxClient, **kwargs: Any) -> MaxChannel:
    return MaxChannel(client, backoff=MaxBackoff(base=1.0, cap=8.0), **kwargs)


async def test_private_message_carries_link_ack_and_unsubscribe_as_max_buttons(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    content = Content("text", NOTICE.text, button=LinkButton("Подробнее", "https://x.ru"),
                      ack=True)  # fmt: skip
    outcome = await channel(client).send(
        PARENT.user_id, content, broadcast_id=42, is_private=True, audience="parents"
    )
    (message,) = max_api.sent_to(PARENT)
    assert outcome == Sent(message.seq)
    assert message.format == "html" and message.text == "<b>Собрание</b> в четверг"
    assert message.buttons() == [
        [{"type": "link", "text": "Подробнее", "url": "https://x.ru"}],
        [{"type": "callback", "text": "✅ Ознакомлен", "payload": AckCb(b=42).pack()}],
        [{"type": "callback", "text": "Отписаться", "payload": UnsubCb(a="parents").pack()}],
    ]
    await channel(client).send(GROUP, NOTICE, broadcast_id=42, is_private=False, audience="x")
    (in_group,) = max_api.sent_to(GROUP)
    assert [b["text"] for row in in_group.buttons() for b in row] == ["✅ Ознакомлен"]


async def test_429_pauses_with_a_growing_per_chat_backoff(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    sender = channel(client)
    max_api.fail_next(429, "too.many.requests", "slow down", times=4)
    pauses = [await sender.send(GROUP, NOTICE, broadcast_id=1, is_private=False)
              for _ in range(4)]  # fmt: skip
    assert pauses == [RetryAfter(s, per_chat=True) for s in (1.0, 2.0, 4.0, 8.0)]
    assert isinstance(await sender.send(GROUP, NOTICE, broadcast_id=1, is_private=False), Sent)
    max_api.fail_next(429, "too.many.requests", "slow down")
    assert await sender.send(GROUP, NOTICE, broadcast_id=1, is_private=False) == RetryAfter(
        1.0, per_chat=True
    )
    max_api.set_limits(per_chat=1, global_rps=None)  # the fake's own limit, not an injected one
    outcomes = await asyncio.gather(
        *[sender.send(GROUP, NOTICE, broadcast_id=1, is_private=False) for _ in range(2)]
    )
    pauses = [o for o in outcomes if isinstance(o, RetryAfter)]
    assert len(pauses) == 1 and pauses[0].seconds >= 1.0


async def test_errors_map_to_blocked_and_failed(max_api: FakeMaxServer, client: MaxClient) -> None:
    sender = channel(client)

    async def send(chat_id: int, private: bool = False) -> Any:
        return await sender.send(chat_id, NOTICE, broadcast_id=1, is_private=private)

    max_api.block(PARENT)
    blocked = await send(PARENT.user_id, private=True)
    assert isinstance(blocked, Blocked) and blocked.reason.startswith("chat.denied")
    assert isinstance(await send(-5), Blocked)  # no such chat
    max_api.bot_removed(GROUP, AUTHOR)
    assert isinstance(await send(GROUP), Blocked)
    max_api.unblock(GROUP)
    max_api.fail_next(502, "internal.error", "bad gateway")
    assert await send(GROUP) == Failed("502 internal.error: bad gateway", permanent=False)
    max_api.fail_next(400, "proto.payload", "broken")
    assert await send(GROUP) == Failed("400 proto.payload: broken", permanent=True)
    async with MaxClient(max_api.token, base_url="http://127.0.0.1:9", timeout=2) as dead:
        outcome = await channel(dead).send(GROUP, NOTICE, broadcast_id=1, is_private=False)
    assert isinstance(outcome, Failed) and not outcome.permanent


async def test_long_text_goes_in_parts_with_buttons_under_the_last(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    text = "\n\n".join(f"<b>Пункт {n}.</b> " + "подробности " * 40 for n in range(12))
    assert len(text) > 4000
    outcome = await channel(client).send(
        GROUP, Content("text", text, ack=True), broadcast_id=7, is_private=False
    )
    parts = max_api.sent_to(GROUP)
    assert len(parts) == 2 and all(len(p.text) <= 4000 for p in parts)
    assert parts[0].buttons() == [] and parts[1].buttons() != []
    assert outcome == Sent(parts[1].seq)
    assert parts[0].text.startswith("<b>Пункт 0.</b>") and "Пункт 11." in parts[1].text
    # the second part meets the per-chat limit: it waits and follows, nothing is repeated
    max_api.set_limits(per_chat=1, global_rps=None)
    fast = MaxChannel(client, backoff=MaxBackoff(base=0.6, cap=1.2))
    again = await fast.send(GROUP - 1, Content("text", text), broadcast_id=8, is_private=False)
    assert isinstance(again, Sent) and len(max_api.sent_to(GROUP - 1)) == 2


async def test_a_file_needs_a_resolver_that_uploads_it(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    doc = Content("document", "Положение о конкурсе", file_id="TG-FILE-ID")
    no_media = await channel(client).send(GROUP, doc, broadcast_id=3, is_private=False)
    assert isinstance(no_media, Failed) and no_media.permanent

    async def upload(content: Content) -> dict[str, Any]:
        token = await client.upload(b"%PDF-1.4", "polozhenie.pdf")
        return {"type": "file", "payload": {"token": token}}

    sent = await channel(client, media=upload).send(GROUP, doc, broadcast_id=3, is_private=False)
    (message,) = max_api.sent_to(GROUP)
    assert sent == Sent(message.seq)
    assert message.text == "Положение о конкурсе"
    token = message.attachments[0]["payload"]["token"]
    assert max_api.uploads[token] == ("polozhenie.pdf", b"%PDF-1.4")


async def test_progress_message_is_edited_and_notices_reach_the_author(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    sender = channel(client)
    seq = await sender.post(AUTHOR.user_id, "Рассылка запланирована")
    here = ProgressMessage(AUTHOR.user_id, seq)
    assert await sender.edit_progress(here, "Отправлено <b>5</b> из 10") is None
    (progress,) = max_api.sent_to(AUTHOR)
    assert progress.plain == "Отправлено 5 из 10" and progress.edits == 1
    # by the mid its broadcast keeps: another process (a fresh channel) edits the same message
    kept = ProgressMessage(AUTHOR.user_id, seq, progress.mid)
    assert await channel(client).edit_progress(kept, "Отправлено <b>6</b> из 10") is None
    assert progress.plain == "Отправлено 6 из 10" and len(max_api.sent_to(AUTHOR)) == 1
    # one whose mid is not known (a row from before the mid was kept): posted anew, returned
    moved = await channel(client).edit_progress(
        ProgressMessage(AUTHOR.user_id, seq + 100), "Отправлено <b>7</b> из 10"
    )
    again = max_api.sent_to(AUTHOR)[-1]
    assert again is not progress and again.plain == "Отправлено 7 из 10"
    assert moved == ProgressMessage(AUTHOR.user_id, again.seq, again.mid, anew=True)  # once
    await sender.notify(AUTHOR.user_id, "Рассылка №1 завершена")
    assert max_api.sent_to(AUTHOR)[-1].plain == "Рассылка №1 завершена"
    max_api.block(AUTHOR)
    await sender.notify(AUTHOR.user_id, "не дойдёт")  # swallowed, not raised


async def test_a_report_over_4000_characters_is_edited_in_and_the_rest_follows(
    max_api: FakeMaxServer, client: MaxClient
) -> None:
    """A final report with long error reasons (three of 300 characters, escaped) can pass
    MAX's 4000: its first part goes into the progress message, the rest right after it as a
    new message, instead of being cut off without a word."""
    sender = channel(client)
    seq = await sender.post(AUTHOR.user_id, "Рассылка запланирована")
    (progress,) = max_api.sent_to(AUTHOR)
    reasons = "\n".join(f"  • другая ошибка: {n} " + "&lt;ошибка&gt; " * 100 for n in range(3))
    report = f"✅ Рассылка №1 завершена.\nДоставлено: 5 из 10\n{reasons}\nКонец отчёта"
    assert len(report) > 4000
    here = ProgressMessage(AUTHOR.user_id, seq, progress.mid)
    assert await sender.edit_progress(here, report) is None
    first, rest = max_api.sent_to(AUTHOR)
    assert first is progress and progress.plain.startswith("✅ Рассылка №1 завершена.")
    assert rest.plain.endswith("Конец отчёта")
    assert all(len(m.text) <= 4000 for m in (first, rest))


async def test_broadcast_reaches_max_groups_and_subscribers_once_through_the_ledger(
    max_api: FakeMaxServer, client: MaxClient, db_url: str
) -> None:
    groups = [GROUP - n for n in range(1, 6)]
    parents = [MaxUser(800 + n, f"Родитель {n}") for n in range(4)]
    for chat_id in groups:
        max_api.add_group(chat_id)
    for parent in parents:
        max_api.dialog(parent)
    max_api.bot_removed(groups[1], AUTHOR)
    max_api.block(parents[2])
    max_api.fail_next(429, "too.many.requests", "slow down", times=2)
    max_api.fail_next(503, "service.unavailable", "later", times=2)
    engine = create_engine(db_url)
    sm = create_sessionmaker(engine)
    now = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
    async with sm() as s:
        s.add_all(Chat(id=chat_id, title=f"Родители {chat_id}") for chat_id in groups)
        s.add_all(User(id=p.user_id, first_name=p.first_name) for p in parents)
        await s.flush()
        s.add_all(ChatAudience(chat_id=chat_id, audience="parents") for chat_id in groups)
        s.add_all(Subscription(user_id=p.user_id, audience="parents") for p in parents)
        target = Target(("parents",))
        broadcast = await create_broadcast(
            s, author_id=AUTHOR.user_id, content=NOTICE, target=target, at=None, now=now
        )
        await s.commit()
    sender = MaxChannel(client, backoff=MaxBackoff(base=0.05, cap=0.2))
    options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)
    worker = BroadcastWorker(sm, sender, FrozenClock(now), instance_id="max", options=options)
    try:
        await worker.run_once()
        async with sm() as s:
            shown = await status(s, broadcast.id)
            removed = await s.get(Chat, groups[1])
            stopped = await s.get(User, parents[2].user_id)
    finally:
        await engine.dispose()
    reached = [*[g for g in groups if g != groups[1]], *[p for p in parents if p != parents[2]]]
    assert {str(r): len(max_api.sent_to(r)) for r in reached} == dict.fromkeys(
        map(str, reached), 1
    )
    assert max_api.sent_to(groups[1]) == max_api.sent_to(parents[2]) == []
    assert shown is not None
    assert (shown.state, shown.total, shown.sent, shown.blocked, shown.failed) == (
        BroadcastState.DONE, 9, 7, 2, 0,
    )  # fmt: skip
    assert removed is not None and not removed.is_active
    assert stopped is not None and not stopped.is_active
    assert "Рассылка №" in max_api.sent_to(AUTHOR)[-1].plain  # the report reached the author


async def test_a_spell_of_429s_longer_than_the_error_retries_still_delivers(
    max_api: FakeMaxServer, client: MaxClient, db_url: str
) -> None:
    """MAX's 429 says nothing of how long: eight in a row to a parents' group (more than the
    five tries an error gets) are waited out, and the group gets the message once. Four
    broadcasts in turn: a row put back after a 429 while the worker looked for pending rows
    used to be left behind (the broadcast «done», the group without it) about one time in
    three."""
    engine = create_engine(db_url)
    sm = create_sessionmaker(engine)
    now = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
    async with sm() as s:
        s.add(Chat(id=GROUP, title="Родители 1А"))
        await s.flush()
        s.add(ChatAudience(chat_id=GROUP, audience="parents"))
        await s.commit()
    sender = MaxChannel(client, backoff=MaxBackoff(base=0.05, cap=0.2))
    options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)
    fast = RateLimiter(25, per_chat_interval=0.05, group_per_minute=1200)  # MAX has no 20/min
    worker = BroadcastWorker(
        sm, sender, FrozenClock(now), instance_id="max", options=options, limiter=fast
    )
    shown = []
    try:
        for n in range(1, 5):
            news = Content("text", f"Собрание №{n} в четверг")
            max_api.fail_next(429, "too.many.requests", "slow down", times=8, matching=f"№{n}")
            async with sm() as s:
                broadcast = await create_broadcast(
                    s, author_id=AUTHOR.user_id, content=news, target=Target(("parents",)),
                    at=None, now=now,
                )  # fmt: skip
                await s.commit()
            await worker.run_once()
            async with sm() as s:
                shown.append(await status(s, broadcast.id))
    finally:
        await engine.dispose()
    assert [m.plain for m in max_api.sent_to(GROUP)] == [
        f"Собрание №{n} в четверг" for n in range(1, 5)
    ]
    assert [(b.state, b.sent, b.failed, b.pending) for b in shown if b is not None] == [
        (BroadcastState.DONE, 1, 0, 0)
    ] * 4
    assert "Доставлено: 1 из 1" in max_api.sent_to(AUTHOR)[-1].plain


async def test_a_file_max_still_processes_reaches_the_group_once_ready(
    max_api: FakeMaxServer, client: MaxClient, db_url: str
) -> None:
    """POST /messages with a file just uploaded: 400 attachment.not.ready until MAX has
    processed it; the row is tried again (the same upload, no new one) and the group gets it."""
    max_api.not_ready_sends = 2
    engine = create_engine(db_url)
    sm = create_sessionmaker(engine)
    now = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
    async with sm() as s:
        s.add(Chat(id=GROUP, title="Родители 1А"))
        await s.flush()
        s.add(ChatAudience(chat_id=GROUP, audience="parents"))
        ref = await StoredFileRepo(s).add(
            kind="document", name="polozhenie.pdf", mime="application/pdf", data=b"%PDF-1.4",
            uploaded_by=None, now=now,
        )  # fmt: skip
        doc = Content("document", "Положение о конкурсе", stored_file=ref)
        broadcast = await create_broadcast(
            s, author_id=AUTHOR.user_id, content=doc, target=Target(("parents",)), at=None,
            now=now,
        )  # fmt: skip
        await s.commit()
    media = MaxMedia(client, StoredFiles(sm))
    sender = MaxChannel(client, media=media, backoff=MaxBackoff(base=0.05))
    options = Options(retry_base_seconds=0.05, check_every=0.1, progress_every=0.2)
    fast = RateLimiter(25, per_chat_interval=0.05, group_per_minute=1200)
    worker = BroadcastWorker(
        sm, sender, FrozenClock(now), instance_id="max", options=options, limiter=fast
    )
    try:
        await worker.run_once()
        async with sm() as s:
            shown = await status(s, broadcast.id)
    finally:
        await engine.dispose()
    refused = [c for c in max_api.calls_to("POST", "/messages") if c.status == 400]
    assert len(refused) == 2 and len(max_api.calls_to("POST", "/uploads")) == 1
    (message,) = max_api.sent_to(GROUP)
    assert message.text == "Положение о конкурсе" and message.attachments[0]["type"] == "file"
    assert shown is not None and (shown.sent, shown.failed) == (1, 0)
