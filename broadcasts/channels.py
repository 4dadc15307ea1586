"""One Channel over several messengers: each delivery goes to the Channel of its chat's messenger.

The ledger keeps internal ids (`bot.core.ids`), so the channel of every row is known from its
id alone: a broadcast to `parents` materialises Telegram and MAX chats in one ledger and
reaches each exactly once, with each messenger's own errors mapped by its own Channel. A row
whose messenger is not configured in this process (MAX chats in a Telegram-only process) is a
transient failure: it is retried a bounded number of times, then recorded as failed with the
reason, never sent somewhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.ids import channel_of
from bot.core.messages import Keyboard
from broadcasts.channel import Channel, Failed, ProgressMessage, SendOutcome
from broadcasts.content import Content


class ChannelRouter:
    """A `Channel` that forwards every call to `channels[channel_of(chat_id)]`."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = dict(channels)

    def _of(self, chat_id: int) -> Channel | None:
        return self.channels.get(channel_of(chat_id))

    async def send(
        self,
        chat_id: int,
        content: Content,
        *,
        broadcast_id: int,
        is_private: bool,
        audience: str | None = None,
    ) -> SendOutcome:
        channel = self._of(chat_id)
        if channel is None:
            return Failed(f"канал {channel_of(chat_id)} не настроен", permanent=False)
        return await channel.send(
            chat_id, content, broadcast_id=broadcast_id, is_private=is_private, audience=audience
        )

    async def edit_progress(self, message: ProgressMessage, text: str) -> ProgressMessage | None:
        channel = self._of(message.chat_id)
        return None if channel is None else await channel.edit_progress(message, text)

    async def notify(self, chat_id: int, text: str, buttons: Keyboard = ()) -> None:
        channel = self._of(chat_id)
        if channel is not None:
            await channel.notify(chat_id, text, buttons)
