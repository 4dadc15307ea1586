"""A specialist's answer with much formatting (bold words, links) is one message of under 4096
visible characters, but its HTML (each «<b>…</b>» counted) is longer: the answer was judged
too long by its markup and reached the parent as plain-text parts, the bold lost and the
answer cut in two. Telegram counts the text after its entities are parsed; so does the bot."""

from __future__ import annotations

from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.test_e2e_faq_learn import ticket_post

WORD = "важно"


def bold_answer(words: int) -> tuple[str, list[dict[str, object]]]:
    text = " ".join([WORD] * words)
    step = len(WORD) + 1
    bold = [{"type": "bold", "offset": i * step, "length": len(WORD)} for i in range(words)]
    return text, bold


async def test_a_formatted_answer_within_the_limit_arrives_whole_and_bold(
    harness: BotHarness,
) -> None:
    h = harness
    post = await ticket_post(h, "Как подтвердить сертификат на сайте Навигатора?")
    text, bold = bold_answer(600)  # 3,599 characters shown, over 4,100 with its tags
    assert len(text) < 4000 and len(text) + 7 * len(bold) > 4096
    h.server.user_sends(
        text, user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=post,
        extra={"entities": bold},
    )  # fmt: skip
    answer = await h.server.next_message(PARENT.id, timeout=30)
    assert "Ответ специалиста МОЦ" in answer.text and answer.text.endswith(WORD)
    assert answer.text.count(WORD) == 600, "the whole answer in one message"
    bolded = [e for e in answer.entities if e["type"] == "bold"]
    assert len(bolded) == 1 + 600, "the specialist's bold kept (and the header's)"
