"""The doors into the teacher's form (consent → ФИО → … → mailing) while it is already open.

«Записаться» on an event card (for a teacher with no profile) and «Изменить профиль» open the
form with the consent question (152-ФЗ). A double tap, or a tap on a second card a moment
later, used to send that question twice — both copies answering one form. Updates of one
chat are handled one after another (aiogram's isolation, MAX's dispatch), so the second tap
finds the first one's form in the dialog's state (the database or Redis: also after a
restart) and, while it is fresh, leaves it open instead of asking again:

- the same event, or «Изменить профиль»: only a short notice on the button (the callback's
  answer) — the question is right above, a message would push it up and look like a step;
- another event: the form is now for the event tapped last, and the notice names it. A
  teacher who taps a second card means the second one (the card they are looking at now);
  registering for both silently would take a seat they may not want, and once the form is
  done the first card is one tap away without any form. Telegram shows this notice as an
  alert: it changes what the form will do, so it is not a toast that vanishes unread.

A form left for longer than `FRESH` is no longer «above» anything the teacher sees: a tap
then opens it anew, as before — its answers so far are dropped and the consent comes first
again, as in any new form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.markup import clip
from bot.texts import events as t
from storage.models import Event

FRESH = timedelta(hours=1)
OPENED = "opened"  # when the form was opened: the key in the dialog's data
TITLE_LIMIT = 50  # Telegram's callback notice holds 200 characters


def opening(pending_event: int | None, orgs: list[str], now: datetime) -> dict[str, Any]:
    """The data a new form starts with: the event it registers for, the organisations to
    offer as buttons, and when it was opened."""
    return {"pending_event": pending_event, "orgs": orgs, OPENED: now.isoformat()}


@dataclass(frozen=True)
class Reentry:
    """The open form stays: its data to keep, and the notice for the pressed button."""

    form: dict[str, Any]
    note: str
    moved: bool  # the form now registers for another event than before


def _fresh(form: Mapping[str, Any], now: datetime) -> bool:
    try:
        opened = datetime.fromisoformat(str(form.get(OPENED)))
    except ValueError:
        return False  # a form opened before this check, or a broken state: open anew
    return opened.tzinfo is not None and now - opened <= FRESH


def reentry(form: Mapping[str, Any] | None, event: Event | None, now: datetime) -> Reentry | None:
    """A tap on «Записаться» for `event` (None: «Изменить профиль») while `form` (the open
    form's data; None or {} when no form is open) waits for an answer. None: no fresh form,
    so the caller opens one with the consent question."""
    if not form or not _fresh(form, now):
        return None
    if event is None or event.id == form.get("pending_event"):
        return Reentry(dict(form), t.FORM_OPEN, moved=False)
    # a plain-text notice (not HTML): the title goes in as it is, only shortened
    note = t.FORM_OPEN_OTHER.format(title=clip(event.title, TITLE_LIMIT))
    return Reentry({**form, "pending_event": event.id}, note, moved=True)
