"""Fan-out benchmark: one day of papers to many subscribed channels through the fake Discord.

    python -m bench.fanout --channels 1000 --papers 25 --layout channel

Rate limits are Discord's (50 requests/s global, 5 messages per 5 s per channel) unless
``--no-limits``. Prints the requests made, the wall time, the lower bound the global limit sets
(requests / 50 per s) and their ratio (target <= 1.1).

Measured 2026-11-25 (2 shared cores), with the poster's pacer at 48/s:
  1000 channels x 25 papers, channel layout: 26,082 requests (82 per-channel 429s), 541.9 s vs
  521.6 s bound, ratio 1.039; compact layout: 1,000 requests, 21.0 s vs 20.0 s, ratio 1.051;
  100 channels x 5 papers, channel layout: 600 requests, 12.85 s vs 12.0 s, ratio 1.071.
  Without the pacer (16 channels in flight) 100 x 5 did not finish: discord.py gave up on
  global 429s after 5 retries.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.edge.client import create_bot
from synthetic_corpus import load_vocabulary, synthetic_papers
from tests.fakediscord import FakeDiscord, RateLimits, pointing_discord_at, running

log = logging.getLogger(__name__)


async def seed_papers(path: Path, papers: int) -> datetime:
    """One day of ``papers`` synthetic papers; returns a moment after that day's 09:00 post."""
    batch = next(synthetic_papers(load_vocabulary(), papers, per_day=papers))
    db = await Database.open(str(path))
    try:
        await PaperStore(db).ingest(batch[0].day, batch, "bench")
    finally:
        await db.close()
    return datetime.combine(batch[0].day, clock_time(10), UTC)


async def run(channels: int, papers: int, layout: str, limits: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fanout.db"
        now = await seed_papers(path, papers)
        fake = FakeDiscord(rate_limits=RateLimits() if limits else None)
        await fake.start()
        guild = fake.add_guild()
        targets = [guild.add_channel(f"papers-{n}") for n in range(channels)]
        config = replace(
            Config(),
            database=DatabaseConfig(path=str(path)),
            sources=SourcesConfig(folder="", arxiv=False),
        )
        bot = create_bot(config, clock=lambda: now, guild_ready_timeout=0.05)
        try:
            with pointing_discord_at(fake.base_url):
                async with running(bot, fake):
                    bot.subscriptions.clock = lambda: now - timedelta(hours=3)
                    for channel in targets:
                        await bot.subscriptions.subscribe(
                            guild.id, channel.id, fake.owner.id, layout=layout
                        )
                    before = len(fake.calls)
                    started = time.perf_counter()
                    reports = await bot.delivery.deliver_all(now)
                    wall = time.perf_counter() - started
                    requests = len(fake.calls) - before
                    refused = sum(1 for c in fake.calls[before:] if c.status == 429)
        finally:
            await fake.stop()
    failed = sum(1 for report in reports.values() if report.failed)
    per_channel = requests / channels if channels else 0
    # A channel takes 5 messages per 5 s: its k-th message cannot go before 5 * ((k-1) // 5) s.
    bound = max(requests / 50, 5 * ((max(1, round(per_channel)) - 1) // 5))
    return {
        "channels": channels,
        "papers": papers,
        "requests": requests,
        "refused_429": refused,
        "failed_channels": failed,
        "wall_s": round(wall, 2),
        "global_bound_s": round(requests / 50, 2),
        "lower_bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3) if bound else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=25)
    parser.add_argument("--layout", choices=("thread", "channel", "compact"), default="channel")
    parser.add_argument("--no-limits", action="store_true", help="the fake never answers 429")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(run(args.channels, args.papers, args.layout, not args.no_limits))
    for key, value in figures.items():
        print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
