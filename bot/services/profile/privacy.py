"""152-ФЗ: what the bot keeps about a person, and forgetting it.

`describe` is the /my_data text; `forget` deletes a person's data in the order that keeps
everyone else whole — seats of events ahead go back to the waiting list first, registrations
and presence marks stay as the МОЦ report's numbers without the person's id (as participation
documents do), questions not yet written to the log are dropped, then the rows; what the law
needs as proof of consent stays (see
`storage.repositories.users.forget`); their questions that staff made sample questions of the
knowledge base go too, and the matcher is rebuilt without them. The adapter tells the person
and calls `redact` after, so the bot's old posts about them in the staff chat lose the name
and the question, and the «Кто ознакомился» lists that named them are rewritten without them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from bot import texts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.ids import channel_of
from bot.core.markup import fill
from bot.core.messages import Keyboard, Messenger
from bot.services.events.registration import cancel_all
from bot.services.faq import FaqService
from bot.services.faq.learning import commit_forgotten
from bot.services.faq.querylog import QueryLog
from bot.services.profile import transfer, withdrawal
from bot.services.profile.teachers import FIELDS
from bot.services.staff import ack_lists
from bot.services.tickets.posting import redact_posts
from bot.texts.chats import AUDIENCE_TITLES
from bot.texts.transfer import CHANNELS as CHANNEL_NAMES
from storage.models import Consent, Event, Registration, TeacherProfile, User
from storage.repositories import Repositories


def _profile_line(profile: TeacherProfile | None) -> str:
    if profile is None:
        return "нет"
    return f"{profile.full_name}, {profile.organisation}, {profile.position}, {profile.contact}"


def _draft_line(draft: Mapping[str, object] | None) -> str:
    """Plain text: what an open profile form already holds (a name typed at step 2 is kept
    in the dialog's state until the form ends), or "" when there is none."""
    answers = [str(draft[k]) for k in FIELDS if draft and draft.get(k)]
    return texts.MY_DATA_DRAFT.format(answers=", ".join(answers)) if answers else ""


async def _stored_name(repo: Repositories, user_id: int) -> str:
    """The display name as stored (plain text), or that none is: it is kept only for staff
    and for people who asked a specialist (storage.repositories.users.UserRepo.touch)."""
    first, last, username = await repo.users.stored_name(user_id)
    name = " ".join(part for part in (first, last) if part)
    if not (name or username):
        return texts.MY_DATA_NO_NAME
    return name + (f" (@{username})" if username else "")


async def _move_code(repo: Repositories, user_id: int, clock: Clock, tz: tzinfo) -> str:
    until = await repo.transfers.live_until(user_id, clock.now())
    return texts.MY_DATA_MOVE_CODE.format(until=f"{until.astimezone(tz):%H:%M}") if until else ""


def _consent_lines(consents: Sequence[Consent], tz: tzinfo) -> str:
    """Plain text (escaped with the rest of /my_data): one line per consent."""
    lines = []
    for consent in consents:
        withdrawn = consent.withdrawn_at
        when = f"{withdrawn.astimezone(tz):%d.%m.%Y}" if withdrawn else ""
        lines.append(
            texts.MY_DATA_CONSENT.format(
                kind=texts.CONSENT_KINDS.get(consent.kind, consent.kind),
                version=consent.version,
                given=f"{consent.given_at.astimezone(tz):%d.%m.%Y}",
                withdrawn=texts.MY_DATA_WITHDRAWN.format(when=when) if when else "",
            )
        )
    return "".join(lines) or "нет"


async def describe(
    repo: Repositories,
    user: User,
    clock: Clock,
    querylog: QueryLog,
    settings: Settings,
    *,
    messenger: str = "Telegram",
    own_id: int | None = None,
    draft: Mapping[str, object] | None = None,
    files: int = 0,
) -> tuple[str, Keyboard]:
    """Everything we hold about `user`, as the /my_data message (values escaped), and its
    buttons; `own_id`: the person's id in `messenger` when it is not the stored one (MAX);
    `draft`: the answers of a profile form the person has open; `files`: how many of their
    pictures, files and voice messages the adapter keeps for «Отправить специалисту»."""
    await querylog.flush()  # the count includes the question asked a moment ago
    audiences = await repo.chats.subscriptions(user.id)
    consents = await repo.profiles.consents(user.id)
    consented = await withdrawal.given(repo, user.id)
    note = withdrawal.my_data_note(consents, consented, settings.tz)
    text = fill(
        texts.MY_DATA,
        messenger=messenger,
        id=own_id if own_id is not None else user.id,
        name=await _stored_name(repo, user.id),
        role=texts.ROLE_TITLES.get(user.role or "", "не выбрана"),
        tickets=await repo.tickets.count_for_user(user.id),
        files=texts.MY_DATA_FILES.format(count=files) if files else "",
        profile=_profile_line(await repo.profiles.get(user.id)),
        draft=_draft_line(draft),
        registrations=await repo.events.count_for_user(user.id),  # attended, cancelled too
        documents=await repo.documents.count_for(user.id),
        queries=await repo.faq_log.for_user(user.id),
        samples=len(
            await repo.faq_kb.asked_by(user.id) | await repo.faq_history.asked_by(user.id)
        ),
        since=user.created_at.astimezone(settings.tz).strftime("%d.%m.%Y"),
        subscriptions=", ".join(AUDIENCE_TITLES.get(a, a) for a in audiences) or "нет",
        acks=await repo.users.acks_count(user.id),
        deliveries=await repo.deliveries.private_count(user.id),
        groups=await repo.chats.added_by_count(user.id),
        outbox=await repo.outbox.count_for(user.id),
        move_code=await _move_code(repo, user.id, clock, settings.tz),
        consents=_consent_lines(consents, settings.tz),
    )
    return text + note, withdrawal.my_data_buttons(consented) + transfer.my_data_button()


def _elsewhere(template: str, settings: Settings, user_id: int) -> str:
    """`template` naming the other messenger when the bot serves it too, else ""."""
    here = channel_of(user_id)
    other = "max" if here == "tg" else "tg"
    token = settings.bot_token
    served = settings.max_enabled if other == "max" else bool(token and token.get_secret_value())
    if not served:
        return ""
    return fill(template, here=CHANNEL_NAMES[here], other=CHANNEL_NAMES[other])


def forget_confirmation(settings: Settings, user_id: int) -> str:
    """The /forget_me question; a person the bot may also know in the other messenger hears
    that this deletes one account only (nothing links the two: /move leaves no trace)."""
    return texts.FORGET_CONFIRM + _elsewhere(texts.FORGET_ELSEWHERE, settings, user_id)


def forgotten_note(settings: Settings, user_id: int) -> str:
    """After /forget_me: what stays in the other messenger's account, if the bot serves it."""
    return _elsewhere(texts.FORGOTTEN_ELSEWHERE, settings, user_id)


@dataclass
class Forgotten:
    """What is left to do once the person has been told: posts to redact, ack lists to
    rewrite, people promoted."""

    posts: list[tuple[int, int, int, str]] = field(default_factory=list)
    lists: list[ack_lists.Rewrite] = field(default_factory=list)
    promoted: list[tuple[Registration, Event]] = field(default_factory=list)
    # nothing was stored before this press: a second tap, or a confirmation left from before
    # the deletion; the row this very update created goes, and the person is told so
    already: bool = False


async def forget(
    repo: Repositories, user_id: int, clock: Clock, querylog: QueryLog, faq: FaqService
) -> Forgotten:
    """Delete the person's data and commit; returns what the adapter finishes afterwards."""
    done = Forgotten(already=repo.users.first_contact(user_id))
    # Seats first: a seat of an event ahead goes to the waiting list.
    for cancelled in await cancel_all(repo, user_id, clock.now(), started=True):
        if cancelled.promoted is not None:
            done.promoted.append((cancelled.promoted, cancelled.event))
    # then every registration stays in the report's numbers, naming nobody
    await repo.events.anonymise(user_id, channel_of(user_id))
    querylog.discard(user_id)  # questions not yet written never will be
    done.posts = list(await repo.tickets.posts_for_user(user_id))
    named_in = await repo.ack_lists.naming(user_id)  # their acks and deliveries go below
    # their words staff taught the bot: chat samples (before the user row cascades them) and
    # the panel's versions; then the matcher is rebuilt without them
    taught = await repo.faq_kb.remove_asked_by(user_id)
    taught += await repo.faq_history.forget_asker(user_id)
    await repo.users.forget(user_id)
    if taught:
        await commit_forgotten(faq, repo)
    else:
        await repo.commit()
    await repo.users.scrub_log()
    done.lists = await ack_lists.rewrites(repo, named_in)
    return done


async def drop_channel_id(repo: Repositories, user_id: int) -> None:
    """After /forget_me, once the person has been told: the MAX id behind the internal one
    goes too, unless a consent row needs it as the proof's «who» (commits)."""
    if not await repo.profiles.consents(user_id):
        await repo.channel_ids.drop(user_id)
        await repo.commit()


async def redact(messenger: Messenger, done: Forgotten) -> None:
    """The staff chat's posts about the person lose name, id and question; the ack lists
    that named them are edited without them (`messenger` reaches both messengers' chats)."""
    await redact_posts(messenger, done.posts)
    await ack_lists.rewrite(messenger, done.lists)
