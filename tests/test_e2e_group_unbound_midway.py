"""A parents' group unbound (/unbind) or left by the bot while a broadcast to it is still going
out: its turn comes after the change, and it must not get the broadcast — in Telegram and in
MAX. The ledger row says why, and so does the author's report.

The group's first send fails (a 5xx the courier retries after a pause); staff unbind the group
or remove the bot meanwhile; the retry is where the binding is asked again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast, status
from storage.models import BroadcastState, Delivery, DeliveryStatus
from storage.repositories import Repositories
from tests.conftest import ADMIN
from tests.helpers.max_both import Both
from tests.helpers.wait import until
from tests.test_e2e_chats import member_change
from tests.test_e2e_gone_groups import ALIVE, KICKED, MAX_GROUP, METHODIST, seed_telegram
from tests.test_e2e_gone_groups import h as h  # a fixture

TEXT = "Собрание в четверг в 18:00"
UNBIND_REPLY = "получает рассылки для: нет"


async def start_broadcast(h: Both) -> int:
    async with h.sessionmaker() as s:
        made = await create_broadcast(
            s, author_id=ADMIN.id, content=Content("text", TEXT), target=Target(("parents",)),
            at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()
    return made.id


async def finished(h: Both, broadcast_id: int) -> None:
    async def done() -> bool:
        async with h.sessionmaker() as s:
            shown = await status(s, broadcast_id)
        return shown is not None and shown.state == BroadcastState.DONE

    await until(done, 20, f"broadcast {broadcast_id} done")


async def ledger(h: Both, broadcast_id: int, chat_id: int) -> Delivery:
    async with h.sessionmaker() as s:
        row = await s.scalar(
            select(Delivery).where(
                Delivery.broadcast_id == broadcast_id, Delivery.chat_id == chat_id
            )
        )
    assert row is not None
    return row


def got_it(messages: list[str]) -> bool:
    return any(TEXT in m for m in messages)


async def test_telegram_groups_unbound_or_left_midway_are_skipped(h: Both) -> None:
    await seed_telegram(h)  # KICKED, DELETED, TOLD, ALIVE: parents' groups; PARENT in private
    for chat_id in (ALIVE, KICKED):
        h.tg.fail_next("sendMessage", status=502, description="Bad Gateway", count=2,
                       chat_id=chat_id)  # fmt: skip
    made = await start_broadcast(h)
    for chat_id in (ALIVE, KICKED):
        await h.tg.wait_for("sendMessage", lambda c, at=chat_id: c.params.get("chat_id") == at)

    h.tg.user_sends("/unbind", user=ADMIN, chat_id=ALIVE, chat_type="supergroup",
                    chat_title="Родители 1А")  # fmt: skip
    kicked = {"id": KICKED, "type": "supergroup", "title": "Родители 7Б"}
    member_change(h.tg, kicked, ADMIN, "member", "kicked")
    reply = await h.tg.next_message(ALIVE)
    assert UNBIND_REPLY in (reply.text or "")
    await finished(h, made)

    assert not got_it([m.text or "" for m in h.tg.sent_to(ALIVE)])
    assert not got_it([m.text or "" for m in h.tg.sent_to(KICKED)])
    unbound, left = await ledger(h, made, ALIVE), await ledger(h, made, KICKED)
    assert unbound.status == DeliveryStatus.FAILED and "отвязали" in (unbound.error or "")
    assert left.status == DeliveryStatus.BLOCKED and "удалили" in (left.error or "")

    def report() -> list[str]:
        sent = h.tg.sent_to(ADMIN.id)
        return [m.text or "" for m in sent if f"№{made} завершена" in (m.text or "")]

    # the author's report follows the DONE commit over HTTP: on a busy machine, moments later
    await until(report, 10, f"the report on broadcast №{made}")
    assert "группу отвязали от аудитории" in report()[-1], report()


async def max_group(h: Both, chat_id: int, title: str) -> int:
    """A MAX group the methodist adds and binds to the parents; its internal id."""
    before = len(h.max.sent_to(METHODIST))
    h.max.bot_added(chat_id, METHODIST, title=title)
    await h.max.wait_sent(METHODIST, before + 1)
    h.max.user_writes(METHODIST, "/bind parents", chat_id=chat_id)
    await h.max.wait_sent(chat_id, 1)
    async with h.sessionmaker() as s:
        return await Repositories(s).channel_ids.internal("max", "chat", chat_id)


async def refused_once(h: Both) -> int:
    """A broadcast whose only MAX send (the group's) meets a 502: the courier retries later."""
    h.max.fail_next(502, "bad.gateway", times=1)
    made = await start_broadcast(h)
    await until(
        lambda: any(c.status == 502 for c in h.max.calls_to("POST", "/messages")),
        what="the refused send",
    )
    return made


async def test_a_max_group_unbound_midway_is_skipped(h: Both) -> None:
    inner = await max_group(h, MAX_GROUP, "Родители 3В")
    made = await refused_once(h)

    h.max.user_writes(METHODIST, "/unbind", chat_id=MAX_GROUP)
    await until(lambda: any(UNBIND_REPLY in m.plain for m in h.max.sent_to(MAX_GROUP)))
    await finished(h, made)

    assert not got_it([m.plain for m in h.max.sent_to(MAX_GROUP)])
    row = await ledger(h, made, inner)
    assert row.status == DeliveryStatus.FAILED and "отвязали" in (row.error or ""), row.error


async def test_a_max_group_left_midway_is_skipped(h: Both) -> None:
    inner = await max_group(h, MAX_GROUP, "Родители 3В")
    made = await refused_once(h)

    h.max.bot_removed(MAX_GROUP, METHODIST)
    await until(lambda: any("удалили" in m.plain for m in h.max.sent_to(METHODIST)))
    await finished(h, made)

    assert not got_it([m.plain for m in h.max.sent_to(MAX_GROUP)])
    row = await ledger(h, made, inner)
    assert row.status == DeliveryStatus.BLOCKED and "удалили" in (row.error or ""), row.error
