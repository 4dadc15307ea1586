"""A messenger in a list: the smallest adapter a service can talk to. Imports no aiogram.

`FakeChannel` implements `bot.core.messages.Messenger` by recording what services send;
`refuse(chat_id)` makes a chat unreachable, as a person who blocked the bot would. Tests use it
to show that adding a messenger means writing an adapter, not touching the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from itertools import count

from bot.core.config import Settings
from bot.core.messages import Keyboard, MessageRef, OutFile, Unreachable
from bot.services.faq import FaqService, consult
from bot.services.faq.querylog import QueryLog
from bot.services.faq.replies import Reply
from bot.services.tickets import escalation
from storage.db import SessionMaker
from storage.repositories import Repositories


@dataclass
class Outgoing:
    chat_id: int
    text: str
    buttons: Keyboard | None
    message_id: int
    file: OutFile | None = None
    copied_from: MessageRef | None = None

    def labels(self) -> list[str]:
        return [b.label for row in self.buttons or () for b in row]

    def action(self, label: str) -> str:
        """The payload of the button labelled `label`, as a press would bring it back."""
        for row in self.buttons or ():
            for button in row:
                if button.label == label and button.action is not None:
                    return button.action
        raise AssertionError(f"no button {label!r} in {self.labels()}")


@dataclass
class FakeChannel:
    channel: str = "fake"
    sent: list[Outgoing] = field(default_factory=list)
    edits: list[tuple[MessageRef, str]] = field(default_factory=list)
    deleted: list[MessageRef] = field(default_factory=list)
    refused: set[int] = field(default_factory=set)
    _ids: count[int] = field(default_factory=lambda: count(1))

    def refuse(self, chat_id: int) -> None:
        self.refused.add(chat_id)

    def to(self, chat_id: int) -> list[Outgoing]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def _check(self, chat_id: int) -> None:
        if chat_id in self.refused:
            raise Unreachable("blocked by the person", gone=True)

    def _record(
        self, chat_id: int, text: str, buttons: Keyboard | None, **extra: object
    ) -> MessageRef:
        self._check(chat_id)
        message = Outgoing(chat_id, text, buttons, next(self._ids), **extra)  # type: ignore[arg-type]
        self.sent.append(message)
        return MessageRef(chat_id, message.message_id)

    async def send(self, chat_id: int, text: str, buttons: Keyboard | None = None) -> MessageRef:
        return self._record(chat_id, text, buttons)

    async def edit(self, ref: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        self._check(ref.chat_id)
        self.edits.append((ref, text))

    async def set_buttons(self, ref: MessageRef, buttons: Keyboard | None) -> None:
        self._check(ref.chat_id)
        self.edits.append((ref, ""))

    async def send_file(self, chat_id: int, file: OutFile, caption: str = "") -> MessageRef:
        return self._record(chat_id, caption, None, file=file)

    async def copy(
        self, ref: MessageRef, to_chat_id: int, buttons: Keyboard | None = None, caption: str = ""
    ) -> MessageRef:
        return self._record(to_chat_id, caption, buttons, copied_from=ref)

    async def delete(self, ref: MessageRef) -> None:
        self._check(ref.chat_id)
        self.deleted.append(ref)


@dataclass
class FakeAdapter:
    """The few lines a messenger adapter needs for the consultant: a typed question goes to
    `consult.ask`, the «Спросить специалиста» press to `escalation`, replies into the channel.
    Everything else (`faq`, `settings`, …) is what the real app hands its adapters."""

    channel: FakeChannel
    faq: FaqService
    sessionmaker: SessionMaker
    settings: Settings
    querylog: QueryLog

    async def says(self, person: int, name: str, text: str) -> None:
        async with self.sessionmaker() as session:
            repo = Repositories(session)
            user, _ = await repo.users.touch(person, name, None, None)
            await repo.commit()
            reply = await consult.ask(
                self.faq, repo, self.querylog, self.settings, user.id, text, role=user.role
            )
            await repo.commit()
        if reply is not None:  # the log learns which message answered the question
            await consult.deliver(self.querylog, reply, partial(self._send, person))

    async def _send(self, person: int, reply: Reply) -> int:
        return (await self.channel.send(person, reply.text, reply.buttons)).message_id

    async def presses(self, person: int, action: str) -> None:
        prefix, _, rest = action.partition(":")
        assert prefix == "ask", f"this adapter knows only the ask button, not {action!r}"
        async with self.sessionmaker() as session:
            repo = Repositories(session)
            user = await repo.users.get(person)
            logged = await escalation.logged_question(repo, int(rest or 0), person)
            assert user is not None and logged is not None
            told = await escalation.escalate(
                self.channel, repo, self.settings, user, person, logged.text
            )
        await self.channel.send(person, told.text, told.buttons)
