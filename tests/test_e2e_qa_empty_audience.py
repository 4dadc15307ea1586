"""An outside QA pass: a broadcast planned for a tag whose only group lost the tag (or was
unbound, or removed the bot) before its time reaches nobody. Its author was told «✅ Рассылка
№1 завершена. Доставлено: 0 из 0» — a tick for a message nobody got, and no word why."""

from __future__ import annotations

from datetime import timedelta

from broadcasts import service
from broadcasts.content import Content
from storage.repositories import Repositories
from tests.conftest import ADMIN
from tests.test_e2e_broadcasts import NOW, PARENT_GROUPS, Staff
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture

SCHOOL5 = next(iter(PARENT_GROUPS))  # «Родители 1А»


async def test_a_broadcast_whose_tag_lost_its_only_group_tells_the_author_nobody_got_it(
    harness: Staff,
) -> None:
    h = harness
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.chats.add_tags(SCHOOL5, ["school5"])
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Собрание школы 5"),
            target=service.Target(("parents",), ("school5",), include_private=False),
            at=NOW + timedelta(hours=1), now=NOW,
        )  # fmt: skip
        await session.commit()
    h.server.user_sends(
        "/untag school5", user=ADMIN, chat_id=SCHOOL5, chat_type="supergroup",
        chat_title=PARENT_GROUPS[SCHOOL5],
    )  # fmt: skip
    assert "Метки: нет" in ((await h.server.next_message(SCHOOL5)).text or "")

    h.clock.set(NOW + timedelta(hours=1, seconds=1))
    h.worker.wake()
    told = (await h.server.next_message(ADMIN.id, timeout=10)).text or ""
    assert "завершена" not in told and "✅" not in told, told
    assert "Рассылка №1 никому не отправлена" in told and "/chats" in told, told
    assert not any(h.server.sent_to(chat_id) for chat_id in PARENT_GROUPS if chat_id != SCHOOL5)
