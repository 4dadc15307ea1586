"""/move: a person takes their data to another messenger account — mainly a teacher leaving
Telegram for MAX, but any direction, and another account of the same messenger too.

The source account gets a one-time code (8 characters of an alphabet without look-alikes,
15 minutes; only its hash is stored); the person sends it to the bot from the target account,
which moves the profile (the source's wins), registrations, consents (the proof moves with
the person), subscriptions and the role in one transaction; a staffer's staff access goes
along and leaves the old account unless the settings make it an owner (`staff_move`). Where
both accounts have a registration for one event the better one stays (attended > registered >
waiting > cancelled); the other is cancelled as «Отменить запись» cancels it, so a freed seat
goes to the first in the waiting list. Tickets stay: answers go to the chat a question came from.
A code is read in a few words around it or in the bot's message forwarded whole; in a dialog
only a message that is the code alone counts (`typed`); a code posted in a group stops
working (`burn`): anyone there could take the person's data with it.

Both messengers call this module; the buttons are neutral values (`bot.core.messages`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import fill
from bot.core.messages import Button, Deferred, Keyboard, Messenger, Unreachable, pack, rows
from bot.services.events.registration import cancel_one, notify_promoted
from bot.services.profile import staff_move
from bot.services.staff.roster import Roster
from bot.texts import ROLE_TITLES
from bot.texts import transfer as t
from storage.models import FORGOTTEN_OWNER, Event, Registration, RegistrationStatus, StaffRole
from storage.repositories import Repositories
from storage.repositories.transfers import Moved

log = logging.getLogger(__name__)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1: nothing to mistake
LENGTH = 8  # 31**8 ≈ 8.5·10¹¹ codes against 15 minutes of flood-limited guesses
LIFETIME = timedelta(minutes=15)
AGAIN_AFTER = timedelta(seconds=5)  # a double tap on «Перенести» is one request
# wrong codes an account may send in an hour: typos pass, guessing (31**8 codes) is hopeless
MISSES = 10
MISS_WINDOW = timedelta(hours=1)
ACTION = "mv"  # = handlers.tg.callbacks.MoveCb
# typed on a Russian keyboard: the Cyrillic letters that look like the code's Latin ones
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХавекмнорстух", "ABEKMHOPCTYXABEKMHOPCTYX")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_]+")
_COMMAND = re.compile(r"^/move(@\w+)?\s*", re.IGNORECASE)
_PUNCTUATION = ".,:;!?«»\"'()[]"
_CODE_LINE = re.compile(r"(?:^|\n)\s*Код:\s*(\w{4}[\-‐‑–—\s]?\w{4})\b", re.IGNORECASE)
_TAG = re.compile(r"</?code>")
_FEW_WORDS = 8  # «вот мой код: K7MP-2QXA»; a longer message is a question, not a code
RANK: dict[str, int] = {
    RegistrationStatus.ATTENDED: 3,
    RegistrationStatus.REGISTERED: 2,
    RegistrationStatus.WAITING: 1,
    RegistrationStatus.CANCELLED: 0,
}


def action() -> str:
    return pack(ACTION, "ask")


def my_data_button() -> Keyboard:
    """Under /my_data: «Перенести в другой мессенджер»."""
    return rows(Button(t.BTN_MOVE, action()))


def _mixed(code: str) -> bool:
    """Letters and digits both: a word («WhatsApp») or a number a person types is no code."""
    return any(ch.isalpha() for ch in code) and any(ch.isdigit() for ch in code)


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if _mixed(code):
            return code


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _exact(text: str) -> str | None:
    code = _SEPARATORS.sub("", text).translate(_LOOKALIKES).upper()
    if len(code) != LENGTH or not set(code) <= set(ALPHABET):
        return None
    return code if _mixed(code) else None


def code_in(text: str | None) -> str | None:
    """The code a message is («k7mp 2qxa», «K7MP-2QXA», «/move K7MP2QXA») or holds among a
    few words («мой код K7MP-2QXA»), or in the line «Код: K7MP-2QXA» of the bot's message
    (forwarded to the bot from another account of the same messenger), or None."""
    rest = _COMMAND.sub("", (text or "").strip())
    whole = _exact(rest)
    # the bot's own message with the code, forwarded whole (its markup too, as MAX may)
    line = _CODE_LINE.search(_TAG.sub("", rest))
    if whole is None and line is not None:
        return _exact(line.group(1))
    words = [w.strip(_PUNCTUATION) for w in rest.split()]
    if whole is not None or not 1 < len(words) <= _FEW_WORDS:
        return whole
    pairs = (" ".join(words[i : i + 2]) for i in range(len(words) - 1))
    found = {c for c in map(_exact, [*words, *pairs]) if c is not None}
    return found.pop() if len(found) == 1 else None


def asks_code(arg: str | None) -> bool:
    """/move alone or with words («/move в MAX»): give a code. A code always has a digit, so
    words with one are a code sent back (maybe mistyped)."""
    return not any(ch.isdigit() for ch in arg or "")


def typed(text: str | None, *, in_dialog: bool, staff: bool) -> str | None:
    """The code a private message carries, where the person is: in a dialog only a message
    that is the code and nothing else, and never a staff member's (their answer to a
    teacher may quote the teacher's code: it must not take the teacher's data)."""
    if not in_dialog:
        return code_in(text)
    if staff:
        return None
    return _exact(_COMMAND.sub("", (text or "").strip()))


async def issue(repo: Repositories, roster: Roster, user_id: int, now: datetime) -> str:
    """A new code for `user_id` (the earlier one stops working), committed; the message.
    A second press a moment later gives none: two codes on the screen, the upper one void,
    and the person copies that one. Staff hear what becomes of their access."""
    if await repo.transfers.issued_since(user_id, now - AGAIN_AFTER):
        return t.JUST_GIVEN
    code = new_code()
    await repo.transfers.replace(user_id, _hash(code), now, now + LIFETIME)
    await repo.commit()
    role = await roster.role(user_id, repo)
    note = {StaffRole.OWNER: t.OWNER_STAYS, StaffRole.STAFF: t.STAFF_MOVES}
    return fill(t.INTRO, code=shown(code)) + (note[role] if role is not None else "")


@dataclass
class Transfer:
    """What redeeming a code said, and what is left to tell once it is committed."""

    text: str
    source: int | None = None  # moved from here (None: refused)
    target: int = 0
    moved: Moved | None = None
    promoted: list[tuple[Registration, Event]] = field(default_factory=list)
    staff: staff_move.StaffMoved = field(default_factory=staff_move.StaffMoved)


async def redeem(
    repo: Repositories, roster: Roster, target: int, code: str, now: datetime
) -> Transfer:
    """Move the data of the code's account to `target`, committed; a refusal changes
    nothing. The roster hears of a staffer's move at once."""
    if await repo.transfers.misses(target, now - MISS_WINDOW) >= MISSES:
        return Transfer(t.TOO_MANY)
    owner = await repo.transfers.owner(_hash(code), now)
    if owner is None:
        await repo.transfers.miss(target, now, now - MISS_WINDOW)
        await repo.commit()
        return Transfer(t.UNKNOWN)
    if owner == FORGOTTEN_OWNER:
        return Transfer(t.FORGOTTEN)
    if owner == target:  # the code stays for the account it is meant for
        return Transfer(t.SAME)
    claimed = await repo.transfers.claim(_hash(code), now)
    if claimed is None:  # a second message with the same code, a moment later
        return Transfer(t.UNKNOWN)
    source = await repo.users.get(claimed)
    if source is None:  # deleted between the look and the claim
        await repo.commit()
        return Transfer(t.FORGOTTEN)
    # a code the target got before is void: both codes swapped «to be sure» would carry the
    # data back where it came from
    await repo.transfers.drop_codes(target)
    promoted = await _resolve_shared(repo, source.id, target, now)
    moved = await repo.transfers.move(source.id, target)
    await repo.documents.move(source.id, target)  # a document asked for again is still one
    staff = await staff_move.move_staff(repo, roster, source.id, target, now)
    moved = replace(moved, staff=staff.changed)
    await repo.commit()
    await staff_move.announce(roster, staff, source.id, target)
    return Transfer(summary(moved, t.DONE), source.id, target, moved, promoted, staff)


