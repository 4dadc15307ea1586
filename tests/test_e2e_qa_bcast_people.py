"""An outside QA pass over broadcasts as the people on both ends notice them: the МОЦ staffer
who writes one in MAX or Telegram, the parents' and directors' groups that get it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.texts import broadcasts as bt
from broadcasts.content import Content
from broadcasts.service import Target, create_broadcast
from storage.models import Broadcast, BroadcastState, DeliveryStatus
from tests.conftest import ADMIN, PARENT
from tests.fakes.max_model import Message
from tests.helpers.events import seed_event
from tests.helpers.max_both import Both
from tests.helpers.wait import until
from tests.test_e2e_broadcasts import NOW, Staff, broadcasts_in_db, txt
from tests.test_e2e_broadcasts import harness as harness  # a fixture
from tests.test_e2e_broadcasts import settings as settings  # a fixture
from tests.test_e2e_gone_groups import h as h  # a fixture
from tests.test_e2e_gone_groups import seed_telegram
from tests.test_e2e_group_unbound_midway import TEXT, finished, ledger, start_broadcast
from tests.test_e2e_max_broadcast_compose import (
    MAX_PARENTS,
    STAFFER,
    TG_PARENTS,
    World,
    to_the_time,
)
from tests.test_e2e_max_broadcast_compose import world as world  # a fixture

BOLD_NEWS = "Внимание! Собрание <в пятницу> в 18:00, программа на сайте"
TRIP = "Экскурсия в музей в субботу"
BOLD_MARKUP = [
    {"type": "strong", "from": 0, "length": 9},
    {"type": "emphasized", "from": 10, "length": 8},
    {"type": "link", "from": 47, "length": 11, "url": "https://moc.example/plan?a=1&b=2"},
]


async def test_bold_italics_and_a_link_typed_in_max_reach_both_messengers(world: World) -> None:
    """MAX keeps a message's formatting apart from its words (`markup`): the parents of both
    messengers see «Внимание!» bold and the link, as the staffer typed it, not bare words."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    before = len(w.h.max.sent_to(STAFFER))
    w.h.max.user_writes(STAFFER, BOLD_NEWS, markup=BOLD_MARKUP)
    audiences: Message = (await w.h.max.wait_sent(STAFFER, before + 1))[before]
    when = await to_the_time(w, audiences)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert sample.plain == BOLD_NEWS and "<b>Внимание!</b>" in sample.text  # the preview too
    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    await until(lambda: w.tg_news() and w.max_news(), 15, "both groups got it")
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.text == BOLD_NEWS  # «<в пятницу>» shown as typed
    shown = {(e["type"], e["offset"], e["length"], e.get("url")) for e in tg.entities}
    assert shown == {
        ("bold", 0, 9, None),
        ("italic", 10, 8, None),
        ("text_link", 47, 11, "https://moc.example/plan?a=1&b=2"),
    }
    (mx,) = w.h.max.sent_to(MAX_PARENTS)
    assert mx.plain == BOLD_NEWS
    assert "<b>Внимание!</b>" in mx.text and "<i>Собрание</i>" in mx.text
    assert '<a href="https://moc.example/plan?a=1&amp;b=2">' in mx.text


