"""An outside QA pass over a forum supergroup (topics on): a staffer binds the group from inside
its «Объявления» topic, a parent asks the bot by name in the «Вопросы» topic. What the bot says
back must land in the topic it was asked in, not in «General» where nobody of them is."""

from __future__ import annotations

from tests.conftest import ADMIN, PARENT, BotHarness
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_chats import harness as harness  # a fixture

FORUM = -1001990077
TOPIC_NEWS, TOPIC_QUESTIONS = 12, 34


def in_topic(h: BotHarness, user: FakeUser, text: str, topic: int, **extra: object) -> None:
    h.server.user_sends(
        text, user=user, chat_id=FORUM, chat_type="supergroup", chat_title="Родители 3Б",
        extra={"message_thread_id": topic, "is_topic_message": True, **extra},
    )  # fmt: skip


def topics_of_sends(h: BotHarness) -> list[object]:
    return [
        c.params.get("message_thread_id")
        for c in h.server.calls
        if c.method == "sendmessage" and c.ok and str(c.params.get("chat_id")) == str(FORUM)
    ]


async def test_answers_in_a_forum_stay_in_the_topic_they_were_asked_in(
    harness: BotHarness,
) -> None:
    h = harness
    h.server.chats[FORUM] = {"id": FORUM, "type": "supergroup", "title": "Родители 3Б",
                             "is_forum": True}  # fmt: skip
    in_topic(h, ADMIN, "/bind@moc_test_bot parents", TOPIC_NEWS)
    said = await h.server.next_message(FORUM)
    assert "получает рассылки для: Родители" in (said.text or "")
    me = f"@{h.server.bot_username}"
    mention = [{"type": "mention", "offset": 0, "length": len(me)}]
    in_topic(h, PARENT, f"{me}, когда собрание?", TOPIC_QUESTIONS, entities=mention)
    await h.server.next_message(FORUM)
    in_topic(h, PARENT, "/bind@moc_test_bot teachers", TOPIC_QUESTIONS)
    await h.server.next_message(FORUM)
    await h.server.idle()
    expected = [TOPIC_NEWS, TOPIC_QUESTIONS, TOPIC_QUESTIONS]
    assert [str(t) for t in topics_of_sends(h)] == [str(t) for t in expected]
