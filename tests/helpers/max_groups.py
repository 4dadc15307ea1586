"""A stand-in for the MAX runtime in tests of feature modules: routes that try handlers in
order, a Messenger over the MAX client speaking internal ids, and a pump that feeds what the
fake MAX server queued to the handlers (the real dispatcher replaces this in the runner)."""

from __future__ import annotations

from collections import defaultdict

from bot.core.messages import Keyboard, MessageRef, OutFile, Unreachable
from handlers.max.client import MaxBlocked, MaxClient, MaxNotFound
from handlers.max.context import Handler, JsonDict, MaxContext
from handlers.max.ids import MaxIds
from handlers.max.render import inline_keyboard, render_text


class ListRoutes:
    def __init__(self) -> None:
        self.handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def add(self, update_type: str, handler: Handler) -> None:
        self.handlers[update_type].append(handler)

    async def feed(self, ctx: MaxContext, update: JsonDict) -> bool:
        for handler in self.handlers[update["update_type"]]:
            if await handler(ctx, update):
                return True
        return False


class IdMessenger:
    """Internal ids in, MAX ids out: a positive id is a person (their dialog), a negative one
    a group."""

    channel = "max"

    def __init__(self, client: MaxClient, ids: MaxIds) -> None:
        self.client, self.ids = client, ids

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        target = await self.ids.external(chat_id)
        if target is None:
            raise Unreachable(f"unknown MAX id {chat_id}")
        keyboard = inline_keyboard(buttons or ())
        user_id, group_id = (target, None) if chat_id > 0 else (None, target)
        try:
            sent = await self.client.send_message(
                chat_id=group_id, user_id=user_id, text=render_text(text)[0],
                attachments=[keyboard] if keyboard else [],
            )  # fmt: skip
        except (MaxBlocked, MaxNotFound) as exc:
            raise Unreachable(str(exc), gone=True) from exc
        return MessageRef(chat_id, sent.seq, sent.mid)

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        raise NotImplementedError

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        raise NotImplementedError

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        raise NotImplementedError

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        raise NotImplementedError

    async def delete(self, ref: MessageRef) -> None:
        raise NotImplementedError


class Pump:
    """Long polling by hand: every queued update to the routes, in order."""

    def __init__(self, ctx: MaxContext, routes: ListRoutes) -> None:
        self.ctx, self.routes = ctx, routes
        self.marker: int | None = None
        self.handled: list[bool] = []

    async def __call__(self) -> list[bool]:
        batch = await self.ctx.client.get_updates(self.marker, poll_seconds=0)
        self.marker = batch.marker
        self.handled = [await self.routes.feed(self.ctx, u) for u in batch.updates]
        return self.handled
