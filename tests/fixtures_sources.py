"""A local web server whose answers a test scripts, and the store and session sources use."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import aiohttp
import pytest
from aiohttp import web

from tests.helpers import open_store

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def answer(status: int = 200, body: bytes = b"", **headers: str) -> dict:
    return {
        "status": status,
        "body": body,
        "headers": {k.replace("_", "-"): v for k, v in headers.items()},
    }


class Site:
    """A local web server whose answers the test scripts; it records what it was asked.

    Each path answers its scripted responses in turn, then repeats the last one.
    """

    HANG: ClassVar[dict] = {"hang": True}  # never answered: the client's timeout must fire

    def __init__(self) -> None:
        self.answers: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.never = asyncio.Event()
        self.streamed = 0

    def script(self, path: str, *answers: dict) -> None:
        self.answers.setdefault(path, []).extend(answers)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key = request.path_qs
        self.requests.append((key, dict(request.headers)))
        queue = self.answers.get(key)
        if not queue:
            return web.Response(status=404)
        scripted = queue.pop(0) if len(queue) > 1 else queue[0]
        if scripted is self.HANG:
            await self.never.wait()
        if "stream" in scripted:  # this many bytes, sent in chunks with no Content-Length
            return await self.stream(request, scripted["stream"])
        return web.Response(**scripted)

    async def stream(self, request: web.Request, size: int) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"x" * 65536
        try:
            for _ in range(size // len(chunk)):
                await response.write(chunk)
                self.streamed += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should once the limit is passed
        return response


@pytest.fixture
async def site():
    server = Site()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    server.base = f"http://127.0.0.1:{tcp._server.sockets[0].getsockname()[1]}"
    yield server
    server.never.set()  # let a hung handler finish so cleanup need not wait for it
    await runner.cleanup()


@pytest.fixture
async def store(empty_db: Path):
    async with open_store(empty_db) as papers:
        yield papers


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
