"""What the admin reads about a broadcast: progress, the final report, a missed-time notice.

Texts only, from counts read out of the ledger; Telegram HTML, every reason escaped.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, tzinfo
from typing import Final

from bot.core.dates import format_local
from bot.core.messages import Button, Keyboard
from bot.texts import broadcasts as t
from bot.texts.broadcasts import NOBODY
from bot.texts.chats import CHANNEL_TITLES
from storage.models import BroadcastState, DeliveryStatus

SENT, FAILED, BLOCKED = DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.BLOCKED
# A failed delivery keeps the messenger's own words (English, technical); the author reads
# what they mean. First match wins; anything else is shown as it came, after «другая ошибка».
REASONS: Final = (
    (("too long",), "сообщение слишком длинное"),
    (("parse entities", "can't parse"), "ошибка разметки текста"),
    (("not enough rights", "have no rights", "write_forbidden", "administrator rights"),
     "у бота нет права писать в этот чат"),
    # a forum supergroup: a message without a topic goes to «General», which its admins closed
    (("topic_closed",), "в группе-форуме закрыта тема «General» — откройте её или сделайте "
     "бота администратором"),
    (("file", "photo", "document", "media", "файл"), "не удалось отправить файл или фото"),
    (("internal server error", "bad gateway", "service unavailable", "server error"),
     "сбой на стороне мессенджера"),
    (("timeout", "network", "connect", "http client"), "нет связи с сервером мессенджера"),
    (("неизвестный id max",), "чат MAX не найден"),
    # broadcasts.channels: a MAX row in a process without MAX_BOT_TOKEN (Telegram is always on)
    (("канал max не настроен",), "MAX не подключён к боту (MAX_BOT_TOKEN)"),
    # broadcasts.courier.SKIPPED: a group unbound while the broadcast went out
    (("группу отвязали",), "группу отвязали от аудитории во время рассылки — не отправлено"),
    (("отписался",), "получатель отписался во время рассылки — не отправлено"),
)  # fmt: skip


def waiting_word(state: str) -> str:
    """What the rows not sent yet are: «в очереди» while they still go, «не отправлено» once
    the broadcast was cancelled (they never will)."""
    return "не отправлено" if state == BroadcastState.CANCELLED else "в очереди"


def reason_text(reason: str) -> str:
    """A failure's reason in the author's words."""
    low = reason.lower()
    label = next((label for markers, label in REASONS if any(m in low for m in markers)), None)
    return label or f"другая ошибка: {reason}"


def _reasons(errors: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Reasons that read the same are one line; most frequent first."""
    merged: dict[str, int] = {}
    for reason, n in errors:
        shown = reason_text(reason)
        merged[shown] = merged.get(shown, 0) + n
    return sorted(merged.items(), key=lambda item: -item[1])


def _done(counts: dict[str, int]) -> int:
    return counts.get(SENT, 0) + counts.get(FAILED, 0) + counts.get(BLOCKED, 0)


def progress_text(broadcast_id: int, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"📤 Рассылка №{broadcast_id}\nОтправлено {_done(counts)} из {total}…"


def final_text(
    broadcast_id: int,
    counts: dict[str, int],
    errors: list[tuple[str, int]],
    *,
    cancelled: bool = False,
    channels: dict[str, dict[str, int]] | None = None,
) -> str:
    """With `channels` (`service.counts_by_channel`), a line per messenger once MAX chats were
    in the ledger: «Доставлено: 3 из 5» alone does not say that MAX is where it failed."""
    total = sum(counts.values())
    if total == 0 and not cancelled:  # its groups were unbound, untagged or lost meanwhile
        return NOBODY.format(id=broadcast_id)
    head = (
        f"⛔ Рассылка №{broadcast_id} отменена; неотправленные сообщения не уйдут."
        if cancelled
        else f"✅ Рассылка №{broadcast_id} завершена."
    )
    lines = [
        head,
        f"Доставлено: {counts.get(SENT, 0)} из {total}",
        *channel_lines(channels or {}, BroadcastState.CANCELLED if cancelled else ""),
        f"Бот заблокирован или удалён из чата: {counts.get(BLOCKED, 0)}",
        f"Не доставлено из-за ошибок: {counts.get(FAILED, 0)}",
    ]
    lines += [f"  • {html.escape(reason)} — {n}" for reason, n in _reasons(errors)]
    if cancelled:
        lines.append(f"Не отправлено: {total - _done(counts)}")
    return "\n".join(lines)


def held_text(broadcast_id: int, counts: dict[str, int], paused_at: datetime, tz: tzinfo) -> str:
    """The question to the author of a broadcast paused too long: the rest go, or not?"""
    total, sent = sum(counts.values()), counts.get(SENT, 0)
    since = format_local(paused_at, tz)
    return t.HELD_ASK.format(
        id=broadcast_id, since=since, sent=sent, total=total, pending=total - _done(counts)
    )


def console(text: str, *, one_line: bool = True) -> str:
    """A report for a terminal or the log: the tags gone, entities read; one line for a log."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [line.strip() for line in plain.splitlines() if line.strip()]
    if not one_line:
        return "\n".join(lines)
    return " ".join(line if line[-1] in ".:;!?…" else f"{line};" for line in lines).rstrip(";")


def held_progress(broadcast_id: int) -> str:
    return t.HELD_PROGRESS.format(id=broadcast_id)


def decision_buttons(broadcast_id: int) -> Keyboard:
    """«Досылать» / «Не досылать»: the same payloads as Telegram's
    `BroadcastCb(action=…, id=…).pack()`, so MAX's callback parser serves them too."""
    return ((
        Button(t.BTN_RESUME, action=f"bca:resume:{broadcast_id}"),
        Button(t.BTN_DROP, action=f"bca:drop:{broadcast_id}"),
    ),)  # fmt: skip


def missed_text(
    broadcast_id: int, scheduled_at: datetime, tz: tzinfo, next_at: datetime | None
) -> str:
    when = format_local(scheduled_at, tz)
    text = (
        f"⚠️ Рассылка №{broadcast_id} не отправлена: бот был выключен в назначенное время "
        f"({when}), а отправлять её с большим опозданием не стоит. Если она ещё нужна, "
        "создайте её заново."
    )
    if next_at is not None:
        following = format_local(next_at, tz)
        text += f"\nСледующая еженедельная отправка запланирована на {following}."
    return text


def channel_lines(channels: dict[str, dict[str, int]], state: str = "") -> list[str]:
    """The counters per messenger (`service.counts_by_channel`), one line each; none while
    every row is Telegram's, so a Telegram-only МОЦ reads what it always did."""
    if set(channels) <= {"tg"}:
        return []
    waiting = waiting_word(state)
    return [
        f"{CHANNEL_TITLES.get(name, name)}: доставлено {c['sent']} из {c['total']} · "
        f"заблокировали {c['blocked']} · ошибок {c['failed']} · {waiting} {c['pending']}"
        for name, c in sorted(channels.items(), key=lambda item: item[0] != "tg")
    ]