async def burn(repo: Repositories, code: str, now: datetime) -> int | None:
    """A code shown in a group: anyone there could take the person's data with it, so it
    stops working (committed); the account to tell, or None (no such live code)."""
    owner = await repo.transfers.claim(_hash(code), now)
    await repo.commit()
    return None if owner in (None, FORGOTTEN_OWNER) else owner


async def warn_burned(messenger: Messenger, owner: int) -> None:
    """The owner learns why their code no longer works (a lost message loses nothing)."""
    try:
        await messenger.send(owner, t.BURNED)
    except (Unreachable, Deferred) as exc:
        log.info("the owner %s of a code shown in a group not told: %s", owner, exc)


async def _resolve_shared(
    repo: Repositories, source: int, target: int, now: datetime
) -> list[tuple[Registration, Event]]:
    """One registration per event: the better stays, the other is cancelled as «Отменить
    запись» cancels it (a seat goes to the waiting list) and removed; the meetings it was
    ticked present at stay ticked on the one kept (the report's visits). The better one is
    ATTENDED whenever the other is, so the kept status needs no change."""
    promoted = []
    for mine, theirs in await repo.transfers.shared(source, target):
        # equal ones: the earlier place in the queue (or seat) stays
        keep = max((theirs, mine), key=lambda r: (RANK.get(r.status, 0), -r.queued_at.timestamp()))
        drop = theirs if keep is mine else mine
        result = await cancel_one(repo, drop, mine.event, now)
        if result.promoted is not None:
            promoted.append((result.promoted, mine.event))
        await repo.events.carry_marks(drop.id, keep.id)
        await repo.transfers.drop_registration(drop)
    return promoted


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    return forms[1] if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else forms[2]


