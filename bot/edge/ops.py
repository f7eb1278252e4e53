"""``[ops] listen``: a local HTTP endpoint for health checks and Prometheus.

- ``GET /healthz``: JSON ``{"ok", "gateway", "database", "sources": {name: last successful poll}}``;
  200 when the gateway is connected and the database takes a write lock, else 503.
- ``GET /metrics``: the Prometheus text format (bot/metrics.py), the gauges read at scrape time.
Off by default; bind it to 127.0.0.1 (or a container's own interface) and let the scraper in.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from prometheus_client import Counter

from bot.config import parse_listen
from bot.db.ledger import LedgerStore
from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)
WRITE_CHECK_SECONDS = 2.0


class OpsError(Exception):
    """The endpoint cannot listen where [ops] listen says (the port is taken, no such address)."""


class OpsServer:
    def __init__(self, bot: Paperboy, listen: str) -> None:
        self.bot = bot
        self.host, self.port = parse_listen(listen)
        self.runner: web.AppRunner | None = None
        self.write_check = WRITE_CHECK_SECONDS
        self.probe: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        try:
            await web.TCPSite(self.runner, self.host, self.port).start()
        except OSError as error:
            await self.stop()
            raise OpsError(
                f"[ops] listen: cannot listen on {self.host}:{self.port}: {error.strerror or error}"
            ) from None
        log.info("health and metrics on http://%s:%d (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def gateway_connected(self) -> bool:
        return self.bot.is_ready() and not self.bot.is_closed() and self.bot.ws is not None

    async def database_writable(self) -> bool:
        """Whether a write lock is granted within ``write_check`` seconds.

        The probe runs as its own task and is never cancelled mid-transaction (a BEGIN that
        completes after a cancel would leave the connection inside a transaction); a slow one is
        shielded from the timeout, left to finish, and reused by the next check.
        """
        if self.probe is None or self.probe.done():
            self.probe = asyncio.create_task(self._take_write_lock())
            self.probe.add_done_callback(_retrieve)
        try:
            await asyncio.wait_for(asyncio.shield(self.probe), self.write_check)
        except TimeoutError:
            log.warning("health: no database write lock within %.1f s", self.write_check)
            return False
        except Exception as error:
            log.warning("health: database not writable: %s", error)
            return False
        return True

    async def _take_write_lock(self) -> None:
        async with self.bot.db.transaction():
            pass  # BEGIN IMMEDIATE took the write lock: the file is writable

    async def healthz(self, request: web.Request) -> web.Response:
        gateway, database = self.gateway_connected(), await self.database_writable()
        sources = {name: None for name in (s.name for s in self.bot.scheduler.sources)}
        for name, when in self.bot.metrics.last_success.items():
            sources[name] = when.isoformat()  # type: ignore[assignment]
        body = {"ok": gateway and database, "gateway": gateway, "database": database}
        return web.json_response({**body, "sources": sources}, status=200 if body["ok"] else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        metrics = self.bot.metrics
        metrics.guilds.set(len(self.bot.guilds))
        latency = self.bot.latency
        metrics.gateway_latency.set(latency if math.isfinite(latency) else float("nan"))
        metrics.pending.set(await LedgerStore(self.bot.db).pending_count())
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def _retrieve(task: asyncio.Task[None]) -> None:
    """A probe's failure is reported by the check that awaited it; never 'never retrieved'."""
    if not task.cancelled():
        task.exception()


def count_rate_limits(counter: Counter) -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's session: every 429 Discord answers is counted."""
    trace = aiohttp.TraceConfig()

    async def on_end(
        session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            counter.inc()

    trace.on_request_end.append(on_end)
    return trace
