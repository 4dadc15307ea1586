"""The Bot API methods of the fake server, one handler each, checking what Telegram checks.

A mixin of FakeTelegramServer (tests/fakes/telegram_api.py): the state and the helpers they
use (messages, chats, files, rendering) live there."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from typing import Any

from tests.fakes.telegram_model import (
    BUTTON_ACTIONS,
    CAPTIONED_MEDIA,
    CHAT_ACTIONS,
    COMMAND_NAME,
    MAX_CALLBACK_ANSWER,
    MAX_CALLBACK_DATA,
    MEDIA_KINDS,
    SPACES,
    ApiError,
    Files,
    Handler,
    JsonDict,
    SentMessage,
    bad_request,
    chat_full_info,
    media_payload,
    member_payload,
    unix_now,
)

DELETE_WINDOW = 48 * 3600  # Telegram: «a message can only be deleted if it was sent less
# than 48 hours ago»; the bot may still edit its own message after that
EDITABLE_MEDIA = frozenset({"photo", "document", "audio", "video", "animation"})


class BotApiMethods:
    """The method table and handlers; mixed into FakeTelegramServer."""

    def _method_table(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "logout": _true,
            "close": _true,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "setmydefaultadministratorrights": _true,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "editmessagemedia": self._edit_message_media,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendmediagroup": self._send_media_group,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "leavechat": self._leave_chat,
            "pinchatmessage": self._pin_chat_message,
            "unpinchatmessage": self._unpin_chat_message,
            "unpinallchatmessages": self._unpin_all_chat_messages,
            "getfile": self._get_file,
        }
        for kind in MEDIA_KINDS:
            table["send" + kind.replace("_", "")] = self._media_sender(kind)
        for name, key in (
            ("description", "description"),
            ("shortdescription", "short_description"),
            ("name", "name"),
        ):
            table[f"setmy{name}"] = functools.partial(self._set_setting, key)
            table[f"getmy{name}"] = functools.partial(self._get_setting, key)
        table["setchatmenubutton"] = self._set_menu_button
        table["getchatmenubutton"] = self._get_menu_button
        return table

    def _get_me(self, params: JsonDict, files: Files) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict, files: Files) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        batch = await self._queue.poll(params, closing=self._closing)
        if batch:
            self.stats["updates_delivered"] += len(batch)
            self._last_activity = time.monotonic()
            self._notify()
        return batch

    def _set_webhook(self, params: JsonDict, files: Files) -> bool:
        if params.get("drop_pending_updates") is True:
            self._queue.pending.clear()
        self.webhook_url = str(params.get("url") or "")  # an empty url removes the webhook
        return True

    def _delete_webhook(self, params: JsonDict, files: Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") is True:
            self._queue.pending.clear()
        return True

    def _get_webhook_info(self, params: JsonDict, files: Files) -> JsonDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue.pending),
        }

    def _set_my_commands(self, params: JsonDict, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _check_command(command)
        key = commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands[key] = commands
        return True

    def _delete_my_commands(self, params: JsonDict, files: Files) -> bool:
        key = commands_key(params.get("scope"), params.get("language_code") or "")
        self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JsonDict, files: Files) -> list[JsonDict]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    def _set_setting(self, key: str, params: JsonDict, files: Files) -> bool:
        limit = _SETTING_LIMITS.get(key, 0)
        if limit and len(str(params.get(key) or "")) > limit:
            raise bad_request(f"{key.upper()}_INVALID")  # Telegram's limits: 512, 120, 64
        self.settings[(key, params.get("language_code") or "")] = params.get(key) or ""
        return True

    def _get_setting(self, key: str, params: JsonDict, files: Files) -> JsonDict:
        return {key: self.settings.get((key, params.get("language_code") or ""), "")}

    def _set_menu_button(self, params: JsonDict, files: Files) -> bool:
        self.settings[("menu_button", str(params.get("chat_id") or ""))] = params.get(
            "menu_button"
        )
        return True

    def _get_menu_button(self, params: JsonDict, files: Files) -> Any:
        stored = self.settings.get(("menu_button", str(params.get("chat_id") or "")))
        return stored or {"type": "default"}

    def _send_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        text, entities = self._render_text(params, too_long="message is too long")
        markup = self._markup(params)
        sm = self._outgoing(
            chat_id,
            params,
            text=text,
            raw_text=params["text"],
            entities=entities,
            reply_markup=markup,
        )
        return self._message_dict(sm)

    def _media_sender(self, kind: str) -> Handler:
        def send(params: JsonDict, files: Files) -> JsonDict:
            chat_id = self._target_chat(params)
            file = self._input_file(params.get(kind), files, kind)
            caption, entities = self._render_caption(params)
            markup = self._markup(params)
            sm = self._outgoing(
                chat_id, params, kind=kind, text=caption, raw_text=params.get("caption"),
                entities=entities, reply_markup=markup, document=file,
                content={kind: media_payload(kind, file)},
            )  # fmt: skip
            return self._message_dict(sm)

        return send

    def _send_media_group(self, params: JsonDict, files: Files) -> list[JsonDict]:
        chat_id = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not media:
            raise bad_request("there are no messages to send")
        if len(media) > 10:
            raise bad_request("too many messages to send as an album")
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        for alone in ("document", "audio"):  # grouped only with their own kind
            if alone in kinds and len(kinds) > 1:
                raise bad_request(f"{alone} can't be mixed with other media types")
        prepared = [self._group_item(item, files) for item in media]
        group_id = str(next(self._ids) + 9_000_000)
        sent = [
            self._outgoing(chat_id, params, media_group_id=group_id, **fields)
            for fields in prepared
        ]
        return [self._message_dict(sm) for sm in sent]

    def _group_item(self, item: Any, files: Files) -> JsonDict:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in MEDIA_KINDS:
            raise bad_request("wrong media type in the media group")
        file = self._input_file(item.get("media"), files, kind)
        caption, entities = self._render_caption(item)
        return {
            "kind": kind, "text": caption, "raw_text": item.get("caption"), "entities": entities,
            "document": file, "content": {kind: media_payload(kind, file)},
        }  # fmt: skip

    def _copy_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        source = self._source(params, "copy")
        text, entities = source.text, source.entities
        if "caption" in params:
            text, entities = self._render_caption(params)
        markup = self._markup(params)
        sm = self._outgoing(
            chat_id, params, kind="copy", text=text, raw_text=text, entities=entities,
            reply_markup=markup, document=source.document, content=dict(source.content),
            source=(source.chat_id, source.message_id),
        )  # fmt: skip
        return {"message_id": sm.message_id}

    def _forward_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        source = self._source(params, "forward")
        sender = source.sender.as_dict() if source.sender else self._bot_user()
        origin = {"type": "user", "sender_user": sender, "date": source.date}
        sm = self._outgoing(
            chat_id, params, kind="forward", text=source.text, raw_text=source.text,
            entities=source.entities, document=source.document,
            content={**source.content, "forward_origin": origin},
            source=(source.chat_id, source.message_id),
        )  # fmt: skip
        return self._message_dict(sm)

    def _source(self, params: JsonDict, verb: str) -> SentMessage:
        from_chat = self._param_chat_id({"chat_id": params.get("from_chat_id")})
        source = self._find(from_chat, params.get("message_id")) if from_chat is not None else None
        if source is None or source.deleted:
            raise bad_request(f"message to {verb} not found")
        return source

    def _edit_message_text(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        if any(key in CAPTIONED_MEDIA for key in sm.content) or (sm.content and sm.text is None):
            raise bad_request("there is no text in the message to edit")
        text, entities = self._render_text(params, too_long="MESSAGE_TOO_LONG")
        sm.parse_mode = params.get("parse_mode")
        return self._apply_edit(sm, text, entities, self._inline_markup(params), params["text"])

    def _edit_message_caption(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        if not any(key in CAPTIONED_MEDIA for key in sm.content):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._render_caption(params)
        markup = self._inline_markup(params)
        return self._apply_edit(sm, caption, entities, markup, params.get("caption"))

    def _edit_message_reply_markup(self, params: JsonDict, files: Files) -> JsonDict:
        sm = self._editable(params)
        markup = self._inline_markup(params)
        return self._apply_edit(sm, sm.text, sm.entities, markup, sm.raw_text)

    def _edit_message_media(self, params: JsonDict, files: Files) -> JsonDict:
        """A photo, a file, an audio, a video or an animation becomes another one (a voice
        message or a sticker cannot); the new media's caption replaces the old."""
        sm = self._editable(params)
        if not any(key in EDITABLE_MEDIA for key in sm.content):
            raise bad_request("there is no media in the message to edit")
        media = params.get("media")
        if isinstance(media, str):
            media = json.loads(media)
        if not isinstance(media, dict) or media.get("type") not in EDITABLE_MEDIA:
            raise bad_request("wrong media type")
        if sm.media_group_id and "document" in sm.content and media["type"] != "document":
            raise bad_request("a document album takes only documents")
        fields = self._group_item(media, files)
        sm.history.append(sm.text or "")
        sm.text, sm.raw_text, sm.entities = fields["text"], fields["raw_text"], fields["entities"]
        sm.document, sm.content = fields["document"], fields["content"]
        sm.edit_date = unix_now()
        return self._message_dict(sm)

    def _delete_message(self, params: JsonDict, files: Files) -> bool:
        sm = self._find(self._target_chat(params), params.get("message_id"))
        if sm is None or sm.deleted:
            raise bad_request("message to delete not found")
        if sm.date and unix_now() - sm.date >= DELETE_WINDOW:
            raise bad_request("message can't be deleted for everyone")
        sm.deleted = True
        return True

    def _delete_messages(self, params: JsonDict, files: Files) -> bool:
        chat_id = self._target_chat(params)
        for message_id in params.get("message_ids") or []:
            if (sm := self._find(chat_id, message_id)) is not None:
                sm.deleted = True
        return True

    def _answer_callback_query(self, params: JsonDict, files: Files) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    def _send_chat_action(self, params: JsonDict, files: Files) -> bool:
        self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: JsonDict, files: Files) -> JsonDict:
        return chat_full_info(self._chat(self._target_chat(params)))

    def _member_user(self, user_id: Any) -> JsonDict:
        if user_id == self.bot_id:
            return self._bot_user()
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        return (
            user.as_dict()
            if user
            else {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )

    def _get_chat_member(self, params: JsonDict, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("invalid user_id specified")
        status = self.member_status.get((chat_id, user_id), "member")
        return member_payload(status, self._member_user(user_id))

    def _get_chat_administrators(self, params: JsonDict, files: Files) -> list[JsonDict]:
        chat_id = self._target_chat(params)
        if self._chat_type(chat_id) == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            member_payload(status, self._member_user(user_id))
            for (chat, user_id), status in self.member_status.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    def _leave_chat(self, params: JsonDict, files: Files) -> bool:
        self._faults.left.add(self._target_chat(params))
        return True

    def _pin_chat_message(self, params: JsonDict, files: Files) -> bool:
        sm = self._find(self._target_chat(params), params.get("message_id"))
        if sm is None or sm.deleted:
            raise bad_request("message to pin not found")
        sm.pinned = True
        return True

    def _unpin_chat_message(self, params: JsonDict, files: Files) -> bool:
        chat_id = self._target_chat(params)
        pinned = [m for m in self._all_in_chat(chat_id) if m.pinned]
        if params.get("message_id") is not None:
            pinned = [m for m in pinned if m.message_id == params["message_id"]]
        if pinned:
            max(pinned, key=lambda m: m.message_id).pinned = False
        return True

    def _unpin_all_chat_messages(self, params: JsonDict, files: Files) -> bool:
        for message in self._all_in_chat(self._target_chat(params)):
            message.pinned = False
        return True

    def _all_in_chat(self, chat_id: int) -> Iterator[SentMessage]:
        for store in (self.messages, self.user_messages):
            yield from (m for (chat, _), m in store.items() if chat == chat_id)

    def _get_file(self, params: JsonDict, files: Files) -> JsonDict:
        found = self.files.get(str(params.get("file_id") or ""))
        if found is None:
            raise bad_request("invalid file_id")
        if len(found.data or b"") > DOWNLOAD_LIMIT:  # as Telegram: a bot gets up to 20 MB
            raise bad_request("file is too big")
        result: JsonDict = {"file_id": found.file_id, "file_unique_id": found.file_unique_id}
        if found.data:
            result["file_size"] = len(found.data)
        return {**result, "file_path": found.file_path}


# --------------------------------------------------------------------------- small helpers

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses a bigger file


def _true(params: JsonDict, files: Files) -> bool:
    return True


_SETTING_LIMITS = {"description": 512, "short_description": 120, "name": 64}


def commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    if not COMMAND_NAME.fullmatch(str(command.get("command", ""))):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(str(command.get("description") or "")) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: "
            'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(action in button for action in BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 0 < len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not url or any(ch in SPACES for ch in str(url))):
        raise bad_request("BUTTON_URL_INVALID")
