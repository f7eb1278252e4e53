"""Running a real discord.py client against a FakeDiscord: where it connects, and its lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import discord
import yarl

from .server import FakeDiscord

READY_TIMEOUT = 10.0


@contextlib.contextmanager
def pointing_discord_at(base_url: str) -> Iterator[None]:
    """Inside the block discord.py's REST calls and gateway go to the fake at ``base_url``.

    ``base_url`` is ``fake.base_url`` (``http://127.0.0.1:PORT``). Both overrides are class
    attributes of discord.py, restored on exit; interaction callbacks and webhooks follow REST.
    """
    port = yarl.URL(base_url).port
    route, gateway = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = route.BASE, gateway.DEFAULT_GATEWAY
    route.BASE = f"{base_url}/api/v10"
    gateway.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/")
    try:
        yield
    finally:
        route.BASE, gateway.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def running(
    bot: discord.Client, fake: FakeDiscord, *, token: str | None = None
) -> AsyncIterator[discord.Client]:
    """Log ``bot`` in to ``fake``, connect it and wait for READY; on exit close it, re-raise its crash.

    discord.py must already point at ``fake`` (the ``fake_discord`` fixture does it, or
    ``pointing_discord_at``). discord.py waits ``guild_ready_timeout`` (2 s) after the last
    GUILD_CREATE before READY; that is cut to 10 ms, and READY is followed by a wait until every
    guild of the fake is in the bot's cache, so a busy machine cannot make a guild arrive late.
    ``token`` defaults to the fake's; a rejected one raises ``discord.LoginFailure`` here.
    """
    bot._connection.guild_ready_timeout = min(bot._connection.guild_ready_timeout, 0.01)
    try:
        await bot.login(fake.token if token is None else token)
    except BaseException:
        await bot.close()
        raise
    fake.bot = bot  # lets clicks wait until the bot has attached a message's view
    connection = asyncio.create_task(bot.connect(reconnect=False), name="bot.connect")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {connection, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        await bot.close()
        fake.bot = None
        if connection.done():
            connection.result()  # the crash that kept the bot from READY
        else:
            connection.cancel()
        raise AssertionError(f"the bot was not ready within {READY_TIMEOUT} s")
    try:
        await fake.wait_for(
            lambda: all(_cached(bot, guild.id) for guild in fake.guilds),
            READY_TIMEOUT,
            "the bot to cache every guild",
        )
        yield bot
    finally:
        await bot.close()
        fake.bot = None
        await connection  # re-raises whatever the bot's connection died of


def _cached(bot: discord.Client, guild_id: int) -> bool:
    guild = bot.get_guild(guild_id)
    return guild is not None and not guild.unavailable
