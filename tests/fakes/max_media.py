"""A person sends the bot a picture or a file in the fake MAX world.

MAX delivers it as an attachment whose payload carries a `url` to fetch it from (and a
`token` to re-send it); a photo is `image` (payload `photo_id`, `token`, `url`), any other
file is `file` with `filename` and `size` beside the payload (the OpenAPI schema's
PhotoAttachment and FileAttachment). The fake serves the bytes at `/files/<token>`.
"""

from __future__ import annotations

import itertools
import secrets

from tests.fakes.max_api import FakeMaxServer
from tests.fakes.max_model import JsonDict, MaxUser, Message

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))  # enough of a PNG for its type to be seen
_photo_ids = itertools.count(1)


def user_sends(
    srv: FakeMaxServer,
    user: MaxUser,
    data: bytes = PNG,
    caption: str = "",
    *,
    filename: str | None = None,
) -> Message:
    """A photo (no `filename`) or a file, with `caption` as the message's text."""
    token = f"in.{secrets.token_hex(8)}"
    srv.uploads[token] = (filename or "photo", data)
    url = f"{srv.url}/files/{token}"
    attachment: JsonDict
    if filename is None:
        payload = {"photo_id": next(_photo_ids), "token": token, "url": url}
        attachment = {"type": "image", "payload": payload}
    else:
        attachment = {"type": "file", "payload": {"url": url, "token": token},
                      "filename": filename, "size": len(data)}  # fmt: skip
    return srv.user_writes(user, caption, attachments=[attachment])
