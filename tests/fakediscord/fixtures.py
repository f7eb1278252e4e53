"""pytest fixtures: a fresh fake Discord per test, and ``running(bot)`` to run a bot against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from tests.fakediscord.server import TOKEN, FakeDiscord

READY_TIMEOUT = 10.0


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
    try:
        yield fake
    finally:
        await fake.stop()
    unknown = [f"{c.method} {c.path}" for c in fake.unhandled]
    assert not unknown, f"the bot called routes the fake does not implement: {unknown}"
    assert not fake.errors, f"the fake Discord crashed: {fake.errors}"


@contextlib.asynccontextmanager
async def running(
    bot: discord.Client, fake: FakeDiscord | None = None, *, token: str = TOKEN
) -> AsyncIterator[discord.Client]:
    """Log ``bot`` in, connect it and wait for READY; on exit close it and re-raise its crash.

    ``guild_ready_timeout`` is cut to 50 ms (discord.py waits that long after the last
    GUILD_CREATE before READY). A rejected token raises ``discord.LoginFailure`` here.
    """
    bot._connection.guild_ready_timeout = min(bot._connection.guild_ready_timeout, 0.05)
    fake = fake or FakeDiscord.serving(discord.http.Route.BASE)
    if fake is not None:
        token = fake.token if token == TOKEN else token
    try:
        await bot.login(token)
    except BaseException:
        await bot.close()
        raise
    if fake is not None:
        fake.bot = bot  # lets clicks wait until the bot has attached a message's view
    connection = asyncio.create_task(bot.connect(reconnect=False), name="bot.connect")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {connection, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        await bot.close()
        if connection.done():
            connection.result()  # the crash that kept the bot from READY
        else:
            connection.cancel()
        raise AssertionError(f"the bot was not ready within {READY_TIMEOUT} s")
    try:
        yield bot
    finally:
        await bot.close()
        if fake is not None:
            fake.bot = None
        await connection  # re-raises whatever the bot's connection died of
