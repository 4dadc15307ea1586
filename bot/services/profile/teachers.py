"""A teacher's profile (ФИО, organisation, position, contact) and the consent it rests on.

The consent comes first (152-ФЗ): until the teacher agrees, the dialog asks nothing, so no
name or phone waits anywhere, not even in the dialog's state (kept in the database or Redis).
`agree` records the proof (the version of the text, when) at the moment of agreeing; `save`
writes the answers at the end, with the optional mailing consent.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.config import Settings
from bot.core.markup import fill_region
from bot.texts import events as t
from storage.models import User
from storage.repositories import Repositories

# the text names the operator's address and how long the consent lasts (152-ФЗ ст. 9 ч. 4)
CONSENT_VERSION = "2026-12-06.2"
# a dialog begun under an earlier text still completes: its proof names the text agreed to
CONSENT_VERSIONS = frozenset({CONSENT_VERSION, "2026-12-06", "2026-11-25"})
NAME_LIMIT, ORG_LIMIT, POSITION_LIMIT = 200, 300, 200
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
FIELDS = ("full_name", "organisation", "position", "contact")


def consent_text(settings: Settings) -> str:
    """Step 1 of the form: the consent as 152-ФЗ ст. 9 ч. 4 wants it — the operator (name and,
    when set, address), the data, the purposes, how long it lasts and how to withdraw it."""
    return fill_region(
        t.CONSENT, moc=settings.moc_name, address=settings.moc_address, version=CONSENT_VERSION
    )


def valid_name(text: str) -> bool:
    """At least two words of letters (Фамилия Имя), no digits, within the column's size."""
    words = [w for w in text.split() if _LETTERS.search(w)]
    return len(words) >= 2 and len(text) <= NAME_LIMIT and not any(c.isdigit() for c in text)


def tidy_name(text: str) -> str:
    """«иванова мария петровна» or «ИВАНОВА МАРИЯ» as a name is written: it goes into the
    participation document and the participants' list. Mixed case is left as typed."""
    if text != text.lower() and text != text.upper():
        return text
    return " ".join(
        "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")) for w in text.split()
    )


def complete(answers: dict[str, Any]) -> bool:
    """A dialog restarted from an old message may lack answers, or the consent (a dialog
    begun before the consent came first): nothing is saved then."""
    return answers.get("consent") in CONSENT_VERSIONS and all(k in answers for k in FIELDS[:3])


async def agree(repo: Repositories, user_id: int) -> dict[str, str]:
    """The proof of consent, written when the button is pressed; returns what the dialog's
    state keeps so that `complete` knows it. The caller commits."""
    await repo.profiles.give_consent(user_id, "personal_data", CONSENT_VERSION)
    return {"consent": CONSENT_VERSION}


async def save(repo: Repositories, user: User, answers: dict[str, Any], mailing: bool) -> None:
    """The profile, and the mailing consent given or withdrawn; the caller commits."""
    await repo.profiles.save(
        user.id,
        full_name=tidy_name(answers["full_name"]),
        organisation=answers["organisation"],
        position=answers["position"],
        contact=answers.get("contact", ""),
        mailing_consent=mailing,
    )
    if mailing:  # «Да, присылать» is a subscription to the teachers' news, not only a note
        await repo.profiles.give_consent(user.id, "mailing", CONSENT_VERSION)
        await repo.chats.subscribe(user.id, "teachers")
        await repo.users.keep_name_of(user.id)  # a mailing list names its subscribers
    else:  # «Нет, спасибо» after «Изменить профиль» withdraws an earlier «Да»
        await repo.profiles.withdraw_consents(user.id, kind="mailing")
        await repo.chats.unsubscribe(user.id, "teachers")
        await repo.users.drop_unneeded_name(user.id)  # kept for the mailing list alone
