"""Group chats the bot is in, and the audiences they receive broadcasts for.

One place for what any messenger reports about a group — the bot added or removed, the group
renamed or moved to a new id — and for what staff decide in it: bind it to an audience, tag
it. Each function commits once; `atomically` runs it again when a concurrent update inserted
the same row first (two taps, two migration reports arriving together).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Final, TypeVar

from sqlalchemy.exc import IntegrityError

from bot.core.markup import fill, fit_toast
from bot.core.messages import Button, Keyboard, pack, rows
from bot.services.profile.teachers import CONSENT_VERSION
from bot.texts import chats as t
from storage.models import Audience, Chat, Role
from storage.repositories import Repositories
from storage.repositories.chats import ROLE_AUDIENCE, audiences_of, clean_tag, tags_of

log = logging.getLogger(__name__)
T = TypeVar("T")
# the subscription the teacher's form asks about («Анонсы мероприятий»: its mailing consent)
MAILING_AUDIENCE: Final = Audience.TEACHERS.value


async def atomically(repo: Repositories, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` and commit once; on a concurrent insert of the same row, roll back and run
    it again: now it finds the row."""
    try:
        result = await work()
        await repo.commit()
    except IntegrityError:
        log.info("a concurrent update wrote the same row first; running once more")
        await repo.rollback()
        result = await work()
        await repo.commit()
    return result


def audience_list(audiences: Iterable[str]) -> str:
    return ", ".join(t.AUDIENCE_TITLES.get(a, a) for a in audiences) or t.NOTHING


def state_text(chat: Chat) -> str:
    """What a group is bound to and tagged with, as staff see it after a change."""
    tags = ", ".join(tags_of(chat)) or t.NOTHING
    return fill(
        t.CHAT_STATE, title=chat.title, audiences=audience_list(audiences_of(chat)), tags=tags
    )


def added_state(bound: list[str], how_to_bind: str) -> str:
    """The end of «Бота добавили в …»: a new chat is asked for its audience (`how_to_bind`:
    the way from inside the chat); one added back keeps its audiences and is told so."""
    if bound:
        return fill(t.ADDED_BOUND, audiences=audience_list(bound))
    return fill(t.ADDED_PICK, audiences=audience_list(bound)) + how_to_bind


def bound_toast(chat: Chat) -> str:
    """The answer to an audience button: plain text within a callback answer's 200 characters.
    A long title is what gets cut, so the audiences the admin just set always show."""
    audiences = audience_list(audiences_of(chat))
    return fit_toast(t.BOUND_TOAST, "title", chat.title or "—", audiences=audiences)


def parse_tags(raw: Iterable[str]) -> tuple[list[str], list[str]]:
    """(clean tags, rejected originals)."""
    cleaned = [(word, clean_tag(word)) for word in raw]
    return [tag for _, tag in cleaned if tag], [word for word, tag in cleaned if tag is None]


# ------------------------------------------------------------------ what the messenger reports


async def joined(
    repo: Repositories, chat_id: int, kind: str, title: str, added_by: int | None
) -> list[str]:
    """The bot was added: the group is registered (or revived); returns its audiences."""

    async def work() -> list[str]:
        row, _ = await repo.chats.upsert(chat_id, kind, title, added_by=added_by)
        return audiences_of(row)

    return await atomically(repo, work)


async def is_upgrade(repo: Repositories, chat_id: int) -> bool:
    """The bot «joined» a supergroup the registry already follows as what a group became:
    Telegram reports the upgrade so too, and it is no new chat for staff."""
    chat = await repo.chats.get(chat_id)
    return chat is not None and chat.is_active and await repo.chats.moved_into(chat_id)


async def left(repo: Repositories, chat_id: int) -> Chat | None:
    """The bot was removed: broadcasts stop going there. The chat, whose audiences tell staff
    what no longer reaches it; None if it was not known or already out."""
    chat = await repo.chats.get(chat_id)
    if chat is None or not await repo.chats.set_active(chat_id, False):
        return None
    await repo.commit()
    return chat


