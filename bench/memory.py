"""Memory: the bot's resident size after 1,000 searches, on the seeds and on a 100k corpus.

    python bench/memory.py [--size 100000] [--searches 1000] [--dir DIR] [--trace]

For each corpus (the seeds folder ingested; ``--size`` synthetic papers from synthetic_corpus.py:
with ``--dir`` both databases and their search indexes are kept there and reused by later
runs, else built in a temporary folder) a fresh Python process builds the bot as ``python -m bot run`` does (the Discord edge and every cog imported,
the database and the derived search index opened, every service constructed) but never
connects to Discord, then runs the realistic queries of bench/search.py, repeated, through
the search service. It prints VmRSS (resident now) and VmHWM (the peak) from /proc/self/status
before and after the searches, and the ratios 100k / seeds. ``--trace`` adds, for each
corpus, the Python objects grown during the searches (tracemalloc) and the resident split
between anonymous memory and mapped files (/proc/self/smaps_rollup).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic_corpus import ROOT, load_vocabulary

STATUS_KEYS = ("VmRSS", "VmHWM")


def status() -> dict[str, int]:
    """VmRSS and VmHWM of this process in kB."""
    found: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in STATUS_KEYS:
            found[name] = int(value.split()[0])
    return found


def rollup() -> dict[str, int]:
    """The resident split (kB): anonymous memory against pages of mapped files."""
    found: dict[str, int] = {}
    path = Path("/proc/self/smaps_rollup")
    if not path.is_file():
        return found
    for line in path.read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        if name in ("Rss", "Anonymous", "Pss_File", "Shared_Clean", "Private_Clean"):
            found[name] = int(value.split()[0])
    return found


async def child(database: Path, searches: int, trace: bool) -> dict[str, Any]:
    """Build the bot on ``database`` without connecting, search, and report memory."""
    import tracemalloc

    from bench.search import realistic_queries
    from bot.config import load_config
    from bot.edge.client import create_bot
    from bot.scheduler import Scheduler

    config_file = database.with_suffix(".toml")
    config_file.write_text(f"[database]\npath = {json.dumps(str(database))}\n")
    config = load_config(config_file, env={})

    async def no_op(*args: Any) -> None:
        return None

    Scheduler.start = no_op  # type: ignore[method-assign,assignment]  # no jobs: this process only searches
    bot = create_bot(config)
    bot.sync_commands = no_op  # type: ignore[method-assign]  # no Discord to register with
    await bot.setup_hook()
    if bot.text_index is not None and bot.text_index.task is not None:
        await bot.text_index.task
    figures: dict[str, Any] = {
        "papers": await bot.db.fetchval("SELECT count(*) FROM papers"),
        "index": bool(bot.text_index and bot.text_index.ready),
        "cogs": sorted(bot.cogs),
        "before": status(),
    }
    queries = realistic_queries(load_vocabulary(), 200)
    if trace:
        tracemalloc.start(10)
        start = tracemalloc.take_snapshot()
    started = time.perf_counter()
    for n in range(searches):
        await bot.search.search(queries[n % len(queries)])
    figures["seconds"] = time.perf_counter() - started
    figures["after"] = status()
    if trace:
        grown = tracemalloc.take_snapshot().compare_to(start, "filename")
        figures["python"] = [str(stat) for stat in grown[:8]]
        figures["rollup"] = rollup()
    await bot.close()
    return figures


async def build_corpora(folder: Path, size: int) -> list[tuple[str, Path]]:
    """The seeds and a synthetic corpus of ``size`` papers, each with its search index built
    (reused when already there)."""
    from bench.search import build
    from bot.db import Database, PaperStore
    from bot.ingest import ingest_paths
    from bot.textindex import open_index

    seeds = folder / "seeds.db"
    synthetic = folder / f"synthetic-{size}.db"
    if not seeds.exists():
        database = await Database.open(seeds)
        await ingest_paths(PaperStore(database), [ROOT / "seeds"])
        await database.close()
    if not synthetic.exists():
        print(f"building {size:,} synthetic papers in {synthetic} (once)", flush=True)
        partial = synthetic.with_suffix(".part")
        await build(partial, load_vocabulary(), size)
        partial.rename(synthetic)
    for path in (seeds, synthetic):
        database = await Database.open(path)
        await open_index(database)  # built now, so no bot below pays for a rebuild
        await database.close()
    return [("seeds", seeds), (f"{size:,} synthetic", synthetic)]


def measure(path: Path, searches: int, trace: bool) -> dict[str, Any]:
    """One fresh process for one corpus."""
    command = [sys.executable, __file__, "--child", str(path), "--searches", str(searches)]
    done = subprocess.run(
        command + (["--trace"] if trace else []), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the bot on {path} failed:\n{done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def mb(kb: int) -> str:
    return f"{kb / 1024:7.1f} MB"


def report(results: list[tuple[str, dict[str, Any]]], searches: int, trace: bool) -> None:
    for name, figures in results:
        before, after = figures["before"], figures["after"]
        print(
            f"{name:>18}: {figures['papers']:>7,} papers, index {'on' if figures['index'] else 'off'},"
            f" {len(figures['cogs'])} cogs; {searches} searches in {figures['seconds']:.1f} s"
        )
        print(f"{'':>20}VmRSS {mb(before['VmRSS'])} -> {mb(after['VmRSS'])}")
        print(f"{'':>20}VmHWM {mb(before['VmHWM'])} -> {mb(after['VmHWM'])}")
        if trace:
            print(f"{'':>20}resident split (kB): {figures['rollup']}")
            for line in figures["python"]:
                print(f"{'':>20}{line}")
    (_, small), (_, big) = results[0], results[-1]
    for key in STATUS_KEYS:
        ratio = big["after"][key] / small["after"][key]
        print(f"{key} after {searches} searches, 100k / seeds: {ratio:.2f}x (target <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--dir", type=Path, help="keep the corpora here and reuse them")
    parser.add_argument("--trace", action="store_true", help="where the memory goes")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.searches, args.trace))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        corpora = asyncio.run(build_corpora(folder, args.size))
        results = [(name, measure(path, args.searches, args.trace)) for name, path in corpora]
    report(results, args.searches, args.trace)


if __name__ == "__main__":
    main()
