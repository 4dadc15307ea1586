"""An outside QA pass, continued (tests/test_e2e_qa_teacher.py): «📣 Анонсировать» under the
card of an event nobody can sign up for any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.config import Settings
from bot.services.events.cards import day_text
from bot.texts import broadcasts as t
from handlers.broadcasts_admin.compose import announcement
from storage.models import Event, EventSession, EventStatus
from tests.conftest import ADMIN
from tests.helpers.events import seed_event
from tests.helpers.max_both import Both


async def test_a_held_seminar_is_not_announced(both: Both) -> None:
    """The staff card of a seminar held yesterday still offers «📣 Анонсировать»: it made an
    announcement with «Записаться» to a day that is over, to be sent to every teachers' chat
    (a broadcast's own event button offers only events open for sign-up)."""
    h = both
    held = datetime.now(UTC) - timedelta(days=1)
    event_id = await seed_event(h.sessionmaker, starts_at=held, title="Семинар")
    h.tg.user_sends("/help", user=ADMIN)
    anchor = await h.tg.next_message(ADMIN.id)

    h.tg.press_data(anchor, f"eva:announce:{event_id}", user=ADMIN)
    told = (await h.tg.callback_answer()).params
    assert told.get("text") == t.ANNOUNCE_SHUT and told.get("show_alert")
    await h.tg.idle()
    assert h.tg.sent_to(ADMIN.id) == [anchor]  # no «Анонс мероприятия готов»


def test_a_workshops_announcement_names_every_meeting(settings: Settings) -> None:
    """The announcement of a three-meeting workshop gave only the first date, as if it were
    one seminar — the card, the confirmation and the notices name them all."""
    days = [datetime(2027, 3, 1, 12, 0, tzinfo=UTC) + timedelta(days=7 * n) for n in range(3)]
    workshop = Event(
        title="Мастерская", kind="workshop", starts_at=days[0], duration_min=90,
        format="offline", place="ул. Ленина, 1", capacity=20, taken=0,
        status=EventStatus.PUBLISHED,
    )  # fmt: skip
    workshop.sessions = [EventSession(starts_at=d, duration_min=90) for d in days]
    text = announcement(workshop, settings)
    for day in days:
        assert day_text(day, settings.tz) in text, text
