"""A command typed in the staff group where a dialog waits for a staffer's words — the answer
to a ticket (a reply to its post or to «Ответить»'s prompt), the new knowledge-base entry's
«Шаг 2 из 4» (wordings) and «Шаг 3 из 4» (answer) — is a command: one the bot has runs, a
typo («/hepl») is «Такой команды нет», and the dialog still waits for the words. And a
button in the group whose message Telegram will not edit answers in the group."""

from __future__ import annotations

from pathlib import Path

from bot import texts
from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.texts import faq_learn as t_learn
from storage.db import SessionMaker
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.helpers.max_bot import max_only_bot, say, ticket_from
from tests.test_e2e_faq_learn import DOG, staff_press, staff_replies, ticket_post
from tests.test_e2e_hostile_gaps import CANNOT_EDIT
from tests.test_e2e_max_faq_new import ADMIN as MAX_ADMIN
from tests.test_e2e_max_faq_new import MOTHER, TITLE, WORDINGS, pressed


async def test_a_command_replied_to_a_ticket_post_is_not_the_answer(learn: BotHarness) -> None:
    """«/hepl» sent as a reply to the ticket's post went to the parent as the answer."""
    h = learn
    post = await ticket_post(h, DOG)
    before = len(h.server.sent_to(PARENT.id))
    said = await staff_replies(h, post, "/hepl")
    assert said.text == texts.UNKNOWN_COMMAND
    await h.server.idle()
    assert h.server.sent_to(PARENT.id)[before:] == [], "nothing reached the parent"
    h.server.press(post, texts.BTN_REPLY, user=ADMIN)  # «Ответить»: the next message answers
    await h.server.next_message(STAFF_CHAT)
    h.server.user_sends("/hepl", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup")
    assert (await h.server.next_message(STAFF_CHAT)).text == texts.UNKNOWN_COMMAND
    assert h.server.sent_to(PARENT.id)[before:] == [], "nothing reached the parent"
    h.server.user_sends(
        "Да, собаку-поводыря можно.", user=ADMIN, chat_id=STAFF_CHAT, chat_type="supergroup"
    )
    got = await h.server.next_message(PARENT.id)
    assert "собаку-поводыря можно" in (got.text or "")


async def test_commands_at_the_wordings_and_answer_of_a_new_entry(learn: BotHarness) -> None:
    """«/hepl» at «Шаг 2 из 4» became a wording, at «Шаг 3 из 4» the entry's answer."""
    h = learn
    post = await ticket_post(h, DOG)
    picker = await staff_press(h, post, t_learn.BTN_TO_KB)
    title_prompt = await staff_press(h, picker, t_learn.BTN_NEW_ENTRY)
    wordings = await staff_replies(h, title_prompt, "Можно ли прийти с собакой-поводырём?")
    assert "Шаг 2 из 4" in wordings.text
    assert (await staff_replies(h, wordings, "/hepl")).text == texts.UNKNOWN_COMMAND
    answer = await staff_replies(h, wordings, "можно ли с собакой\nпускают ли с собакой")
    assert "Шаг 3 из 4" in answer.text
    assert (await staff_replies(h, answer, "/hepl")).text == texts.UNKNOWN_COMMAND
    listing = await staff_replies(h, answer, "/tickets")  # one the bot has: it runs
    assert "Шаг" not in (listing.text or "") and "№1" in (listing.text or "")
    sections = await staff_replies(h, answer, "Да, собаку-поводыря можно привести.")
    assert "/hepl" not in (sections.text or "")
    assert sections.inline_texts, "the section choice comes"


async def test_max_commands_at_the_wordings_and_answer_of_a_new_entry(
    db_path: Path, sessionmaker: SessionMaker, settings: Settings
) -> None:
    """MAX writes the entry in the private chat: «/hepl» at steps 2 and 3 is a typo there too."""
    faq = FaqService(None, settings.placeholders())
    async with max_only_bot(db_path, sessionmaker, faq, MAX_ADMIN) as (fake, _):
        card = await ticket_from(fake, MAX_ADMIN, MOTHER, DOG)
        picker = await pressed(fake, MAX_ADMIN, card, t_learn.BTN_TO_KB)
        await pressed(fake, MAX_ADMIN, picker, t_learn.BTN_NEW_ENTRY)
        (wordings,) = await say(fake, MAX_ADMIN, TITLE)
        assert "Шаг 2 из 4" in wordings.plain
        assert (await say(fake, MAX_ADMIN, "/hepl"))[0].plain == texts.UNKNOWN_COMMAND
        (answer,) = await say(fake, MAX_ADMIN, WORDINGS)
        assert "Шаг 3 из 4" in answer.plain
        assert (await say(fake, MAX_ADMIN, "/hepl"))[0].plain == texts.UNKNOWN_COMMAND
        (sections,) = await say(fake, MAX_ADMIN, "Да, можно — предупредите педагога.")
        assert "Шаг 4 из 4" in sections.plain


async def test_a_group_button_whose_message_will_not_edit_answers_in_the_group(
    learn: BotHarness,
) -> None:
    """«↩️ Отменить» under «добавлен к статье» in the staff group when Telegram will not edit
    that message: the outcome went to the presser's private chat, and the colleagues who saw
    the question attached never learnt it was taken back."""
    h = learn
    post = await ticket_post(h, "где глянуть остаток на карте ребенка")
    picker = await staff_press(h, post, t_learn.BTN_TO_KB)
    h.server.press(picker, picker.buttons[0][0].text, user=ADMIN)
    await h.server.idle(timeout=30)  # a KB rebuild (CPU) may run meanwhile
    attached = h.server.messages[(STAFF_CHAT, picker.message_id)]
    assert attached.inline_texts == [t_learn.BTN_UNDO]
    private = len(h.server.sent_to(ADMIN.id))
    h.server.fail_next("editMessageText", status=400, description=CANNOT_EDIT)
    h.server.press(attached, t_learn.BTN_UNDO, user=ADMIN)
    undone = await h.server.next_message(STAFF_CHAT, timeout=30)
    assert "убран из базы" in (undone.text or "")
    assert h.server.sent_to(ADMIN.id)[private:] == []
