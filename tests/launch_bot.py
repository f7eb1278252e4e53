"""Test-only launcher: run the real bot against a fake Discord, so production code has no hooks.

    python -m tests.launch_bot FAKE_BASE_URL DATABASE_PATH [CLOCK_OFFSET_S [NONCE_WINDOW_S]]
    python -m tests.launch_bot FAKE_BASE_URL --cli ARGS...

Points discord.py's REST base and gateway at the fake, then runs the bot until killed.
``CLOCK_OFFSET_S`` moves the bot's clock forward (a long downtime simulated without waiting);
``NONCE_WINDOW_S`` is what the bot takes for Discord's nonce window. With ``--cli`` it runs
``python -m bot ARGS...`` itself (logging, signals, retries: the production path), with the retry
backoff shortened to RETRY_DELAYS below.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.edge.client import create_bot
from fakediscord import TOKEN, pointing_discord_at

RETRY_DELAYS = (0.05, 0.2)


async def main(base_url: str, database: str, offset: float, nonce_window: float | None) -> None:
    config = replace(
        Config(),
        database=DatabaseConfig(path=database),
        sources=SourcesConfig(folder="", huggingface=False, arxiv=False),
    )
    if nonce_window is not None:
        config = replace(
            config, delivery=replace(config.delivery, nonce_window_seconds=nonce_window)
        )
    shift = timedelta(seconds=offset)
    bot = create_bot(config, clock=lambda: datetime.now(UTC) + shift, guild_ready_timeout=0.05)
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
    extra = [float(value) for value in sys.argv[3:5]]
    asyncio.run(
        main(
            sys.argv[1],
            sys.argv[2],
            extra[0] if extra else 0.0,
            extra[1] if len(extra) > 1 else None,
        )
    )
