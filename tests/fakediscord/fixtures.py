"""pytest fixtures: a fake Discord per test, and the real bot running against it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
import pytest
import yarl
from discord.ext import commands

from tests.fakediscord.server import TOKEN, FakeDiscord


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started fake Discord that discord.py is pointed at; fails the test on unknown routes."""
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.base_url}/api/v10")
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        yarl.URL(f"ws://127.0.0.1:{fake.port}/"),
    )
    yield fake
    await fake.stop()
    assert not fake.unhandled, (
        f"the bot called routes the fake does not know: {[(c.method, c.path) for c in fake.unhandled]}"
    )


@asynccontextmanager
async def running(bot: commands.Bot, token: str = TOKEN) -> AsyncIterator[commands.Bot]:
    """Log in, connect and wait for READY; on exit close and re-raise whatever the bot raised."""
    await bot.login(token)
    connection = asyncio.create_task(bot.connect(reconnect=False))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {connection, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED
    )
    if connection in done or not done:
        ready.cancel()
        await bot.close()
        if connection in done:
            connection.result()
        raise AssertionError("the bot did not become ready")
    try:
        yield bot
    finally:
        await bot.close()
        await connection
