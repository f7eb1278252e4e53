"""Discord-like rate limits: a global per-bot limit and a per-channel bucket for posting messages.

Windows are fixed and measured on ``time.monotonic``. Every response carries the
``X-RateLimit-*`` headers; a refusal is a 429 with ``retry_after``, ``global``, ``Retry-After``,
``X-RateLimit-Scope`` and ``Via`` (without ``Via`` discord.py takes a 429 for a Cloudflare ban).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

UNLIMITED = 10_000


@dataclass(frozen=True)
class RateLimits:
    """How much the fake allows. Discord's real figures: 50 requests/s, 5 messages per 5 s."""

    global_per_second: int = 50
    channel_messages: int = 5
    channel_window: float = 5.0
    global_window: float = 1.0  # shrink it (with global_per_second) to keep tests fast


@dataclass(frozen=True)
class Verdict:
    """The outcome for one request: its headers, and if it was refused, the 429 body."""

    headers: dict[str, str]
    refused: dict[str, object] | None = None


class _Window:
    def __init__(self, limit: int, length: float) -> None:
        self.limit, self.length = limit, length
        self.started = -math.inf
        self.used = 0

    def reset_after(self, now: float) -> float:
        return max(0.0, self.started + self.length - now)

    def take(self, now: float) -> bool:
        if now >= self.started + self.length:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


def bucket_hash(route: str) -> str:
    return hashlib.sha1(route.encode()).hexdigest()[:16]


class RateLimiter:
    """Decides each request's fate. ``limits=None`` lets everything through (headers still sent)."""

    def __init__(
        self, limits: RateLimits | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits, self.clock = limits, clock
        self._global: _Window | None = None
        self._channels: dict[str, _Window] = {}

    def check(self, route: str, channel_id: str | None, exempt_global: bool) -> Verdict:
        """``route`` is the method and path template; ``channel_id`` marks a message post."""
        now = self.clock()
        bucket = bucket_hash(route)
        if self.limits is None:
            return Verdict(_headers(UNLIMITED, UNLIMITED - 1, 1.0, bucket))
        if not exempt_global:
            if self._global is None:
                self._global = _Window(self.limits.global_per_second, self.limits.global_window)
            if not self._global.take(now):
                retry = self._global.reset_after(now)
                return Verdict(*_limited(retry, bucket, "global", self.limits.global_per_second))
        if channel_id is None:
            return Verdict(_headers(UNLIMITED, UNLIMITED - 1, 1.0, bucket))
        window = self._channels.get(channel_id)
        if window is None:
            window = self._channels[channel_id] = _Window(
                self.limits.channel_messages, self.limits.channel_window
            )
        if not window.take(now):
            return Verdict(*_limited(window.reset_after(now), bucket, "user", window.limit))
        remaining = window.limit - window.used
        return Verdict(_headers(window.limit, remaining, window.reset_after(now), bucket))


def _headers(limit: int, remaining: int, reset_after: float, bucket: str) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def _limited(
    retry_after: float, bucket: str, scope: str, limit: int
) -> tuple[dict[str, str], dict[str, object]]:
    """Headers and body of a 429, shaped like Discord's."""
    retry_after = max(retry_after, 0.001)
    headers = {
        **_headers(limit, 0, retry_after, bucket),
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": scope,
        "Via": "1.1 google",
    }
    if scope == "global":
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": scope == "global",
    }
    return headers, body


def limited_verdict(retry_after: float, route: str, scope: str = "user") -> Verdict:
    """A 429 verdict, for fault injection."""
    return Verdict(*_limited(retry_after, bucket_hash(route), scope, 1))
