"""A MAX parent's voice message (an `audio` attachment), as Telegram's handlers/fallback.py
and handlers/escalation.py take one: the bot cannot read it, but a specialist can listen.
After /ask it is the question, during an open ticket it joins the ticket; staff get the
recording as a file in both staff channels (`pictures.to_staff`), and MAX's own
transcription, when it sends one, as the words. Without a ticket the parent hears how to
pass it on (/ask)."""

from __future__ import annotations

from bot.texts import unread
from handlers.max import asker, pictures, updates
from handlers.max.context import JsonDict, MaxContext
from handlers.max.people import Visit, visit


def words(found: list[JsonDict], caption: str) -> str:
    """What the ticket says of the recording: the parent's words with it, MAX's
    transcription, or only that it is a voice message."""
    if caption.strip():
        return caption.strip()
    heard = next((str(a["transcription"]) for a in found if a.get("transcription")), "")
    return (
        unread.VOICE_HEARD.format(text=heard.strip()) if heard.strip() else unread.VOICE_QUESTION
    )


async def received(ctx: MaxContext, update: JsonDict) -> bool:
    found = pictures.recordings(update)
    if not found or not updates.is_dialog(update):
        return False
    async with visit(ctx, update) as v:
        if v is None or v.state not in ("", asker.AWAITING_QUESTION):
            return False  # a dialog's step re-prompts it as before (handlers.max.private)
        await _pass_on(v, found, words(found, updates.text(update)))
    return True


async def _pass_on(v: Visit, found: list[JsonDict], said: str) -> None:
    if v.state == asker.AWAITING_QUESTION:
        await v.clear_state()
        await asker.told(v, said)
        ticket = await v.repo.tickets.open_for_user(v.uid)
        if ticket is not None:
            await pictures.to_staff(v, ticket.id, found, said)
        return
    if await asker.replied_to_ticket(v, said, found):
        return
    if not await asker.append_to_ticket(v, said, found):
        await v.say(unread.VOICE_NO_TICKET)
