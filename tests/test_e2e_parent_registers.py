"""A parent subscribed to the parents' news registers for a teachers' event, in Telegram and
MAX: registering makes them a teacher in the bot's menu, as /role would, but a parent who
signs up for a seminar is still a parent. Their news stay (the confirmation says so and how to
get the teachers' announcements too); a later /role does not drop either of the two."""

from __future__ import annotations

from bot import texts
from bot.texts import events as t
from storage.repositories import Repositories
from tests.conftest import PARENT, BotHarness
from tests.helpers.events import seed_event as seed_max_event
from tests.helpers.max_both import MOTHER, SOON, Both, as_parent
from tests.test_e2e_events import clock as clock  # a fixture
from tests.test_e2e_events import seed_event
from tests.test_e2e_events import settings as settings  # a fixture

KEPT = "Новости для родителей приходят вам, как и раньше (ваши подписки: Родители)"


async def give_profile(repo: Repositories, user_id: int) -> None:
    """A teacher's profile from an earlier form, «Анонсы мероприятий: нет»."""
    await repo.profiles.save(
        user_id, full_name="Петрова Ольга Ивановна", organisation="ДДТ", position="Педагог",
        contact="+7 900 000-00-00", mailing_consent=False,
    )  # fmt: skip
    await repo.commit()


async def subscriptions(h: BotHarness | Both, user_id: int) -> list[str]:
    async with h.sessionmaker() as session:
        return sorted(await Repositories(session).chats.subscriptions(user_id))


async def test_a_subscribed_parent_registering_keeps_the_news_and_hears_so(
    harness: BotHarness,
) -> None:
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.server.callback_answer()
    assert "Родители" in (await h.say(PARENT, "/subscribe")).text
    async with h.sessionmaker() as session:
        await give_profile(Repositories(session), PARENT.id)
    event_id = await seed_event(h.sessionmaker, capacity=30)

    card = await h.say(PARENT, f"/start event_{event_id}")
    confirmed = await h.press(PARENT, card, t.BTN_REGISTER)
    said = confirmed.text or ""
    assert "Вы записаны" in said and KEPT in said and "/subscribe" in said, said
    assert await subscriptions(h, PARENT.id) == ["parents"]
    assert (await h.server.next_message(PARENT.id)).document is not None  # the .ics
    await h.server.idle()  # the card redrawn

    assert "Педагоги" in (await h.say(PARENT, "/subscribe")).text
    assert await subscriptions(h, PARENT.id) == ["parents", "teachers"]
    again = await h.say(PARENT, "/role")
    saved = await h.press(PARENT, again, texts.ROLE_TITLES["parent"])
    assert "вместо" not in (saved.text or ""), saved.text
    assert await subscriptions(h, PARENT.id) == ["parents", "teachers"]


async def test_a_subscribed_parent_registering_in_max_keeps_the_news(both: Both) -> None:
    h = both
    await as_parent(h)
    assert "Родители" in (await h.say(MOTHER, "/subscribe")).plain
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.internal("max", "user", MOTHER.user_id)
        await give_profile(repo, uid)
    event_id = await seed_max_event(h.sessionmaker, starts_at=SOON)

    card = await h.start(MOTHER, f"event_{event_id}")
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, card, t.BTN_REGISTER)
    confirmed = (await h.max.wait_sent(MOTHER, before + 2))[before]
    said = confirmed.plain
    assert "Вы записаны" in said and KEPT in said and "/subscribe" in said, said
    assert await subscriptions(h, uid) == ["parents"]


async def test_a_parent_saying_yes_in_the_form_gets_both_news(harness: BotHarness) -> None:
    """The first registration asks the form; «Да, присылать» adds the teachers' news to the
    parents' ones (not instead of them), and the profile's «Профиль сохранён» says which come."""
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.server.callback_answer()
    await h.say(PARENT, "/subscribe")
    event_id = await seed_event(h.sessionmaker, capacity=30)

    card = await h.say(PARENT, f"/start event_{event_id}")
    consent = await h.press(PARENT, card, t.BTN_REGISTER)
    await h.press(PARENT, consent, "✅ Согласен(на)")
    await h.say(PARENT, "Петрова Ольга Ивановна")
    ask_pos = await h.say(PARENT, "ДДТ")
    await h.press(PARENT, ask_pos, "Методист")
    await h.say(PARENT, "8 (900) 123-45-67")
    mailing = await h.server.next_message(PARENT.id)
    saved = (await h.press(PARENT, mailing, "Да, присылать")).text or ""
    assert "Профиль сохранён" in saved and "ваши подписки: Родители, Педагоги" in saved, saved
    assert "/subscribe" not in saved
    assert await subscriptions(h, PARENT.id) == ["parents", "teachers"]
