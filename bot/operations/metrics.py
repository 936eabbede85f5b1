"""Prometheus metrics: what an operator graphs and alerts on, served at ``/metrics``.

Each application has its own registry (tests run several bots in one process). Counts
that already live elsewhere (digest outcomes, queue depths) are read when scraped, by a
collector, instead of being counted twice; subscribers need the database, so the web
server refreshes that snapshot with :meth:`Metrics.refresh_subscribers` before rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Handlers answer in about a millisecond; anything past a second is an incident.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass
class LiveReadings:
    """Values owned by other parts of the bot, read at scrape time."""

    digest_outcomes: Mapping[str, int] = field(default_factory=dict)
    update_queue: int = 0
    turns_queue: int = 0  # updates admitted, waiting for their chat's turn
    digest_queue: int = 0
    updates_dropped: int = 0  # sent by a chat beyond its queue: not handled
    updates_given_up: int = 0  # still queued when a stop ran out of time
    catalog_version: str = ""
    catalog_changed_at: float = 0.0  # Unix time the served catalog last changed
    catalog_rebuilds: int = 0
    feeds: Mapping[str, int] = field(default_factory=dict)  # "ok" / "failing" -> count


class _LiveCollector(Collector):
    def __init__(self, read: Callable[[], LiveReadings], subscribers: dict[str, int]) -> None:
        self.read = read
        self.subscribers = subscribers

    def collect(self) -> Iterator[Metric]:
        live = self.read()
        outcomes = live.digest_outcomes
        for name, outcome, text in (
            ("sent", "sent", "Digests delivered"),
            ("failed", "failed", "Digests given up on (chat gone, or attempts exhausted)"),
            ("deferred", "retry", "Digest sends left for a later retry"),
        ):
            yield CounterMetricFamily(
                f"briefbot_digests_{name}", text, value=outcomes.get(outcome, 0)
            )
        yield CounterMetricFamily(
            "briefbot_updates_dropped",
            "Updates a chat sent beyond its queue while it was behind: not handled",
            value=live.updates_dropped,
        )
        yield CounterMetricFamily(
            "briefbot_updates_given_up",
            "Updates still queued when a stop ran out of time: not handled",
            value=live.updates_given_up,
        )
        depth = GaugeMetricFamily(
            "briefbot_queue_depth", "Work waiting to be handled", labels=["queue"]
        )
        depth.add_metric(["updates"], live.update_queue)
        depth.add_metric(["turns"], live.turns_queue)
        depth.add_metric(["digests"], live.digest_queue)
        yield depth
        subscribers = GaugeMetricFamily(
            "briefbot_subscribers",
            "Chats with at least one active subscription",
            labels=["chat_type"],
        )
        for chat_type in ("private", "group", "supergroup", "channel"):
            subscribers.add_metric([chat_type], self.subscribers.get(chat_type, 0))
        yield subscribers
        if live.catalog_version:
            info = GaugeMetricFamily(
                "briefbot_catalog_info", "The catalog served now (1)", labels=["version"]
            )
            info.add_metric([live.catalog_version], 1)
            yield info
            yield GaugeMetricFamily(
                "briefbot_catalog_changed_timestamp_seconds",
                "When the served catalog last changed (Unix time)",
                value=live.catalog_changed_at,
            )
        yield CounterMetricFamily(
            "briefbot_catalog_rebuilds",
            "Rebuilds of the live catalog after new documents",
            value=live.catalog_rebuilds,
        )
        feeds = GaugeMetricFamily("briefbot_feeds", "Configured feeds by state", labels=["state"])
        for state in ("ok", "failing"):
            feeds.add_metric([state], live.feeds.get(state, 0))
        yield feeds


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "briefbot_updates_handled", "Updates whose handlers finished", registry=self.registry
        )
        self.replies = Counter(
            "briefbot_replies",
            "Messages sent (or edited) in answer to an update, by command",
            ["command"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "briefbot_handler_seconds",
            "Time the handlers took for one update, by command",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "briefbot_handler_errors", "Updates whose handler raised", registry=self.registry
        )
        self.too_many_requests = Counter(
            "briefbot_telegram_429", "Bot API answers 429 (RetryAfter)", registry=self.registry
        )
        ProcessCollector(registry=self.registry)  # resident memory, CPU, open files
        self.subscribers: dict[str, int] = {}
        self._live: _LiveCollector | None = None

    def read_live(self, read: Callable[[], LiveReadings]) -> None:
        """Where the scrape-time values come from (set once the application exists)."""
        if self._live is None:
            self._live = _LiveCollector(read, self.subscribers)
            self.registry.register(self._live)
        self._live.read = read

    def refresh_subscribers(self, counts: Mapping[str, int]) -> None:
        self.subscribers.clear()
        self.subscribers.update(counts)

    def value(self, name: str, labels: Mapping[str, str] | None = None) -> float:
        """One sample's current value (0 when absent), for /stats and for tests."""
        found = self.registry.get_sample_value(name, dict(labels or {}))
        return found or 0.0

    def render(self) -> bytes:
        return generate_latest(self.registry)
