"""Test-only launcher: run the real bot against a fake Discord, so production code has no hooks.

    python -m tests.launch_bot FAKE_BASE_URL DATABASE_PATH
    python -m tests.launch_bot FAKE_BASE_URL --cli ARGS...

Points discord.py's REST base and gateway at the fake, then runs the bot until killed. With
``--cli`` it runs ``python -m bot ARGS...`` itself (logging, signals, retries: the production path),
with the retry backoff shortened to RETRY_DELAYS below.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace

from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.edge.client import create_bot
from tests.fakediscord import TOKEN, pointing_discord_at

RETRY_DELAYS = (0.05, 0.2)


async def main(base_url: str, database: str) -> None:
    config = replace(
        Config(),
        database=DatabaseConfig(path=database),
        sources=SourcesConfig(folder="", huggingface=False, arxiv=False),
    )
    bot = create_bot(config, guild_ready_timeout=0.05)
    with pointing_discord_at(base_url):
        async with bot:
            await bot.start(TOKEN, reconnect=False)


def cli(base_url: str, args: list[str]) -> int:
    from bot.cli import main as cli_main
    from bot.edge import runner

    runner.RETRY_DELAYS = RETRY_DELAYS
    with pointing_discord_at(base_url):
        return cli_main(args)


if __name__ == "__main__":
    if sys.argv[2:3] == ["--cli"]:
        sys.exit(cli(sys.argv[1], sys.argv[3:]))
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
