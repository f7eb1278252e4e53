"""GET with a timeout, retries and backoff: the one way sources talk to the network."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.text import plural

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Http:
    """How sources talk to the network: one session, one timeout, one retry policy."""

    session: aiohttp.ClientSession
    timeout: float = 20.0
    retries: int = 3
    sleep: Sleep = asyncio.sleep


class FetchError(Exception):
    """The URL could not be fetched after every retry; the message says why.

    ``unreachable``: the last attempt got no answer at all (no network, DNS, refused, timeout),
    so asking the same host for another day now would fail the same way.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


async def fetch(
    http: Http, url: str, *, headers: dict[str, str] | None = None, source: str = "source"
) -> Fetched:
    """GET ``url``. Connection errors, timeouts, 429 and 5xx are retried with exponential backoff
    (honouring Retry-After); any other status, 404 and 304 included, is returned as it is."""
    retries = http.retries
    for attempt in range(retries + 1):
        try:
            async with http.session.get(
                url, headers=headers, timeout=aiohttp.ClientTimeout(total=http.timeout)
            ) as response:
                body = await response.read()
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
        delay = wait if wait is not None else min(60.0, 2.0**attempt) * (0.5 + random.random() / 2)
        log.debug(  # the poll logs one line if every attempt fails
            "%s: %s: %s; retry %d/%d in %.1f s", source, url, reason, attempt + 1, retries, delay
        )
        await http.sleep(delay)
    raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