def summary(moved: Moved, template: str, **values: str) -> str:
    """«Перенесено: профиль, 3 записи на мероприятия, …», or that there was nothing."""
    parts = [t.PROFILE] if moved.profile else []
    if moved.registrations:
        parts.append(f"{moved.registrations} {_plural(moved.registrations, t.REGISTRATIONS)}")
    if moved.consents:
        parts.append(f"{moved.consents} {_plural(moved.consents, t.CONSENTS)}")
    if moved.subscriptions:
        parts.append(t.SUBSCRIPTIONS)
    if moved.role:
        parts.append(fill(t.ROLE, role=ROLE_TITLES.get(moved.role, moved.role)))
    if moved.staff:
        parts.append(t.STAFF_ACCESS)
    if not parts:
        return t.NOTHING
    return fill(template, what=", ".join(parts), **values)


def _where(source: int, target: int) -> str:
    channel = t.CHANNELS[channel_of(target)]
    if channel_of(source) == channel_of(target):
        return fill(t.OTHER_ACCOUNT, channel=channel)
    return channel


async def tell(messenger: Messenger, done: Transfer, settings: Settings, now: datetime) -> None:
    """After the commit: the source account learns where its data went, the first in each
    waiting list of a freed seat. A send that fails loses nothing: the move is done."""
    if done.source is None or done.moved is None:
        return
    for registration, event in done.promoted:
        await notify_promoted(messenger, registration, event, settings, now)
    text = summary(done.moved, t.SOURCE_NOTICE, where=_where(done.source, done.target))
    if text == t.NOTHING:
        return
    if done.staff.joined and not done.staff.left:  # an owner by the settings stays one
        text += t.OWNER_KEPT
    elif done.staff.left:
        text += t.STAFF_LEFT
    try:
        await messenger.send(done.source, text)
    except (Unreachable, Deferred) as exc:
        log.info("the moved-from account %s not told: %s", done.source, exc)