def removed_notice(chat: Chat, shown_id: int, messenger: str = "") -> str | None:
    """What staff are told when the bot is removed from a group that received broadcasts
    (`shown_id`: the id in its own messenger); None for a group bound to nothing."""
    audiences = audiences_of(chat)
    if not audiences:
        return None
    kind = t.KIND_FROM.get(chat.kind, chat.kind) + messenger
    return fill(t.REMOVED, kind=kind, title=chat.title or "—", chat_id=shown_id,
                audiences=audience_list(audiences))  # fmt: skip


async def muted_notice(
    repo: Repositories, chat_id: int, *, muted: bool = True, shown_id: int | None = None,
    messenger: str = "",
) -> str | None:  # fmt: skip
    """What staff are told when a group admin takes away the bot's right to write in a group
    that receives broadcasts (the bot is still there, so this is not a removal), or gives it
    back (`muted` False); None for a group bound to nothing or not known. `shown_id`: the
    id in its own messenger (a MAX chat's, not the internal one), as `removed_notice`."""
    chat = await repo.chats.current(chat_id)
    if chat is None or not chat.is_active or not (audiences := audiences_of(chat)):
        return None
    kind = t.KIND_IN.get(chat.kind, chat.kind) + messenger
    shown = shown_id if shown_id is not None else chat.id
    return fill(t.MUTED if muted else t.UNMUTED, kind=kind, title=chat.title or "—",
                chat_id=shown, audiences=audience_list(audiences))  # fmt: skip


async def migrated(repo: Repositories, old_id: int, new_id: int, title: str | None) -> Chat:
    """The group lives on under a new id with its audiences and tags."""

    async def work() -> Chat:
        return await repo.chats.migrate(old_id, new_id, title)

    return await atomically(repo, work)


async def renamed(repo: Repositories, chat_id: int, title: str) -> None:
    if await repo.chats.rename(chat_id, title):
        await repo.commit()


# what a group member types to address the bot (besides its @name): answered, in either
# messenger, with a pointer to the private chat; the rest of a group's talk is not the bot's
ADDRESSING_COMMANDS: Final = ("start", "help", "cancel")
# /subscribe and /unsubscribe typed in a group: answered with what a group's news are (every
# member gets them; one's own news are set in the private chat), not left unanswered
NEWS_COMMANDS: Final = ("subscribe", "unsubscribe")


async def is_staff_room(repo: Repositories, chat_id: int, staff_chat_id: int | None) -> bool:
    """Whether staff commands may answer in this group: only in the staff group (STAFF_CHAT_ID,
    or the supergroup it became). In any other group every member would read the answer —
    open tickets with parents' questions, the report, the questions left unanswered."""
    if staff_chat_id is None:
        return False
    if chat_id == staff_chat_id:
        return True
    now = await repo.chats.current(staff_chat_id)
    return now is not None and now.id == chat_id


# ------------------------------------------------------------------ what staff decide


async def bind(
    repo: Repositories, chat_id: int, kind: str, title: str, audience: str, tags: list[str]
) -> Chat:
    async def work() -> Chat:
        chat, _ = await repo.chats.upsert(chat_id, kind, title)
        await repo.chats.bind(chat.id, audience)
        await repo.chats.add_tags(chat.id, tags)
        return chat

    return await atomically(repo, work)


async def unbind(repo: Repositories, chat_id: int, audience: str | None) -> Chat | None:
    """One audience, or all of them (None); None if the group is not registered."""
    chat = await repo.chats.get(chat_id)
    if chat is not None:
        await repo.chats.unbind(chat.id, audience)
        await repo.commit()
    return chat


async def tag(repo: Repositories, chat_id: int, kind: str, title: str, tags: list[str]) -> Chat:
    async def work() -> Chat:
        chat, _ = await repo.chats.upsert(chat_id, kind, title)
        await repo.chats.add_tags(chat.id, tags)
        return chat

    return await atomically(repo, work)


async def untag(repo: Repositories, chat_id: int, tags: list[str]) -> Chat | None:
    async def work() -> Chat | None:
        found = await repo.chats.get(chat_id)
        if found is not None:
            await repo.chats.remove_tags(found.id, tags)
        return found

    return await atomically(repo, work)


