"""152-ФЗ audit, end to end: what a person sees of their data in /my_data and hears from
/forget_me, in Telegram and in MAX.

- A picture, a file or a voice message the person sent is kept (by the messenger's file link)
  for «Отправить специалисту»: /my_data names it, and /forget_me takes it away.
- One person, two messengers: nothing links the accounts, so /forget_me in one deletes that
  one only — and the person is told, before and after, that the other keeps its data.
"""

from __future__ import annotations

from bot import texts
from bot.texts import faq_learn as shot
from tests.conftest import PARENT, STAFF_CHAT, BotHarness
from tests.fakes.max_media import PNG
from tests.fakes.max_media import user_sends as max_user_sends
from tests.fakes.max_model import MaxUser
from tests.fakes.telegram_api import SAMPLE_MEDIA, FakeUser, SentMessage
from tests.helpers.max_both import Both, as_parent
from tests.test_e2e_ticket_questions import photo

QUESTION = "можно ли привести на занятие собаку-поводыря"
KEPT_FILES = "Ваших фото, файлов и голосовых, которые бот помнит, чтобы передать специалисту"
ZLATA_TG = FakeUser(id=2077, first_name="Злата", last_name="Орлова")
ZLATA_MAX = MaxUser(50_000_000_877, "Злата", "Орлова")


async def test_telegram_my_data_names_the_kept_picture_and_forget_me_takes_it(
    harness: BotHarness,
) -> None:
    h = harness
    offer = await h.say(PARENT, None, extra=photo(QUESTION))  # type: ignore[arg-type]
    assert offer.text == shot.SHOT_UNKNOWN  # its file link waits for «Отправить специалисту»

    held = await h.say(PARENT, "/my_data")
    assert f"{KEPT_FILES}: 1" in held.text, held.text

    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    after = await h.say(PARENT, "/my_data")
    assert KEPT_FILES not in after.text, after.text
    # the offer pressed after the deletion has no picture to send
    assert "Номер обращения" not in (await h.press(PARENT, offer, shot.BTN_SEND_SHOT)).text


