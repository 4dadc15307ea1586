"""An outside QA pass over news subscriptions as their readers meet them, in Telegram and MAX:
a teacher who said «Да, присылать» in the form and later taps «Отписаться» under the news,
or subscribes with /subscribe after saying «Нет»; what /profile and /my_data then say."""

from __future__ import annotations

from bot import texts
from broadcasts import service
from broadcasts.content import Content
from storage.repositories import Repositories
from tests.conftest import ADMIN, PARENT, TEACHER
from tests.helpers.max_both import (
    MOTHER,
    TEACHER_MAX,
    Both,
    as_parent,
    max_answer,
    seed_max_teacher,
)
from tests.test_e2e_broadcasts import NOW, Staff, answered
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture
from tests.test_e2e_events import seed_teacher


async def said_yes_in_the_form(repo: Repositories, user_id: int) -> None:
    """What «Да, присылать» at the end of the teacher's form leaves (teachers.save)."""
    profile = await repo.profiles.get(user_id)
    assert profile is not None
    profile.mailing_consent = True
    await repo.profiles.give_consent(user_id, "mailing", "2026-11-25")
    await repo.chats.subscribe(user_id, "teachers")
    await repo.commit()


async def test_unsubscribe_button_under_the_news_turns_the_profiles_announcements_off(
    harness: Staff,
) -> None:
    """«Отписаться» under a teachers' broadcast ended the subscription, but /profile still said
    «Анонсы мероприятий: да» and /my_data the mailing consent stood: /unsubscribe withdrew both,
    the button neither."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    async with h.sessionmaker() as session:
        await said_yes_in_the_form(Repositories(session), TEACHER.id)
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Семинар в четверг"),
            target=service.Target(("teachers",)), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    news = await h.server.next_message(TEACHER.id, timeout=10)
    assert news.inline_texts == ["Отписаться"]
    assert "Анонсы мероприятий: да" in (await h.say(TEACHER, "/profile")).text

    h.server.press(news, "Отписаться", user=TEACHER)
    await answered(h, "отписались")
    assert "отписались" in (await h.server.next_message(TEACHER.id)).text
    assert "Анонсы мероприятий: нет" in (await h.say(TEACHER, "/profile")).text
    mine = (await h.say(TEACHER, "/my_data")).text or ""
    assert "Подписки на новости: нет" in mine
    assert "на рассылку (версия 2026-11-25), дано" in mine and ", отозвано" in mine, mine


async def test_unsubscribe_button_in_max_turns_the_profiles_announcements_off(
    both: Both,
) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:
        await said_yes_in_the_form(Repositories(session), uid)
    await h.start(TEACHER_MAX)
    shown = await h.say(TEACHER_MAX, "/profile")
    assert "Анонсы мероприятий: да" in shown.plain, shown.plain

    before = len(h.max.sent_to(TEACHER_MAX))
    callback = h.max.press_payload(TEACHER_MAX, shown, "unsub:teachers")
    assert "отписались" in await max_answer(h, callback)
    told = (await h.max.wait_sent(TEACHER_MAX, before + 1))[-1]
    assert "Вы отписались" in told.plain
    shown = await h.say(TEACHER_MAX, "/profile")
    assert "Анонсы мероприятий: нет" in shown.plain, shown.plain
    async with h.sessionmaker() as session:
        assert not await Repositories(session).profiles.has_open_consent(uid, "mailing")


async def test_subscribe_after_no_in_the_form_turns_the_profiles_announcements_on(
    harness: Staff,
) -> None:
    """A teacher who said «Нет, спасибо» in the form and later /subscribe got the teachers'
    news while /profile went on saying «Анонсы мероприятий: нет» and /my_data listed no
    mailing consent; a second /subscribe must not record a second one."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    assert "Анонсы мероприятий: нет" in (await h.say(TEACHER, "/profile")).text
    assert "Вы подписаны" in (await h.say(TEACHER, "/subscribe")).text
    assert "уже подписаны" in (await h.say(TEACHER, "/subscribe")).text
    assert "Анонсы мероприятий: да" in (await h.say(TEACHER, "/profile")).text
    mine = (await h.say(TEACHER, "/my_data")).text or ""
    assert "Подписки на новости: Педагоги" in mine
    assert mine.count("на рассылку (версия") == 1 and ", отозвано" not in mine, mine

    await h.say(TEACHER, "/unsubscribe")
    assert "Анонсы мероприятий: нет" in (await h.say(TEACHER, "/profile")).text