async def toggle(repo: Repositories, chat_id: int, audience: str) -> Chat | None:
    """An audience switched on or off by staff from their private chat; an inactive or
    unknown group is returned untouched (the caller says why nothing changed)."""

    async def work() -> Chat | None:
        chat = await repo.chats.current(chat_id)
        if chat is None or not chat.is_active:
            return chat
        if audience in audiences_of(chat):
            await repo.chats.unbind(chat.id, audience)
        else:
            await repo.chats.bind(chat.id, audience)
        return chat

    return await atomically(repo, work)


# ------------------------------------------------------------------ private subscriptions


async def subscribe(repo: Repositories, user_id: int, audience: str) -> bool:
    """The person gets private broadcasts for `audience`; False if they already did."""

    async def work() -> bool:
        await repo.users.keep_name_of(user_id)  # a mailing list names its subscribers
        return await repo.chats.subscribe(user_id, audience)

    return await atomically(repo, work)


async def _subscribe(repo: Repositories, user_id: int, audience: str) -> str:
    """One audience on, in one transaction; the reply to show. The teachers' news is what the
    form's «Анонсы мероприятий» stands for, so its flag and the mailing consent come with it."""

    async def work() -> bool:
        created = await repo.chats.subscribe(user_id, audience)
        await repo.users.keep_name_of(user_id)  # a mailing list names its subscribers
        if audience == MAILING_AUDIENCE:
            await repo.profiles.start_mailing(user_id, CONSENT_VERSION)
        return created

    created = await atomically(repo, work)
    template = t.SUBSCRIBED if created else t.ALREADY_SUBSCRIBED
    return fill(template, audience=t.AUDIENCE_TITLES[audience])


async def subscribe_by_role(repo: Repositories, user_id: int, role: str | None) -> str:
    """/subscribe in either messenger: the news for the person's role; the reply to show. The
    teachers' news is what the form's «Анонсы мероприятий» stands for, so its flag and the
    mailing consent come with it (/profile and /my_data say what the person now gets)."""
    audience = ROLE_AUDIENCE.get(role or "")
    if audience is None:
        return t.SUBSCRIBE_NEED_ROLE

    return await _subscribe(repo, user_id, audience)


async def follow_role(repo: Repositories, user_id: int, old: str | None, new: str) -> str:
    """A new role (/role in either messenger) takes the news subscribed for the old one along,
    since /subscribe is news by role; commits. The line to add to «Готово, вы — …», or ""
    when the person had no such subscription, or had the new role's news already."""
    before, after = ROLE_AUDIENCE.get(old or ""), ROLE_AUDIENCE.get(new)
    if before is None or after is None or before == after:
        return ""
    subscribed = await repo.chats.subscriptions(user_id)
    if before not in subscribed or after in subscribed:
        return ""  # both already: chosen each on its own (a parent who is also a teacher)

    async def work() -> None:
        await repo.chats.unsubscribe(user_id, before)
        if before == MAILING_AUDIENCE:
            await repo.profiles.stop_mailing(user_id)
        await repo.chats.subscribe(user_id, after)
        if after == MAILING_AUDIENCE:
            await repo.profiles.start_mailing(user_id, CONSENT_VERSION)

    await atomically(repo, work)
    titles = t.AUDIENCE_TITLES
    return fill(t.NEWS_FOLLOW_ROLE, audience=titles[after], was=titles[before])


async def news_on_registering(repo: Repositories, user_id: int) -> str:
    """Registering for an event made a parent a teacher (events.registration.become_teacher)
    but, unlike /role, moves no news: a parent who signs up for a seminar is still a parent,
    and the teachers' announcements ask for their own consent (the form's «Анонсы
    мероприятий» or /subscribe). The line that tells them so; "" without parents' news."""
    subscribed = await repo.chats.subscriptions(user_id)
    if Audience.PARENTS.value not in subscribed:
        return ""
    line = fill(t.NEWS_KEPT_ON_REGISTERING, audiences=audience_list(subscribed))
    return line if MAILING_AUDIENCE in subscribed else line + t.NEWS_TEACHERS_OFFER


