"""The person behind a private MAX update, as services know them: an internal id and a User row.

One session per update, as on Telegram (`handlers.tg.middlewares`): the MAX id is mapped to
the internal one, the profile created or refreshed, and the session handed to the handler,
which commits once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot import texts
from bot.core.messages import Deferred, Keyboard, MessageRef, OutFile, Unreachable
from bot.services.faq.replies import Reply
from bot.texts import max as max_texts
from handlers.max import updates
from handlers.max.context import JsonDict, MaxContext
from storage.models import User
from storage.repositories import Repositories

log = logging.getLogger(__name__)


@dataclass
class Visit:
    """One private update: who (internal id, MAX id, User) and the unit of work."""

    ctx: MaxContext
    update: JsonDict
    repo: Repositories
    user: User
    uid: int  # internal id: the person and their dialog, for services
    max_id: int
    state: str = ""  # the dialog's step, kept in the database (a restart loses nothing)
    is_admin: bool = False  # staff by the roster (services.staff.roster), read at the start

    async def set_state(self, state: str) -> None:
        await self.repo.dialog_states.set(_state_key(self.uid), state)
        await self.repo.commit()
        self.state = state

    async def clear_state(self) -> None:
        if self.state:
            await self.repo.dialog_states.clear(_state_key(self.uid))
            await self.repo.commit()
            self.state = ""

    async def hold(self, state: str, data: str) -> None:
        """A step and what the dialog gathered so far (JSON, any length), in the same row."""
        key = _state_key(self.uid)
        await self.repo.dialog_states.set(key, state)
        await self.repo.dialog_states.keep(key, data)
        await self.repo.commit()
        self.state = state

    async def held(self) -> str:
        """The data `hold` kept ("" when none)."""
        return await self.repo.dialog_states.kept(_state_key(self.uid))

    async def hold_dict(self, state: str, data: dict[str, Any]) -> None:
        """A dialog's answers so far as JSON in the state's row (see `held_dict`)."""
        await self.hold(state, json.dumps(data, ensure_ascii=False))

    async def held_dict(self) -> dict[str, Any]:
        """What `hold_dict` kept; {} for none or a broken row, so the dialog starts over
        instead of failing on every message."""
        try:
            data = json.loads(await self.held() or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    async def say(self, text: str, buttons: Keyboard | None = None) -> MessageRef:
        return await self.ctx.messenger.send(self.uid, text, buttons)

    async def send_file(self, file: OutFile, caption: str) -> None:
        """A file the person asked for (a report, a list, a certificate): when MAX will not
        take it (uploads failing, never processed), they hear so instead of nothing."""
        try:
            await self.ctx.messenger.send_file(self.uid, file, caption=caption)
        except (Unreachable, Deferred) as exc:
            if getattr(exc, "gone", False):
                raise  # the person left the dialog: nobody to tell
            log.warning("MAX file %s not sent to %s: %s", file.filename, self.uid, exc)
            await self.say(max_texts.FILE_NOT_SENT)

    async def send(self, reply: Reply) -> int:
        """An FAQ reply as a new message; its seq, which a press under it brings back."""
        return (await self.say(reply.text, reply.buttons)).message_id

    async def drop_buttons(self) -> None:
        """Answer a press on a one-shot question by taking its buttons off, as Telegram's
        drop_keyboard does: a second tap has nothing left to press (no second ticket)."""
        await updates.answer(self.ctx, self.update, new_body={"attachments": []})

    async def replace(self, text: str, buttons: Keyboard | None = None) -> None:
        """A press turns the pressed message into the next view (a list page, a filter menu),
        as Telegram's edit_or_send does; a message MAX will not edit is sent anew."""
        await updates.answer(self.ctx, self.update)
        mid = updates.mid(self.update)
        if mid:
            try:
                await self.ctx.messenger.edit(MessageRef(self.uid, 0, mid), text, buttons)
                return
            except Unreachable:
                pass  # too old, or deleted: the view comes as a new message
        await self.say(text, buttons)


@asynccontextmanager
async def visit(ctx: MaxContext, update: JsonDict) -> AsyncIterator[Visit | None]:
    """None for an update without a person (or from a bot)."""
    max_id = updates.user_id(update)
    if max_id is None or updates.sender(update).get("is_bot"):
        yield None
        return
    async with ctx.sessionmaker() as session:
        repo = Repositories(session)
        uid = await repo.channel_ids.internal("max", "user", max_id)
        if max_id in ctx.settings.max_admin_ids and not ctx.roster.known_staff(uid):
            ctx.roster.changed()  # an owner's first word: their internal id exists now
        is_admin = await ctx.roster.is_staff(uid, repo)
        first, last, username = updates.names(update)
        # staff names sign answers; anyone else's only once they open a ticket (152-ФЗ)
        user, changed = await repo.users.touch(uid, first, last, username, keep_name=is_admin)
        if changed:
            await repo.commit()
        state = await repo.dialog_states.get(_state_key(uid))
        yield Visit(ctx, update, repo, user, uid, max_id, state, is_admin)


async def as_staff(
    ctx: MaxContext, update: JsonDict, act: Callable[[Visit], Awaitable[None]]
) -> bool:
    """A staff button's press, checked on every press (a payload can be forged): without a
    person it is not this handler's (False); anyone but МОЦ staff is refused; staff get `act`."""
    async with visit(ctx, update) as v:
        if v is None:
            return False
        if not v.is_admin:
            await updates.answer(ctx, update, texts.ADMIN_ONLY)
        else:
            await act(v)
    return True


def _state_key(uid: int) -> str:
    return f"max:{uid}"
