"""152-ФЗ: the messenger's display name is not stored for everyone who writes. A parent who
only asks the knowledge base leaves no name in the database (the greeting still uses it);
asking a specialist keeps it, so the staff card says who asked; «Мои данные» tells which is
the case, and /forget_me deletes it — in Telegram and MAX, over the fake servers."""

from __future__ import annotations

from bot import texts
from storage.models import User
from tests.conftest import ADMIN, PARENT, STAFF_CHAT, BotHarness
from tests.fakes.max_model import MaxUser
from tests.helpers.max_both import KNOWN, MOTHER, UNKNOWN, Both, as_parent
from tests.test_e2e_move import max_uid


async def stored(h: BotHarness | Both, uid: int) -> tuple[str, str | None, str | None] | None:
    async with h.sessionmaker() as session:
        user = await session.get(User, uid)
        return (user.first_name, user.last_name, user.username) if user else None


async def test_a_telegram_parent_s_name_is_kept_only_once_they_ask_a_specialist(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    assert "Здравствуйте, Мария!" in welcome.text  # shown, not stored
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.say(PARENT, KNOWN)
    assert await stored(h, PARENT.id) == ("", None, None)
    shown = await h.say(PARENT, "/my_data")
    assert f"Имя из Telegram: {texts.MY_DATA_NO_NAME}" in shown.text

    offer = await h.say(PARENT, UNKNOWN)
    await h.press(PARENT, offer, texts.BTN_ASK_SHORT)
    card = await h.server.next_message(STAFF_CHAT)
    assert card.text and "От: Мария Иванова" in card.text  # staff see who asked
    assert await stored(h, PARENT.id) == ("Мария", "Иванова", None)
    shown = await h.say(PARENT, "/my_data")
    assert "Имя из Telegram: Мария Иванова" in shown.text
    assert "Обращений к специалистам: 1" in shown.text

    asked = await h.say(PARENT, "/forget_me")
    await h.press(PARENT, asked, texts.BTN_FORGET_YES)
    assert await stored(h, PARENT.id) is None


async def test_staff_names_are_kept_they_sign_the_answers(harness: BotHarness) -> None:
    await harness.say(ADMIN, "/start")
    assert await stored(harness, ADMIN.id) == ("Анна", "Методист", "anna_moc")


async def test_a_max_parent_s_name_is_kept_only_once_they_ask_a_specialist(both: Both) -> None:
    h = both
    await as_parent(h)
    await h.say(MOTHER, KNOWN)
    uid = await max_uid(h, MOTHER)
    assert await stored(h, uid) == ("", None, None)
    shown = await h.say(MOTHER, "/my_data")
    assert f"Имя из MAX: {texts.MY_DATA_NO_NAME}" in shown.plain

    offer = await h.say(MOTHER, UNKNOWN)
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, offer, texts.BTN_ASK_SHORT)
    passed = (await h.max.wait_sent(MOTHER, before + 1))[-1]
    assert "Номер обращения" in passed.plain
    card = await h.tg.next_message(STAFF_CHAT, timeout=10)
    assert card.text and "От: Ольга Петрова" in card.text
    assert (await stored(h, uid) or ("",))[0] == "Ольга"
    shown = await h.say(MOTHER, "/my_data")
    assert "Имя из MAX: Ольга Петрова" in shown.plain


async def test_a_name_change_before_any_ticket_is_not_stored_either(both: Both) -> None:
    h = both
    await as_parent(h)
    renamed = MaxUser(MOTHER.user_id, "Оля", "П.")
    await h.say(renamed, KNOWN)
    assert await stored(h, await max_uid(h, MOTHER)) == ("", None, None)
