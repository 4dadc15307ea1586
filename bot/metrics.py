"""What the bot counts for `/metrics`: updates, FAQ outcomes, broadcasts, reminders.

Module-level on purpose, as in every Prometheus client: a counter belongs to the process, not
to one Dispatcher (tests build several; they share the numbers, which only grow). Call sites
use the functions below, so the metric names and labels stay in this one file. Known label
values start at 0, so a rate() over them works before the first event.
"""

from __future__ import annotations

from bot.prometheus import Counter, Histogram, Registry

REGISTRY = Registry()

UPDATES = REGISTRY.add(
    Counter(
        "moc_updates_total",
        "Updates received, by type; duplicates skipped are included, see "
        "moc_updates_duplicate_total.",
        ["type"],
    )
)
UPDATE_SECONDS = REGISTRY.add(
    Histogram(
        "moc_update_duration_seconds",
        "Time from an update entering the middlewares to its handler returning, by type.",
        ["type"],
    )
)
UPDATE_ERRORS = REGISTRY.add(
    Counter("moc_update_errors_total", "Updates whose handling raised, by type.", ["type"])
)
DUPLICATES = REGISTRY.add(
    Counter(
        "moc_updates_duplicate_total",
        "Updates skipped because their update_id was already processed (Telegram retries).",
    )
)
UNPARSABLE = REGISTRY.add(
    Counter(
        "moc_updates_unparsable_total",
        "Updates skipped because they could not be parsed (a field newer than our aiogram, "
        "a broken self-hosted Bot API), by source: polling, webhook.",
        ["source"],
    )
)
FAQ = REGISTRY.add(
    Counter(
        "moc_faq_questions_total",
        "Typed questions by matcher outcome: answer, suggest, smalltalk, offtopic, unknown.",
        ["outcome"],
    )
)
BROADCAST_MESSAGES = REGISTRY.add(
    Counter(
        "moc_broadcast_messages_total",
        "Broadcast messages by final outcome: sent, blocked (chat gone), failed.",
        ["status"],
    )
)
BROADCAST_RETRY_AFTER = REGISTRY.add(
    Counter(
        "moc_broadcast_retry_after_total",
        "429 Too Many Requests answers met while sending broadcasts.",
    )
)
REMINDERS_SENT = REGISTRY.add(
    Counter("moc_reminders_sent_total", "Event reminders sent to teachers.")
)

for _outcome in ("answer", "suggest", "smalltalk", "offtopic", "unknown"):
    FAQ.inc(_outcome, amount=0)
for _source in ("polling", "webhook"):
    UNPARSABLE.inc(_source, amount=0)
for _status in ("sent", "blocked", "failed"):
    BROADCAST_MESSAGES.inc(_status, amount=0)


def update_handled(update_type: str, seconds: float, *, failed: bool = False) -> None:
    UPDATES.inc(update_type)
    UPDATE_SECONDS.observe(seconds, update_type)
    if failed:
        UPDATE_ERRORS.inc(update_type)


def update_duplicate() -> None:
    DUPLICATES.inc()


def update_unparsable(source: str) -> None:
    """An update was skipped unparsed; `source` is "polling" or "webhook"."""
    UNPARSABLE.inc(source)


def faq_outcome(kind: str) -> None:
    """Called by the FAQ handler where it logs the matcher's outcome."""
    FAQ.inc(kind)


def broadcast_message(status: str) -> None:
    """A broadcast ledger row reached its final status: "sent", "blocked" or "failed"."""
    BROADCAST_MESSAGES.inc(status)


def broadcast_retry_after() -> None:
    """Telegram answered 429 to a broadcast send."""
    BROADCAST_RETRY_AFTER.inc()


def reminders_sent(count: int) -> None:
    if count:
        REMINDERS_SENT.inc(amount=count)


def render() -> str:
    return REGISTRY.render()
