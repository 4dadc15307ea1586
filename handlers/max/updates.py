"""Reading a MAX update (plain JSON) and answering a button press: helpers every handler uses.

Shapes from the OpenAPI schema: `message_created` carries `message` {sender, recipient
{chat_id, chat_type}, body {mid, seq, text, attachments}}; `message_callback` carries
`callback` {callback_id, payload, user} and the `message` the button was under;
`bot_started` carries `user`, `chat_id` and the deep-link `payload`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Final

from bot.core.ids import row_id
from handlers.max.client import (
    MaxBadRequest,
    MaxNetworkError,
    MaxNotFound,
    MaxRetryAfter,
    MaxServerError,
)
from handlers.max.context import JsonDict, MaxContext

log = logging.getLogger(__name__)

ANSWERED = "_answered"  # set on the update once its callback got POST /answers
# POST /answers counts against the bot's rate like a send: its 429 is waited out, 1+2+4+8 s
ANSWER_ATTEMPTS: Final = 5
FIRST_BACKOFF: Final = 1.0
# sent to a webhook only (maxapi's BotAdminPermissionsChanged): not asked of long polling,
# which MAX might refuse for a type it does not serve there
WEBHOOK_ONLY: Final = frozenset({"bot_admin_permissions_changed"})
# what each handled update type must carry, checked before any handler reads it
_PERSON_EVENTS = (
    "bot_started", "bot_stopped", "bot_added", "bot_removed", "user_added", "user_removed",
)  # fmt: skip


number = row_id  # a number from a button payload


def well_formed(update: Any) -> bool:
    """False for an update whose fields are not what MAX's schema promises (a missing
    message, a string for an object, a user without a numeric id): it is dropped, as
    Telegram's unparsable updates are, instead of failing in whichever handler reads it."""
    if not isinstance(update, dict) or not isinstance(update.get("update_type"), str):
        return False
    kind, chat_id = update["update_type"], update.get("chat_id")
    if chat_id is not None and not _int(chat_id):
        return False
    if "user" in update and not _person_ok(update["user"]):
        return False  # every reader of the update asks who it came from
    if kind == "message_created":
        return _message_ok(update.get("message"))
    if kind == "message_callback":
        callback = update.get("callback")
        return (
            isinstance(callback, dict)
            and _person_ok(callback.get("user"))
            and isinstance(callback.get("callback_id"), str)
            and isinstance(callback.get("payload"), str | None)
            and (update.get("message") is None or _message_ok(update.get("message")))
        )
    if kind in _PERSON_EVENTS:
        return _person_ok(update.get("user")) and _int(update.get("chat_id"))
    return True  # a type no handler takes: nothing reads it


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _person_ok(person: Any) -> bool:
    return isinstance(person, dict) and _int(person.get("user_id"))


def _message_ok(msg: Any) -> bool:
    if not isinstance(msg, dict):
        return False
    if msg.get("sender") is not None and not _person_ok(msg["sender"]):
        return False  # a channel's post has no sender at all
    body, recipient = msg.get("body"), msg.get("recipient")
    if not isinstance(body, dict) or not isinstance(recipient, dict):
        return False
    attachments = body.get("attachments")
    return (
        isinstance(body.get("text"), str | None)
        and (attachments is None or isinstance(attachments, list))
        and all(isinstance(a, dict) for a in attachments or [])
    )


def message(update: JsonDict) -> JsonDict:
    return dict(update.get("message") or {})


def sender(update: JsonDict) -> JsonDict:
    """The person behind the update (the writer, the presser, the starter)."""
    if update.get("update_type") == "message_callback":
        return dict((update.get("callback") or {}).get("user") or {})
    if "user" in update:
        return dict(update.get("user") or {})
    return dict(message(update).get("sender") or {})


def user_id(update: JsonDict) -> int | None:
    value = sender(update).get("user_id")
    return int(value) if value is not None else None


def is_dialog(update: JsonDict) -> bool:
    """A private dialog with the bot (not a group or a channel)."""
    if update.get("update_type") == "bot_started":
        return True
    recipient = message(update).get("recipient") or {}
    return recipient.get("chat_type") == "dialog"


def text(update: JsonDict) -> str:
    """The words of the message; for a forward without words of its own, the forwarded text
    (MAX keeps it in `link.message`, Telegram in the message itself). A reply's quoted
    message is not the question: only a forward counts."""
    msg = message(update)
    own = str((msg.get("body") or {}).get("text") or "").strip()
    link = msg.get("link")
    if own or not isinstance(link, dict) or link.get("type") != "forward":
        return own
    forwarded = link.get("message")
    return str(forwarded.get("text") or "").strip() if isinstance(forwarded, dict) else ""


