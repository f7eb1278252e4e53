"""GET with a timeout, retries and backoff: the one way sources talk to the network.

Nothing a server sends can hold a poll for long or flood memory: Retry-After is obeyed only up to
``max_retry_after`` (beyond it the URL is left for the next poll), every fetch of one poll shares
one deadline, and a body is streamed and refused once it passes ``max_body`` bytes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.config import SourcesConfig
from bot.text import plural

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Http:
    """How sources talk to the network: one session, one timeout, one retry policy, and the
    limits that keep a hostile server from stalling or flooding the bot."""

    session: aiohttp.ClientSession
    timeout: float = 20.0
    retries: int = 3
    sleep: Sleep = asyncio.sleep
    max_body: int = 5_000_000  # bytes; a larger answer is refused
    max_retry_after: float = 60.0  # seconds; a longer Retry-After leaves the URL to the next poll
    poll_seconds: float = 300.0  # every fetch of one poll shares this much time


def http_from(session: aiohttp.ClientSession, settings: SourcesConfig) -> Http:
    """The Http the configured [sources] ask for: how the bot and the CLI both build it."""
    return Http(
        session,
        settings.timeout_seconds,
        settings.retries,
        max_body=int(settings.max_body_mb * 1_000_000),
        max_retry_after=settings.max_retry_after_seconds,
        poll_seconds=settings.poll_budget_seconds,
    )


class FetchError(Exception):
    """The URL could not be fetched after every retry; the message says why.

    ``unreachable``: the last attempt got no answer at all (no network, DNS, refused, timeout),
    so asking the same host for another day now would fail the same way.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class Deadline:
    """The time one poll has left, on the event loop's clock."""

    def __init__(self, seconds: float) -> None:
        self.end = asyncio.get_running_loop().time() + seconds

    def left(self) -> float:
        return self.end - asyncio.get_running_loop().time()


async def fetch(
    http: Http,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    source: str = "source",
    deadline: Deadline | None = None,
) -> Fetched:
    """GET ``url``. Connection errors, timeouts, 429 and 5xx are retried with exponential backoff
    (honouring Retry-After up to the cap); any other status, 404 and 304 included, is returned as
    it is. FetchError when retries, the cap, the deadline or the body limit say stop."""
    deadline = deadline or Deadline(http.poll_seconds)
    retries = http.retries
    for attempt in range(retries + 1):
        left = deadline.left()
        if left <= 0:
            raise FetchError(
                f"{source}: {url}: out of time for this poll ({http.poll_seconds:g} s)",
                unreachable=True,  # so is every other URL of this poll
            )
        try:
            async with http.session.get(
                url, headers=headers, timeout=aiohttp.ClientTimeout(total=min(http.timeout, left))
            ) as response:
                body = await _read(response, http.max_body, f"{source}: {url}")
                if response.status != 429 and response.status < 500:
                    return Fetched(
                        response.status,
                        body,
                        response.headers.get("ETag"),
                        response.headers.get("Last-Modified"),
                    )
                reason, unreachable = f"HTTP {response.status}", False
                wait = _retry_after(response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as error:
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            wait, unreachable = None, not isinstance(error, aiohttp.ClientResponseError)
        if attempt == retries:
            raise FetchError(
                f"{source}: {url} failed after {plural(retries + 1, 'attempt')} ({reason})",
                unreachable=unreachable,
            )
        if wait is not None and wait > http.max_retry_after:
            raise FetchError(
                f"{source}: {url}: {reason} asks to wait {wait:g} s, more than the"
                f" {http.max_retry_after:g} s allowed; left for the next poll"
            )
        delay = wait if wait is not None else min(60.0, 2.0**attempt) * (0.5 + random.random() / 2)
        if delay >= deadline.left():
            raise FetchError(
                f"{source}: {url}: {reason}; no time left in this poll to retry", unreachable=True
            )
        log.debug(  # the poll logs one line if every attempt fails
            "%s: %s: %s; retry %d/%d in %.1f s", source, url, reason, attempt + 1, retries, delay
        )
        await http.sleep(delay)
    raise AssertionError("unreachable")


async def _read(response: aiohttp.ClientResponse, limit: int, where: str) -> bytes:
    """The body, streamed; FetchError as soon as it is larger than ``limit`` bytes."""
    declared = response.content_length
    if declared is not None and declared > limit:
        raise FetchError(f"{where}: answer of {declared:,} bytes is over the {limit:,} byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{where}: answer is over the {limit:,} byte limit; ignored")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; anything unreadable (a date, nan) means no advice."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    if seconds is None or math.isnan(seconds):
        return None
    return max(0.0, seconds)
