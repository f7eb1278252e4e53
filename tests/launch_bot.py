"""Test-only launcher: run the real bot against a fake Discord, so production code has no hooks.

    python -m tests.launch_bot FAKE_BASE_URL DATABASE_PATH

Points discord.py's REST base and gateway at the fake, then runs the bot until killed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace

from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.edge.client import create_bot
from tests.fakediscord import TOKEN, pointing_discord_at


async def main(base_url: str, database: str) -> None:
    config = replace(
        Config(),
        database=DatabaseConfig(path=database),
        sources=SourcesConfig(folder="", arxiv=False),
    )
    bot = create_bot(config, guild_ready_timeout=0.05)
    with pointing_discord_at(base_url):
        async with bot:
            await bot.start(TOKEN, reconnect=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
