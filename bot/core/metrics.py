"""What the bot counts for `/metrics`: updates, FAQ outcomes, broadcasts, reminders.

Defined with prometheus_client in one registry per process (each web instance and the worker
is scraped on its own port, so no multiprocess mode), with the library's process, platform and
garbage-collector collectors beside ours. Module-level on purpose, as in every Prometheus
client: a counter belongs to the process, not to one Dispatcher (tests build several; they
share the numbers, which only grow). Call sites use the functions below, so the metric names
and labels stay in this one file. Known label values start at 0, so a rate() over them works
before the first event.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

# `*_created` timestamps double every counter's series and no dashboard of ours reads them
disable_created_metrics()  # type: ignore[no-untyped-call]  # the library leaves it unannotated

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
OUTBOUND_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0)

UPDATES = Counter(
    "moc_updates_total",
    "Updates received, by type; duplicates skipped are included, see moc_updates_duplicate_total.",
    ["type"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "moc_update_duration_seconds",
    "Time from an update entering the middlewares to its handler returning, by type.",
    ["type"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
UPDATE_ERRORS = Counter(
    "moc_update_errors_total",
    "Updates whose handling raised, by type.",
    ["type"],
    registry=REGISTRY,
)
DUPLICATES = Counter(
    "moc_updates_duplicate_total",
    "Updates skipped because their update_id was already processed (Telegram retries).",
    registry=REGISTRY,
)
UNPARSABLE = Counter(
    "moc_updates_unparsable_total",
    "Updates skipped because they could not be parsed (a field newer than our aiogram, "
    "a broken self-hosted Bot API), by source: polling, webhook.",
    ["source"],
    registry=REGISTRY,
)
FAQ = Counter(
    "moc_faq_questions_total",
    "Typed questions by matcher outcome: answer, suggest, smalltalk, offtopic, unknown.",
    ["outcome"],
    registry=REGISTRY,
)
BROADCAST_MESSAGES = Counter(
    "moc_broadcast_messages_total",
    "Broadcast messages by final outcome (sent, blocked: chat gone, failed) and messenger.",
    ["status", "channel"],
    registry=REGISTRY,
)
BROADCAST_RETRY_AFTER = Counter(
    "moc_broadcast_retry_after_total",
    "429 Too Many Requests answers met while sending broadcasts.",
    registry=REGISTRY,
)
REMINDERS_SENT = Counter(
    "moc_reminders_sent_total", "Event reminders sent to teachers.", registry=REGISTRY
)

OUTBOUND_DEPTH = Gauge(
    "moc_outbound_queue_depth",
    "Messages waiting for a send slot now, by priority (person, staff, notice, broadcast).",
    ["priority"],
    registry=REGISTRY,
)
OUTBOUND_WAIT = Histogram(
    "moc_outbound_wait_seconds",
    "Time a message waited for its send slot (429 waits included), by priority.",
    ["priority"],
    buckets=OUTBOUND_BUCKETS,
    registry=REGISTRY,
)
OUTBOUND_429 = Counter(
    "moc_outbound_retry_after_total",
    "429 Too Many Requests answers, by the limit blamed: global, private or group.",
    ["scope"],
    registry=REGISTRY,
)
OUTBOUND_GIVEN_UP = Counter(
    "moc_outbound_given_up_total",
    "Messages not sent because Telegram or MAX kept refusing them past "
    "OUTBOUND_GIVE_UP_SECONDS (staff-chat ticket posts are re-posted later), by priority "
    "(Telegram) or «max».",
    ["priority"],
    registry=REGISTRY,
)
OUTBOX = Counter(
    "moc_outbox_messages_total",
    "Replies to people kept in the outbox past OUTBOUND_GIVE_UP_SECONDS or a shutdown "
    "(stored), delivered later (sent), dropped (the person blocked the bot), tried again "
    "(later) or dropped unsent past OUTBOX_MAX_AGE_HOURS (expired), by channel.",
    ["event", "channel"],
    registry=REGISTRY,
)

# `.labels(...)` creates the series at 0
for _priority in ("person", "staff", "notice", "broadcast"):
    OUTBOUND_DEPTH.labels(_priority)
    OUTBOUND_GIVEN_UP.labels(_priority)
for _scope in ("global", "private", "group"):
    OUTBOUND_429.labels(_scope)
for _outcome in ("answer", "suggest", "smalltalk", "offtopic", "unknown"):
    FAQ.labels(_outcome)
for _source in ("polling", "webhook"):
    UNPARSABLE.labels(_source)
for _event in ("stored", "sent", "dropped", "later", "expired"):
    for _channel in ("tg", "max"):
        OUTBOX.labels(_event, _channel)
for _status in ("sent", "blocked", "failed"):
    for _channel in ("tg", "max"):
        BROADCAST_MESSAGES.labels(_status, _channel)


def update_handled(update_type: str, seconds: float, *, failed: bool = False) -> None:
    UPDATES.labels(update_type).inc()
    UPDATE_SECONDS.labels(update_type).observe(seconds)
    if failed:
        UPDATE_ERRORS.labels(update_type).inc()


def update_duplicate() -> None:
    DUPLICATES.inc()


def update_unparsable(source: str) -> None:
    """An update was skipped unparsed; `source` is "polling" or "webhook"."""
    UNPARSABLE.labels(source).inc()


def faq_outcome(kind: str) -> None:
    """Called by the FAQ handler where it logs the matcher's outcome."""
    FAQ.labels(kind).inc()


def broadcast_message(status: str, channel: str = "tg") -> None:
    """A broadcast ledger row reached its final status: "sent", "blocked" or "failed";
    `channel` is the chat's messenger ("tg" or "max")."""
    BROADCAST_MESSAGES.labels(status, channel).inc()


def broadcast_retry_after() -> None:
    """Telegram answered 429 to a broadcast send."""
    BROADCAST_RETRY_AFTER.inc()


def outbound_waiting(priority: str, change: int) -> None:
    OUTBOUND_DEPTH.labels(priority).inc(change)


def outbound_waited(priority: str, seconds: float) -> None:
    OUTBOUND_WAIT.labels(priority).observe(seconds)


def outbound_retry_after(scope: str) -> None:
    OUTBOUND_429.labels(scope).inc()


def outbound_given_up(priority: str) -> None:
    OUTBOUND_GIVEN_UP.labels(priority).inc()


def outbox(event: str, channel: str) -> None:
    OUTBOX.labels(event, channel).inc()


def reminders_sent(count: int) -> None:
    if count:
        REMINDERS_SENT.inc(count)


def value(sample: str, **labels: str) -> float:
    """A sample as /metrics shows it, 0 if absent: `value("moc_updates_total", type="message")`."""
    return REGISTRY.get_sample_value(sample, labels) or 0.0


def render() -> str:
    """The text /metrics serves to a scraper that asks for no particular format."""
    return generate_latest(REGISTRY).decode()