async def test_max_my_data_names_the_kept_picture_and_forget_me_takes_it(both: Both) -> None:
    h = both
    before = len(h.max.sent_to(ZLATA_MAX))
    max_user_sends(h.max, ZLATA_MAX, PNG, QUESTION)
    offer = (await h.max.wait_sent(ZLATA_MAX, before + 1))[before]
    assert offer.plain == shot.SHOT_UNKNOWN

    held = await h.say(ZLATA_MAX, "/my_data")
    assert f"{KEPT_FILES}: 1" in held.plain, held.plain

    before = len(h.max.sent_to(ZLATA_MAX))
    await h.press(ZLATA_MAX, held, texts.BTN_FORGET)
    (confirm,) = (await h.max.wait_sent(ZLATA_MAX, before + 1))[before:]
    await h.press(ZLATA_MAX, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in (await h.max.wait_sent(ZLATA_MAX, before + 2))[-1].plain
    after = await h.say(ZLATA_MAX, "/my_data")
    assert KEPT_FILES not in after.plain, after.plain


async def tg_say(h: Both, user: FakeUser, text: str) -> SentMessage:
    h.tg.user_sends(text, user=user)
    return await h.tg.next_message(user.id, timeout=10)


async def test_forget_me_in_telegram_says_the_max_account_keeps_its_data(both: Both) -> None:
    """Zlata writes to the bot in both messengers; /forget_me in Telegram deletes that
    account only, and she hears that her MAX account keeps its data and how to delete it."""
    h = both
    in_max = await h.say(ZLATA_MAX, QUESTION)
    before = len(h.max.sent_to(ZLATA_MAX))
    await h.press(ZLATA_MAX, in_max, texts.BTN_ASK_SHORT)  # a ticket in MAX
    await h.max.wait_sent(ZLATA_MAX, before + 1)
    await tg_say(h, ZLATA_TG, QUESTION)

    confirm = await tg_say(h, ZLATA_TG, "/forget_me")
    assert "только этого аккаунта Telegram" in confirm.text, confirm.text
    assert "/forget_me боту в MAX" in confirm.text
    h.tg.press(confirm, texts.BTN_FORGET_YES, user=ZLATA_TG)
    done = await h.tg.next_message(ZLATA_TG.id, timeout=10)
    assert "удалены" in done.text and "в MAX" in done.text and "там всё осталось" in done.text

    # and so it is: the MAX account still has its ticket
    kept = await h.say(ZLATA_MAX, "/my_data")
    assert "Обращений к специалистам: 1" in kept.plain, kept.plain


async def test_forget_me_in_max_says_the_telegram_account_keeps_its_data(both: Both) -> None:
    h = both
    await tg_say(h, ZLATA_TG, QUESTION)
    await h.say(ZLATA_MAX, QUESTION)

    confirm = await h.say(ZLATA_MAX, "/forget_me")
    assert "только этого аккаунта MAX" in confirm.plain, confirm.plain
    before = len(h.max.sent_to(ZLATA_MAX))
    await h.press(ZLATA_MAX, confirm, texts.BTN_FORGET_YES)
    done = (await h.max.wait_sent(ZLATA_MAX, before + 1))[-1]
    assert "удалены" in done.plain and "/forget_me в Telegram" in done.plain, done.plain


async def test_a_bot_in_telegram_alone_names_no_other_messenger(harness: BotHarness) -> None:
    confirm = await harness.say(PARENT, "/forget_me")
    assert "MAX" not in confirm.text
    done = await harness.press(PARENT, confirm, texts.BTN_FORGET_YES)
    assert "удалены" in done.text and "MAX" not in done.text


async def test_telegram_name_kept_for_the_news_goes_when_the_person_unsubscribes(
    harness: BotHarness,
) -> None:
    """A subscriber's display name is stored for the mailing list; once they leave it, and
    asked no specialist, nothing needs the name: /my_data says it is not kept."""
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.say(PARENT, "/subscribe")
    subscribed = await h.say(PARENT, "/my_data")
    assert "Имя из Telegram: Мария Иванова" in subscribed.text, subscribed.text

    await h.say(PARENT, "/unsubscribe")
    left = await h.say(PARENT, "/my_data")
    assert f"Имя из Telegram: {texts.MY_DATA_NO_NAME}" in left.text, left.text


async def test_a_subscriber_who_asked_a_specialist_keeps_the_name_after_unsubscribing(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.say(PARENT, "/subscribe")
    offer = await h.say(PARENT, QUESTION)
    await h.press(PARENT, offer, texts.BTN_ASK_SHORT)  # the specialist's card names her
    await h.say(PARENT, "/unsubscribe")
    kept = await h.say(PARENT, "/my_data")
    assert "Имя из Telegram: Мария Иванова" in kept.text, kept.text


async def test_max_name_kept_for_the_news_goes_when_the_person_unsubscribes(both: Both) -> None:
    h = both
    await as_parent(h, ZLATA_MAX)
    await h.say(ZLATA_MAX, "/subscribe")
    subscribed = await h.say(ZLATA_MAX, "/my_data")
    assert "Имя из MAX: Злата Орлова" in subscribed.plain, subscribed.plain

    await h.say(ZLATA_MAX, "/unsubscribe")
    left = await h.say(ZLATA_MAX, "/my_data")
    assert f"Имя из MAX: {texts.MY_DATA_NO_NAME}" in left.plain, left.plain


async def test_a_screenshot_copied_to_staff_days_ago_is_blanked_after_forget_me(
    harness: BotHarness,
) -> None:
    """Telegram deletes a message only in its first 48 hours; a ticket is often older than
    that when its author asks to be forgotten. The staff chat's copy of their screenshot
    (with their question as its caption) then stayed; now the bot replaces it."""
    h = harness
    offer = await h.say(PARENT, None, extra=photo(QUESTION))  # type: ignore[arg-type]
    assert "Номер обращения" in (await h.press(PARENT, offer, shot.BTN_SEND_SHOT)).text
    post = await h.server.next_message(STAFF_CHAT)
    image = await h.server.next_message(STAFF_CHAT)
    copied = h.server.messages[(STAFF_CHAT, image.message_id)]
    assert "photo" in copied.content and QUESTION in (copied.text or "")
    original = copied.content["photo"][-1]["file_id"]
    for message in (post, image):  # three days pass
        h.server.messages[(STAFF_CHAT, message.message_id)].date -= 3 * 24 * 3600

    held = await h.say(PARENT, "/my_data")
    confirm = await h.press(PARENT, held, texts.BTN_FORGET)
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()

    assert not copied.deleted  # too old for Telegram to delete…
    assert QUESTION not in (copied.text or "") and copied.text == shot.BLANKED
    assert copied.content["photo"][-1]["file_id"] != original  # …but the picture is gone
    assert QUESTION not in (h.server.messages[(STAFF_CHAT, post.message_id)].text or "")


async def test_a_voice_message_copied_to_staff_days_ago_loses_its_caption_after_forget_me(
    harness: BotHarness,
) -> None:
    """A voice message cannot be replaced after 48 hours, but its caption — the asker's name
    and the ticket — can be taken away."""
    h = harness
    offer = await h.say(PARENT, QUESTION)
    await h.press(PARENT, offer, texts.BTN_ASK_SHORT)
    await h.server.next_message(STAFF_CHAT)  # the ticket's card
    h.server.user_sends(None, user=PARENT, extra=dict(SAMPLE_MEDIA["voice"]))  # type: ignore[arg-type]
    copy = await h.server.next_message(STAFF_CHAT)
    voice = h.server.messages[(STAFF_CHAT, copy.message_id)]
    assert "voice" in voice.content and "Мария Иванова" in (voice.text or "")
    voice.date -= 3 * 24 * 3600
    await h.server.idle()
    h.server.drain(PARENT.id)

    confirm = await h.say(PARENT, "/forget_me")
    assert "удалены" in (await h.press(PARENT, confirm, texts.BTN_FORGET_YES)).text
    await h.server.idle()
    assert "Мария" not in (voice.text or "") and QUESTION not in (voice.text or "")