def replied_bot_text(update: JsonDict) -> str:
    """The text of the bot's own message this one replies to (MAX's «Ответить»: `link` of
    type reply), or "" for anything else."""
    link = message(update).get("link")
    if not isinstance(link, dict) or link.get("type") != "reply":
        return ""
    sender, quoted = link.get("sender"), link.get("message")
    if not isinstance(sender, dict) or sender.get("is_bot") is not True:
        return ""
    return str(quoted.get("text") or "") if isinstance(quoted, dict) else ""


def mid(update: JsonDict) -> str:
    return str((message(update).get("body") or {}).get("mid") or "")


def seq(update: JsonDict) -> int:
    """The message's number in its chat (a press: of the message the button is under), as
    the MAX Messenger's `MessageRef.message_id` gives it for what the bot sent; 0 if none."""
    value = (message(update).get("body") or {}).get("seq")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def sent_at(update: JsonDict) -> datetime | None:
    """When the message (the one a button was pressed under) was sent; its `timestamp` is in
    milliseconds. None when missing or not a number."""
    stamp = message(update).get("timestamp")
    if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp <= 0:
        return None
    try:
        return datetime.fromtimestamp(stamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):  # a year past 9999
        return None


def payload(update: JsonDict) -> str:
    return str((update.get("callback") or {}).get("payload") or "")


def callback_id(update: JsonDict) -> str:
    return str((update.get("callback") or {}).get("callback_id") or "")


def names(update: JsonDict) -> tuple[str, str | None, str | None]:
    person = sender(update)
    first = str(person.get("first_name") or person.get("name") or "")
    return first, person.get("last_name"), person.get("username")


def full_name(person: JsonDict) -> str:
    """First and last name, as `User.full_name` joins them from `names`; MAX's `name` when
    it gives no first name."""
    first = str(person.get("first_name") or person.get("name") or "")
    return " ".join(p for p in (first, str(person.get("last_name") or "")) if p)


async def answer(
    ctx: MaxContext,
    update: JsonDict,
    notification: str | None = None,
    *,
    new_body: dict[str, Any] | None = None,
) -> bool:
    """POST /answers once per press: a short notice, or a new body for the pressed message.
    False when MAX does not take the answer — the callback expired (a press made while the bot
    was down or busy), 429s outlasted `answer_callback`'s retries, or MAX failed (5xx, no
    answer): what was pressed for is still done, and a new body is the caller's to send as a
    message (the messenger waits MAX out far longer and keeps a reply), not an apology."""
    if update.get(ANSWERED) or not callback_id(update):
        return True
    update[ANSWERED] = True
    try:
        await answer_callback(
            ctx,
            callback_id(update),
            notification=notification if notification is not None or new_body else "",
            message=new_body,
        )
    except (MaxBadRequest, MaxNotFound) as exc:
        log.warning("MAX press not answered (expired?): %s", exc)
        return False
    except (MaxRetryAfter, MaxServerError, MaxNetworkError) as exc:
        log.warning("MAX press not answered (429 through every retry, or MAX failing): %s", exc)
        return False
    return True


async def answer_callback(
    ctx: MaxContext,
    callback: str,
    *,
    notification: str | None = None,
    message: JsonDict | None = None,
) -> None:
    """POST /answers with MAX's 429 waited out (a growing pause, as for a send), so a press's
    page or notice is not lost to the bot's rate limit; other errors are the caller's."""
    backoff = FIRST_BACKOFF
    for attempt in range(1, ANSWER_ATTEMPTS + 1):
        try:
            await ctx.client.answer_callback(callback, notification=notification, message=message)
            return
        except MaxRetryAfter:
            if attempt == ANSWER_ATTEMPTS:
                raise
            log.info("MAX 429 for a press: answering again in %.0f s", backoff)
            await asyncio.sleep(backoff)
            backoff *= 2


def command_word(text: str, own: str | None) -> str | None:
    """`/bind@moc_bot parents` → "bind" (lower case); None for what is not a command, or for
    a command addressed to another bot (`/bind@other_bot`), which Telegram's Command filter
    ignores as well. `own` is the bot's username (GET /me); unknown yet: any @name is ours."""
    words = text.split()
    if not words or not words[0].startswith("/"):
        return None
    name, _, to = words[0][1:].partition("@")
    if to and own and to.lower() != own.lower():
        return None
    return name.lower()
