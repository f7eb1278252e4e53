"""Fan-out benchmark: one day of papers to many subscribed channels through the fake Discord.

    python -m bench.fanout --channels 1000 --papers 25 --layout channel
    python -m bench.fanout --channels 200 --papers 10 --late 3 --edits 3

With ``--late`` / ``--edits``, a second run follows the first: the day's digest is corrected
(``--late`` papers join it, ``--edits`` papers get a new title) and every channel is delivered
again, which posts "N more papers" and the late papers and edits the changed papers' messages in
place, under the same pacing. Both runs print their figures.

Rate limits are Discord's (50 requests/s global, 5 messages per 5 s per channel) unless
``--no-limits``. Prints the requests made, the wall time, the lower bound the global limit sets
(requests / 50 per s) and their ratio (target <= 1.1).

Measured 2026-11-25 (2 shared cores), with the poster's pacer at 48/s:
  1000 channels x 25 papers, channel layout: 26,082 requests (82 per-channel 429s), 541.9 s vs
  521.6 s bound, ratio 1.039; compact layout: 1,000 requests, 21.0 s vs 20.0 s, ratio 1.051;
  100 channels x 5 papers, channel layout: 600 requests, 12.85 s vs 12.0 s, ratio 1.071.
  Without the pacer (16 channels in flight) 100 x 5 did not finish: discord.py gave up on
  global 429s after 5 retries.
Measured 2026-11-28 with --late 3 --edits 3 (first run, then the corrected day):
  200 x 10, channel layout: 2,200 requests 46.2 s vs 44.0 s, ratio 1.051; then 1,400 requests
  (800 posts, 600 edits) 30.2 s vs 28.0 s, ratio 1.079. Thread layout: then 1,400 requests
  29.9 s vs 28.0 s, ratio 1.067. 1000 x 10 compact: 1,000 requests 21.2 s vs 20.0 s, ratio
  1.062; then 1,000 edits 21.7 s vs 20.0 s, ratio 1.084.
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
from bot.edge.client import Paperboy, create_bot
from bot.models import Paper
from fakediscord import FakeDiscord, RateLimits, pointing_discord_at, running
from synthetic_corpus import load_vocabulary, synthetic_papers

log = logging.getLogger(__name__)


async def seed_papers(path: Path, papers: int) -> tuple[datetime, list[Paper]]:
    """One day of ``papers`` synthetic papers; a moment after that day's 09:00 post, and them."""
    batch = next(synthetic_papers(load_vocabulary(), papers, per_day=papers))
    db = await Database.open(str(path))
    try:
        await PaperStore(db).ingest(batch[0].day, batch, "bench")
    finally:
        await db.close()
    return datetime.combine(batch[0].day, clock_time(10), UTC), batch


def figures(
    fake: FakeDiscord, before: int, wall: float, channels: int, reports: dict
) -> dict[str, float]:
    """Requests, 429s and failures since ``before``, and the wall time against the lower bound."""
    calls = fake.calls[before:]
    requests = len(calls)
    posts = sum(1 for c in calls if c.method == "POST" and c.path.endswith("/messages"))
    per_channel = posts / channels if channels else 0
    # A channel takes 5 messages per 5 s: its k-th message cannot go before 5 * ((k-1) // 5) s.
    bound = max(requests / 50, 5 * ((max(1, round(per_channel)) - 1) // 5))
    return {
        "requests": requests,
        "posts": posts,
        "edits": sum(1 for c in calls if c.method == "PATCH"),
        "refused_429": sum(1 for c in calls if c.status == 429),
        "failed_channels": sum(1 for report in reports.values() if report.failed),
        "wall_s": round(wall, 2),
        "global_bound_s": round(requests / 50, 2),
        "lower_bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3) if bound else 0.0,
    }


def corrected(day: list[Paper], late: int, edits: int) -> list[Paper]:
    """The day's digest corrected: ``edits`` titles changed, ``late`` papers appended."""
    extra = next(synthetic_papers(load_vocabulary(), late, per_day=late, seed=99)) if late else []
    fixed = [
        replace(paper, title=f"{paper.title} (revised)") if n < edits else paper
        for n, paper in enumerate(day)
    ]
    start = len(day)
    joined = [
        replace(paper, day=day[0].day, position=start + n, arxiv_id=f"2999.{n:05d}")
        for n, paper in enumerate(extra)
    ]
    return fixed + joined


async def timed(fake: FakeDiscord, bot: Paperboy, now: datetime, channels: int) -> dict[str, float]:
    before = len(fake.calls)
    started = time.perf_counter()
    reports = await bot.delivery.deliver_all(now)
    return figures(fake, before, time.perf_counter() - started, channels, reports)


async def run(
    channels: int, papers: int, layout: str, limits: bool, late: int = 0, edits: int = 0
) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fanout.db"
        now, day = await seed_papers(path, papers)
        fake = FakeDiscord(rate_limits=RateLimits() if limits else None)
        await fake.start()
        guild = fake.add_guild()
        targets = [guild.add_channel(f"papers-{n}") for n in range(channels)]
        config = replace(
            Config(),
            database=DatabaseConfig(path=str(path)),
            sources=SourcesConfig(folder="", huggingface=False, arxiv=False),
        )
        bot = create_bot(config, clock=lambda: now, guild_ready_timeout=0.05)
        runs = []
        try:
            with pointing_discord_at(fake.base_url):
                async with running(bot, fake):
                    bot.subscriptions.clock = lambda: now - timedelta(hours=3)
                    for channel in targets:
                        await bot.subscriptions.subscribe(
                            guild.id, channel.id, fake.owner.id, layout=layout
                        )
                    runs.append({"run": "first", **await timed(fake, bot, now, channels)})
                    if late or edits:
                        await bot.papers.ingest(day[0].day, corrected(day, late, edits), "bench")
                        second = await timed(fake, bot, now, channels)
                        runs.append({"run": f"{late} late, {edits} edited", **second})
        finally:
            await fake.stop()
    return [{"channels": channels, "papers": papers, **figures} for figures in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=25)
    parser.add_argument("--layout", choices=("thread", "channel", "compact"), default="channel")
    parser.add_argument("--no-limits", action="store_true", help="the fake never answers 429")
    parser.add_argument("--late", type=int, default=0, help="papers joining the day afterwards")
    parser.add_argument("--edits", type=int, default=0, help="papers whose title then changes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    runs = asyncio.run(
        run(args.channels, args.papers, args.layout, not args.no_limits, args.late, args.edits)
    )
    for figures in runs:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
        print()


if __name__ == "__main__":
    main()
