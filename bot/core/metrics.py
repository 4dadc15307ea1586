"""What the bot counts for `/metrics`: updates, FAQ outcomes, broadcasts, reminders.

Module-level on purpose, as in every Prometheus client: a counter belongs to the process, not
to one Dispatcher (tests build several; they share the numbers, which only grow). Call sites
use the functions below, so the metric names and labels stay in this one file. Known label
values start at 0, so a rate() over them works before the first event.
"""

from __future__ import annotations

from bot.app.prometheus import Counter, Gauge, Histogram, Registry

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

OUTBOUND_DEPTH = REGISTRY.add(
    Gauge(
        "moc_outbound_queue_depth",
        "Messages waiting for a send slot now, by priority (person, staff, notice, broadcast).",
        ["priority"],
    )
)
OUTBOUND_WAIT = REGISTRY.add(
    Histogram(
        "moc_outbound_wait_seconds",
        "Time a message waited for its send slot (429 waits included), by priority.",
        ["priority"],
        buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0),
    )
)
OUTBOUND_429 = REGISTRY.add(
    Counter(
        "moc_outbound_retry_after_total",
        "429 Too Many Requests answers, by the limit blamed: global, private or group.",
        ["scope"],
    )
)
OUTBOUND_GIVEN_UP = REGISTRY.add(
    Counter(
        "moc_outbound_given_up_total",
        "Messages not sent because Telegram kept refusing them past OUTBOUND_GIVE_UP_SECONDS "
        "(staff-chat ticket posts are re-posted later), by priority.",
        ["priority"],
    )
)
for _priority in ("person", "staff", "notice", "broadcast"):
    OUTBOUND_DEPTH.add(_priority, amount=0)
    OUTBOUND_GIVEN_UP.inc(_priority, amount=0)
for _scope in ("global", "private", "group"):
    OUTBOUND_429.inc(_scope, amount=0)

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


def outbound_waiting(priority: str, change: int) -> None:
    OUTBOUND_DEPTH.add(priority, amount=change)


def outbound_waited(priority: str, seconds: float) -> None:
    OUTBOUND_WAIT.observe(seconds, priority)


def outbound_retry_after(scope: str) -> None:
    OUTBOUND_429.inc(scope)


def outbound_given_up(priority: str) -> None:
    OUTBOUND_GIVEN_UP.inc(priority)


def reminders_sent(count: int) -> None:
    if count:
        REMINDERS_SENT.inc(amount=count)


def render() -> str:
    return REGISTRY.render()
