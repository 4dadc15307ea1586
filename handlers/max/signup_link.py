"""A broadcast's «📝 Записаться» as MAX readers need it: the event's card in the MAX bot.

A broadcast has one content for both messengers, and its «Записаться» is the Telegram start
link whenever the bot has Telegram (bot.services.staff.composing). A parent or teacher in MAX
may have no Telegram at all: pressed there, that button would send them away from the bot
they use. So the MAX channel (and the MAX composer's preview) give it MAX's start link to the
same card — the payload is the same one (bot.services.events.links). Other links are left
as they are.
"""

from __future__ import annotations

from dataclasses import replace

from bot.services.events.links import event_payload, linked_event
from broadcasts.content import Content, LinkButton


def has_signup(content: Content) -> bool:
    """Whether the broadcast's button opens an event's card (a start link)."""
    return content.button is not None and linked_event(content.button.url) is not None


def for_max(content: Content, bot_link: str | None) -> Content:
    """`content` with its event button pointing at `bot_link` (`https://max.ru/<bot>`), if
    there is such a button and a link to point it at."""
    button = content.button
    event_id = linked_event(button.url) if button is not None else None
    if button is None or event_id is None or not bot_link or button.url.startswith(bot_link):
        return content
    url = f"{bot_link}?start={event_payload(event_id)}"
    return replace(content, button=LinkButton(button.label, url))