@dataclass(frozen=True)
class Unsubscribed:
    """What a tap on «Отписаться» shows: the answer to the tap (plain text) and the message
    then sent to the chat (None for a repeated tap), with «Подписаться снова»."""

    toast: str
    message: str | None
    buttons: Keyboard = ()


async def unsubscribe_one(repo: Repositories, user_id: int, audience: str) -> Unsubscribed:
    """«Отписаться» under a private broadcast, in either messenger; commits. Leaving the
    teachers' news withdraws the form's «Да, присылать» with it, as /unsubscribe does. A
    person subscribed to more than one audience is told which stay: a broadcast for everyone
    keeps coming through them."""
    removed = await repo.chats.unsubscribe(user_id, audience)
    if audience == MAILING_AUDIENCE:
        await repo.profiles.stop_mailing(user_id)
    await repo.users.drop_unneeded_name(user_id)  # kept for the mailing list alone
    await repo.commit()
    title, left = t.AUDIENCE_TITLES[audience], await repo.chats.subscriptions(user_id)
    if not removed:
        toast = fill(t.UNSUB_ALREADY_KEPT, audience=title, audiences=audience_list(left))
        return Unsubscribed(toast if left else t.UNSUB_ALREADY, None)
    message = fill(t.UNSUBSCRIBED, audiences=title)
    if left:
        message += fill(t.UNSUB_KEPT, audiences=audience_list(left))
    again = rows(Button(t.BTN_RESUB.format(audience=title), pack(RESUB_ACTION, audience)))
    return Unsubscribed(fill(t.UNSUB_TOAST, audience=title), message, again)


RESUB_ACTION: Final = "resub"  # handlers.tg.callbacks.ResubCb; MAX's «resub:<audience>» alike
RESUBSCRIBABLE: Final = frozenset(
    ROLE_AUDIENCE[r] for r in (Role.PARENT, Role.TEACHER, Role.DIRECTOR)
)


async def resubscribe(repo: Repositories, user_id: int, audience: str) -> str | None:
    """«Подписаться снова» under «Вы отписались…», in either messenger; commits. The audience
    just left comes back even when it is not the person's role's (a parent who registered for
    a seminar is a teacher in the menu and keeps the parents' news), where /subscribe would
    give the role's. None for an audience nobody may choose so (a forged «staff»)."""
    if audience not in RESUBSCRIBABLE:
        return None

    return await _subscribe(repo, user_id, audience)


UNSUB_ACTION: Final = "unsub"  # handlers.tg.callbacks.UnsubCb; MAX's «unsub:<audience>» alike


async def unsubscribe_offer(repo: Repositories, user_id: int) -> tuple[str, Keyboard]:
    """«Отписаться» typed, in either messenger: the news the person gets, a button to leave
    each (the one-tap «Отписаться» of a broadcast). Nothing is ended on the words alone: they
    may have meant something else, and a group's news are not theirs to stop here."""
    audiences = await repo.chats.subscriptions(user_id)
    if not audiences:
        return t.NOT_SUBSCRIBED_TYPED, ()
    buttons = (
        Button(t.BTN_UNSUB_ONE.format(audience=t.AUDIENCE_TITLES.get(a, a)), pack(UNSUB_ACTION, a))
        for a in audiences
    )
    return fill(t.UNSUB_CHOOSE, audiences=audience_list(audiences)), rows(*buttons)


async def unsubscribe_all(repo: Repositories, user_id: int) -> str:
    """/unsubscribe in either messenger; commits; the reply to show. The mailing consent
    given in the teacher's form is withdrawn with it (152-ФЗ: the proof says until when)."""
    removed = await repo.chats.unsubscribe(user_id)
    await repo.profiles.stop_mailing(user_id)
    await repo.users.drop_unneeded_name(user_id)  # kept for the mailing list alone
    await repo.commit()
    if not removed:
        return t.NOT_SUBSCRIBED
    return fill(t.UNSUBSCRIBED, audiences=audience_list(removed))
