"""Dispatch-to-callback latency of /paper search through the fake Discord.

    python bench/dispatch.py --db PATH [--runs 200]    (a database built by bench/search.py's corpus)
    python bench/dispatch.py --papers 100000           (build a synthetic one first)

Times from the moment the fake sends INTERACTION_CREATE to the moment the bot's callback reaches
it, with the real discord.py client and the real database. The baseline, measured in the same run,
is /paper show by arXiv id: the same path minus the search. Figures are p50 (median) and p99 in ms.

Measured on the shared 2-core host, 1,000,000 papers, 200 interactions (target p99 <= 50 ms):
  cogs.papers.DEFER_AFTER = 1.5 s   search p50 16.3 ms  p99 119.6 ms   (show p99 3.0 ms)
  cogs.papers.DEFER_AFTER = 20 ms   search p50 23.5 ms  p99  32.1 ms   (show p99 11.1 ms)
Slow searches are now acknowledged with a defer and finished by a follow-up.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import build, percentile, realistic_queries
from bot.config import Config, DatabaseConfig, SourcesConfig
from bot.edge.client import create_bot
from fakediscord import FakeDiscord, User, pointing_discord_at, running
from synthetic_corpus import load_vocabulary


async def timed(fake: FakeDiscord, user: User, path: str, **options: str) -> float:
    started = time.perf_counter()
    interaction = await fake.slash(path, user=user, **options)
    await interaction.response(timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    await interaction.reply(timeout=30)
    return elapsed


async def measure(db: Path, runs: int) -> tuple[list[float], list[float], int]:
    fake = FakeDiscord()
    await fake.start()
    with pointing_discord_at(fake.base_url):
        fake.add_guild().add_channel("papers")
        user = fake.add_user("reader")
        bot = create_bot(
            replace(
                Config(),
                database=DatabaseConfig(path=str(db)),
                sources=SourcesConfig(huggingface=False, arxiv=False),
            ),
            guild_ready_timeout=0.05,
        )
        async with running(bot, fake):
            count = await bot.db.fetchval("SELECT count(*) FROM papers")
            ids = [
                row[0]
                for row in await bot.db.fetchall(
                    "SELECT arxiv_id FROM papers ORDER BY random() LIMIT ?", (runs,)
                )
            ]
            queries = realistic_queries(load_vocabulary(), runs)
            for query in queries[:10]:  # warm up caches and code paths
                await timed(fake, user, "paper search", query=query)
            search = [await timed(fake, user, "paper search", query=query) for query in queries]
            show = [
                await timed(fake, user, "paper show", paper=random.choice(ids)) for _ in range(runs)
            ]
    await fake.stop()
    return search, show, count


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing paperboy database")
    parser.add_argument(
        "--papers", type=int, default=100_000, help="build this many synthetic papers"
    )
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "dispatch.db"
            await build(db, load_vocabulary(), args.papers)
        search, show, count = await measure(db, args.runs)
    print(f"{count:,} papers, {args.runs} interactions each, dispatch to callback")
    for label, values in (("/paper search", search), ("/paper show (baseline)", show)):
        print(
            f"  {label:<24} p50 {statistics.median(values):7.2f} ms   p99 {percentile(values, 99):7.2f} ms"
        )
    print(
        f"  search / baseline        p50 {statistics.median(search) / statistics.median(show):.1f}x"
        f"   p99 {percentile(search, 99) / percentile(show, 99):.1f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
