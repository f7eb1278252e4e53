"""What an operator graphs and alerts on, in Prometheus terms, in a registry of the bot's own.

The services count what happens (polls, papers, posts); the Discord edge sets what only it knows
(guilds, gateway latency, 429s, command latency) and serves it all on ``[ops] listen``.
A registry per Metrics object (never the global one) keeps two bots in one test process apart.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.guilds = Gauge("paperboy_guilds", "Servers the bot is in", registry=r)
        self.gateway_latency = Gauge(
            "paperboy_gateway_latency_seconds", "Discord gateway heartbeat latency", registry=r
        )
        self.polls = Counter(
            "paperboy_polls",
            "Source polls by outcome (ok, failed)",
            ["source", "outcome"],
            registry=r,
        )
        self.last_poll = Gauge(
            "paperboy_last_successful_poll_timestamp_seconds",
            "When each source was last polled without a failure (Unix time)",
            ["source"],
            registry=r,
        )
        self.papers_ingested = Counter(
            "paperboy_papers_ingested", "New papers stored, by source", ["source"], registry=r
        )
        self.posts = Counter(
            "paperboy_posts",
            "Delivery messages by outcome: sent, failed, retried (a pending one posted again)",
            ["outcome"],
            registry=r,
        )
        self.rate_limited = Counter(
            "paperboy_discord_rate_limited", "HTTP 429 answers from Discord", registry=r
        )
        self.pending = Gauge(
            "paperboy_deliveries_pending",
            "Delivery messages recorded but not yet confirmed posted",
            registry=r,
        )
        self.command_latency = Histogram(
            "paperboy_command_latency_seconds",
            "From a slash command reaching the bot to the end of its handling",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self.last_success: dict[str, datetime] = {}

    def polled(self, source: str, ok: bool, new: int, when: datetime) -> None:
        self.polls.labels(source, "ok" if ok else "failed").inc()
        self.papers_ingested.labels(source).inc(new)
        if ok:
            self.last_success[source] = when
            self.last_poll.labels(source).set(when.timestamp())

    def render(self) -> bytes:
        return generate_latest(self.registry)