async def test_unsubscribe_under_news_for_everyone_names_the_subscription_left(
    harness: Staff,
) -> None:
    """A director who said «Да, присылать» in the form (teachers' news) and /subscribe as a
    director got a broadcast for everyone with «Отписаться» (for «Руководители»). The tap
    said «Вы отписались от новостей МОЦ», a second «Вы уже отписаны» — and the next news for
    everyone still came, through the teachers' subscription nobody mentioned."""
    h = harness
    await seed_teacher(h.sessionmaker, TEACHER)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.users.set_role(TEACHER.id, "director")
        await said_yes_in_the_form(repo, TEACHER.id)
        await repo.chats.subscribe(TEACHER.id, "directors")
        await service.create_broadcast(
            session, author_id=ADMIN.id, content=Content("text", "Новости для всех"),
            target=service.Target(("all",)), at=NOW, now=NOW,
        )  # fmt: skip
        await session.commit()
    h.worker.wake()
    news = await h.server.next_message(TEACHER.id, timeout=10)

    h.server.press(news, "Отписаться", user=TEACHER)
    await answered(h, "Руководители")
    told = (await h.server.next_message(TEACHER.id)).text or ""
    assert "Руководители" in told and "Педагоги" in told and "/unsubscribe" in told, told
    h.server.press(news, "Отписаться", user=TEACHER)
    again = await answered(h, "Педагоги")
    assert "/unsubscribe" in str(again.params["text"])

    await h.say(TEACHER, "/unsubscribe")
    h.server.press(news, "Отписаться", user=TEACHER)
    assert (await answered(h, "отписаны")).params["text"] == "Вы уже отписаны."


async def test_unsubscribe_in_max_names_the_subscription_left(both: Both) -> None:
    h = both
    uid = await seed_max_teacher(h.sessionmaker, TEACHER_MAX)
    async with h.sessionmaker() as session:
        repo = Repositories(session)
        await repo.chats.subscribe(uid, "directors")
        await said_yes_in_the_form(repo, uid)
    welcome = await h.start(TEACHER_MAX)

    before = len(h.max.sent_to(TEACHER_MAX))
    callback = h.max.press_payload(TEACHER_MAX, welcome, "unsub:directors")
    assert "Руководители" in await max_answer(h, callback)
    told = (await h.max.wait_sent(TEACHER_MAX, before + 1))[-1].plain
    assert "Остаются подписки: Педагоги" in told and "/unsubscribe" in told, told
    again = h.max.press_payload(TEACHER_MAX, welcome, "unsub:directors")
    assert "Остаются подписки: Педагоги" in await max_answer(h, again)


async def test_a_new_role_moves_the_news_subscribed_for_the_old_one(harness: Staff) -> None:
    """/subscribe is «news by your role»: a parent who subscribed and then said they are a
    director (/role) went on getting the parents' news, unknowingly, and no directors' news."""
    h = harness
    welcome = await h.say(PARENT, "/start")
    await h.press(PARENT, welcome, texts.ROLE_TITLES["parent"])
    await h.server.callback_answer()
    assert "Родители" in (await h.say(PARENT, "/subscribe")).text
    again = await h.say(PARENT, "/role")
    saved = await h.press(PARENT, again, texts.ROLE_TITLES["director"])
    said = saved.text or ""
    assert "вы — Руководитель" in said, said
    assert "Руководители" in said and "вместо «Родители»" in said, said
    async with h.sessionmaker() as session:
        assert await Repositories(session).chats.subscriptions(PARENT.id) == ["directors"]


async def test_a_new_role_in_max_moves_the_news_too(both: Both) -> None:
    h = both
    await as_parent(h)
    assert "Родители" in (await h.say(MOTHER, "/subscribe")).plain
    prompt = await h.say(MOTHER, "/role")
    before = len(h.max.sent_to(MOTHER))
    h.max.press(MOTHER, prompt, texts.ROLE_TITLES["teacher"])
    saved = (await h.max.wait_sent(MOTHER, before + 1))[-1].plain
    assert "Педагоги" in saved and "вместо «Родители»" in saved, saved
