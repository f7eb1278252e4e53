"""Test-only launcher: run the real bot against a fake Discord, so production code has no hooks.

    python -m tests.launch_bot FAKE_BASE_URL DATABASE_PATH

Points discord.py's REST base and gateway at the fake, then runs the bot until killed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace

import discord
import yarl

from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.edge.client import create_bot
from tests.fakediscord import TOKEN


async def main(base_url: str, database: str) -> None:
    discord.http.Route.BASE = f"{base_url}/api/v10"
    port = yarl.URL(base_url).port
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/")
    config = replace(
        Config(),
        database=DatabaseConfig(path=database),
        sources=SourcesConfig(folder="", arxiv=False),
    )
    bot = create_bot(config, guild_ready_timeout=0.05)
    async with bot:
        await bot.start(TOKEN, reconnect=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