async def test_a_time_max_cannot_read_is_explained_without_raw_tags(world: World) -> None:
    """«Когда отправить?» answered «в пятницу вечером»: the staffer reads the examples in
    italics, as Telegram shows them, not «<i>25.12.2026 15:00</i>» letter by letter."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    audiences = await w.h.say(STAFFER, "Собрание в пятницу")
    when = await to_the_time(w, audiences)
    again = await w.h.say(STAFFER, "в пятницу вечером")
    assert again.plain.startswith("Не понял дату и время")
    assert "25.12.2026 15:00" in again.plain and "<i>" not in again.plain
    assert again.plain.endswith(when.plain)  # the question asked again
    past = await w.h.say(STAFFER, "01.01.2020 10:00")
    assert past.plain.startswith("Это время уже прошло (01.01.2020 10:00)")


async def test_a_parent_who_unsubscribes_does_not_get_the_broadcast_still_going_out(
    h: Both,
) -> None:
    """Two announcements go out one after the other; a mother presses «Отписаться» under the
    first while the second has not reached her yet (its first try met a 502). The second does
    not come a minute after she left, and its author reads why one fewer got it."""
    await seed_telegram(h)  # four parents' groups; PARENT subscribed in private
    first = await start_broadcast(h)
    await finished(h, first)
    (meeting,) = [m for m in h.tg.sent_to(PARENT.id) if TEXT in (m.text or "")]
    h.tg.fail_next("sendMessage", status=502, description="Bad Gateway", chat_id=PARENT.id,
                   matching=TRIP)  # fmt: skip
    async with h.sessionmaker() as s:
        second = await create_broadcast(
            s, author_id=ADMIN.id, content=Content("text", TRIP), target=Target(("parents",)),
            at=None, now=datetime.now(UTC),
        )  # fmt: skip
        await s.commit()
    await h.tg.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") == PARENT.id and TRIP in c.params["text"]
    )
    h.tg.press(meeting, "Отписаться", user=PARENT)
    await h.tg.wait_for("answerCallbackQuery", lambda c: "отписались" in str(c.params))
    await finished(h, second.id)

    assert not [m for m in h.tg.sent_to(PARENT.id) if TRIP in (m.text or "")]
    row = await ledger(h, second.id, PARENT.id)
    assert row.status == DeliveryStatus.FAILED and "отписался" in (row.error or "")

    def report() -> str:
        said = [m.text or "" for m in h.tg.sent_to(ADMIN.id)]
        done = [text for text in said if f"№{second.id} завершена" in text]
        return done[-1] if done else ""

    await until(report, 10, "the report on the second broadcast")
    assert "Доставлено: 4 из 5" in report()
    assert "получатель отписался во время рассылки — не отправлено — 1" in report()


async def test_a_link_too_long_for_max_is_refused_at_its_step_not_at_the_preview(
    world: World,
) -> None:
    """A prefilled form link of 2,100 characters typed as the button: MAX takes no link over
    2048, so the staffer is asked for a shorter one right there — not «что-то пошло не так»
    at the preview, and not a broadcast whose MAX groups all fail."""
    w = world
    await w.h.say(STAFFER, "/broadcast")
    audiences = await w.h.say(STAFFER, "Анкета для родителей")
    await w.toggle(audiences, "Родители")
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    (asked,) = await w.step(tags, bt.BTN_NO_TAGS)
    assert asked.plain.startswith("Добавить кнопку")
    long_link = "https://forms.example/form?entry=" + "а" * 2100
    again = await w.h.say(STAFFER, f"Анкета | {long_link}")
    assert again.plain.startswith("Не понял кнопку") and "2048" in again.plain
    ack_q = await w.h.say(STAFFER, "Анкета | https://forms.example/form")
    (when,) = await w.step(ack_q, bt.BTN_ACK_OFF)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    assert sample.button("Анкета")["url"] == "https://forms.example/form"
    assert "Получателей: 2" in summary.plain


async def test_a_broadcast_set_for_next_month_stays_in_the_list_to_be_cancelled(
    harness: Staff,
) -> None:
    """A parents' meeting announced for next month, then a dozen event notices and other
    broadcasts: /broadcasts still shows it first, with «Отменить» and «Перенести» under it
    (before, only the ten latest were listed and it could no longer be cancelled in the bot)."""
    h = harness
    async with h.sessionmaker() as s:
        await create_broadcast(
            s, author_id=ADMIN.id, content=Content("text", "Собрание 25 декабря"),
            target=Target(("parents",)), at=NOW + timedelta(days=24), now=NOW,
        )  # fmt: skip
        for n in range(12):  # sent since: announcements and notices of event changes
            s.add(Broadcast(
                author_id=ADMIN.id, content=Content("text", f"Новость {n}").to_json(),
                audiences="parents", state=BroadcastState.DONE, scheduled_at=NOW,
            ))  # fmt: skip
        await s.commit()
    listing = await h.say(ADMIN, "/broadcasts")
    shown = txt(listing)
    assert "Собрание 25 декабря" in shown and "Новость 11" in shown
    assert shown.index("Собрание 25 декабря") < shown.index("Новость 11")  # waiting first
    cancelled = await h.press(ADMIN, listing, "❌ №1 Отменить")
    assert "№1" in txt(cancelled) and "отмен" in txt(cancelled).lower()
    (first, *_) = await broadcasts_in_db(h)
    assert first.state == BroadcastState.CANCELLED


async def test_a_document_too_big_for_the_max_groups_is_refused_when_sent(h: Both) -> None:
    """A 21 MB presentation sent to the Telegram dialog while MAX groups get the broadcasts
    too: the bot could not fetch it from Telegram for them (a bot gets files up to 20 MB), so
    the staffer hears it at once, not after every MAX group failed; a smaller one is taken."""
    h.tg.user_sends("/broadcast", user=ADMIN)
    await until(lambda: any("Новая рассылка" in (m.text or "") for m in h.tg.sent_to(ADMIN.id)))
    before = len(h.tg.sent_to(ADMIN.id))
    big = {"document": {"file_id": "big-pdf", "file_unique_id": "u-big-pdf",
                        "file_name": "презентация.pdf", "mime_type": "application/pdf",
                        "file_size": 21 * 1024 * 1024 + 300_000}}  # fmt: skip
    h.tg.user_sends(None, user=ADMIN, extra=big)
    await until(lambda: len(h.tg.sent_to(ADMIN.id)) > before)
    refusal = h.tg.sent_to(ADMIN.id)[before].text or ""
    assert refusal.startswith("Файл — 21,3 МБ") and "MAX его не получат" in refusal
    before = len(h.tg.sent_to(ADMIN.id))
    small = {"document": {**big["document"], "file_id": "small-pdf", "file_size": 900_000}}
    h.tg.user_sends(None, user=ADMIN, extra=small)
    await until(lambda: len(h.tg.sent_to(ADMIN.id)) > before)
    assert "Кому отправить" in (h.tg.sent_to(ADMIN.id)[before].text or "")


async def test_signup_under_an_announcement_opens_the_bot_in_each_readers_messenger(
    world: World,
) -> None:
    """«📝 Записаться» under an announcement: a teacher in the MAX group lands on the event's
    card in the MAX bot — not sent off to Telegram, which they may not have; Telegram's
    readers keep Telegram's link. The MAX staffer's preview shows what MAX readers get."""
    w = world
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    event_id = await seed_event(w.h.sessionmaker, starts_at=soon, title="Семинар наставников")
    await w.h.say(STAFFER, "/broadcast")
    audiences = await w.h.say(STAFFER, "Приглашаем на семинар наставников")
    await w.toggle(audiences, "Родители")
    (tags,) = await w.step(audiences, bt.BTN_NEXT)
    (button_q,) = await w.step(tags, bt.BTN_NO_TAGS)
    (events,) = await w.step(button_q, bt.BTN_EVENT_BUTTON)
    picked = next(b["text"] for r in events.buttons() for b in r if "Семинар" in b["text"])
    (ack_q,) = await w.step(events, picked)
    (when,) = await w.step(ack_q, bt.BTN_ACK_OFF)
    (repeat,) = await w.step(when, bt.BTN_NOW)
    sample, summary = await w.step(repeat, bt.BTN_REPEAT_NONE, 2)
    in_max = f"https://max.ru/moc_test_bot?start=event_{event_id}"
    assert sample.button(bt.EVENT_BUTTON_LABEL)["url"] == in_max
    await w.step(summary, bt.BTN_CONFIRM_NOW, 2)
    await until(lambda: w.tg_news() and w.max_news(), 15, "both groups got it")
    (mx,) = w.h.max.sent_to(MAX_PARENTS)
    assert mx.button(bt.EVENT_BUTTON_LABEL)["url"] == in_max
    (tg,) = w.h.tg.sent_to(TG_PARENTS)
    assert tg.reply_markup is not None
    (url,) = [b["url"] for row in tg.reply_markup["inline_keyboard"] for b in row if "url" in b]
    assert url.startswith("https://t.me/") and url.endswith(f"?start=event_{event_id}")


async def test_an_albums_document_too_big_for_max_is_left_out_and_said_so(h: Both) -> None:
    """Two documents as one album, the second 21 MB: it is left out with the reason (the MAX
    groups could not get it), the first stays the broadcast's and the dialog goes on."""
    h.tg.user_sends("/broadcast", user=ADMIN)
    await until(lambda: any("Новая рассылка" in (m.text or "") for m in h.tg.sent_to(ADMIN.id)))
    before = len(h.tg.sent_to(ADMIN.id))
    for n, size in enumerate((900_000, 21 * 1024 * 1024 + 300_000)):
        doc = {"file_id": f"doc-{n}", "file_unique_id": f"u-doc-{n}", "file_name": f"{n}.pdf",
               "mime_type": "application/pdf", "file_size": size}  # fmt: skip
        h.tg.user_sends(None, user=ADMIN, extra={"document": doc, "media_group_id": "77"})
    await until(lambda: len(h.tg.sent_to(ADMIN.id)) >= before + 2)
    said = [m.text or "" for m in h.tg.sent_to(ADMIN.id)[before:]]
    assert "Кому отправить" in said[0]
    assert said[1].startswith("Этот файл альбома — 21,3 МБ") and "не войдёт" in said[1]
