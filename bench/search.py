"""Search benchmark: ingest speed, ranked keyword search and author lookups against a LIKE scan.

    python bench/search.py [--sizes 10000,100000,1000000] [--queries 200] [--like-queries-at-1m 20]
                           [--dir D --keep] [--build-only]

Builds synthetic corpora from the real archive's vocabulary (synthetic_corpus.py), ingests them through
the real store, then times the search service. The LIKE scan over title and summary is the naive
baseline, measured in the same run on the same file. Figures are p50 (the median) and p99 in ms.
With ``--dir D --keep`` the databases stay in D as ``bench-N.db`` and a later run reuses them (the 1M file
takes 20+ minutes to build); ``--build-only`` builds them and measures nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import engines
from bench.compare import compare, report
from bot.db import Database, PaperStore
from bot.search import SearchService, parse_query
from synthetic_corpus import Vocabulary, load_vocabulary, synthetic_papers

STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "for",
    "and",
    "in",
    "on",
    "with",
    "to",
    "via",
    "by",
    "from",
    "is",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def realistic_queries(vocabulary: Vocabulary, count: int, seed: int = 11) -> list[str]:
    """What people type: 1-3 words of real titles, some "phrases", some -exclusions."""
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        words = [w.strip(":,.()?!").lower() for w in rng.choice(vocabulary.real).title.split()]
        words = [w for w in words if w and w not in STOPWORDS and w.isascii()]
        if not words:
            continue
        start = rng.randrange(len(words))
        picked = words[start : start + rng.randint(1, 3)]
        kind = rng.random()
        if kind < 0.15 and len(picked) > 1:
            queries.append(f'"{" ".join(picked)}"')
        elif kind < 0.25:
            queries.append(" ".join(picked) + " -" + rng.choice(words))
        else:
            queries.append(" ".join(picked))
    return queries


def author_queries(vocabulary: Vocabulary, count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        name = rng.choice(vocabulary.authors)
        part = rng.choice(name.split())
        if len(part) >= 3:
            queries.append(part.lower() if rng.random() < 0.5 else part[: max(3, len(part) - 2)])
    return queries


async def build(path: Path, vocabulary: Vocabulary, size: int) -> float:
    """Ingest ``size`` papers through the real store; return rows per second."""
    database = await Database.open(path)
    store = PaperStore(database)
    elapsed = 0.0
    for batch in synthetic_papers(vocabulary, size):
        start = time.perf_counter()
        await store.ingest(batch[0].day, batch, source=f"bench:{batch[0].day}")
        elapsed += time.perf_counter() - start
    await database.close()
    return size / elapsed


async def kept_or_built(path: Path, vocabulary: Vocabulary, size: int, keep: bool) -> float:
    """Build ``path`` (rows per second), or reuse a kept one (NaN: no ingest measured).

    A build is written to ``path``.partial and renamed when complete, so an interrupted build is
    never taken for a kept database."""
    if keep and path.exists():
        print(f"reusing {path}")
        return math.nan
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    rate = await build(partial, vocabulary, size)
    partial.rename(path)
    return rate


async def time_calls(calls) -> list[float]:
    timings = []
    for call in calls:
        start = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def like_scan(path: Path, queries: list[str]) -> list[float]:
    """The naive baseline: every term as LIKE over title and summary, newest first."""
    connection = sqlite3.connect(path)
    timings = []
    for text in queries:
        query = parse_query(text)
        terms = [phrase.strip('"*') for phrase in query.include]
        where = " AND ".join("(title LIKE ? OR summary LIKE ?)" for _ in terms) or "1"
        excluded = [phrase.strip('"*') for phrase in query.exclude]
        where += "".join(" AND NOT (title LIKE ? OR summary LIKE ?)" for _ in excluded)
        params = [f"%{term}%" for term in terms + excluded for _ in (0, 1)]
        start = time.perf_counter()
        connection.execute(
            f"SELECT id FROM papers WHERE {where} ORDER BY id DESC LIMIT 10", params
        ).fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    connection.close()
    return timings


async def measure(path: Path, queries: list[str], authors: list[str], like_count: int) -> dict:
    database = await Database.open(path)
    service = SearchService(PaperStore(database))
    await time_calls([lambda q=q: service.search(q) for q in queries[:20]])  # warm the cache
    search = await time_calls([lambda q=q: service.search(q) for q in queries])
    author = await time_calls([lambda a=a: service.by_author(a) for a in authors])
    hits = sum([len((await service.search(q)).items) > 0 for q in queries])
    await database.close()
    like = like_scan(path, queries[:like_count])
    return {"search": search, "author": author, "like": like, "hits": hits}


def ingest_rate(rate: float) -> str:
    return "(reused, not built)" if math.isnan(rate) else f"{rate:,.0f} rows/s"


def row(label: str, values: list[float]) -> str:
    return f"  {label:<28} p50 {statistics.median(values):9.2f} ms   p99 {percentile(values, 99):9.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--like-queries-at-1m", type=int, default=20)
    parser.add_argument(
        "--dir", default=None, help="where to build the databases (default: a temp dir)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep D/bench-N.db after the run and reuse it when present (needs --dir)",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the databases, measure nothing"
    )
    parser.add_argument(
        "--engines",
        action=argparse.BooleanOptionalAction,
        default=engines.available(),
        help="also measure tantivy (+ SQLite fetch) on the same corpora (default: if installed)",
    )
    args = parser.parse_args()
    if args.keep and not args.dir:
        parser.error("--keep needs --dir D")
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cores"
    )
    vocabulary = load_vocabulary()
    queries = realistic_queries(vocabulary, args.queries)
    authors = author_queries(vocabulary, args.queries)
    print(
        f"vocabulary from {len(vocabulary.real)} real papers; {len(queries)} queries, e.g. {queries[:4]}"
    )
    summary = []
    with contextlib.ExitStack() as stack:
        folder = (
            args.dir
            if args.keep
            else stack.enter_context(tempfile.TemporaryDirectory(dir=args.dir))
        )
        for size in sizes:
            path = Path(folder) / f"bench-{size}.db"
            started = time.perf_counter()
            rate = await kept_or_built(path, vocabulary, size, args.keep)
            if args.build_only:
                print(f"{path}: {size:,} papers, {path.stat().st_size / 1e6:.0f} MB")
                continue
            like_count = args.queries if size < 1_000_000 else args.like_queries_at_1m
            figures = await measure(path, queries, authors, like_count)
            ratio50 = statistics.median(figures["like"]) / statistics.median(
                figures["search"][:like_count]
            )
            ratio99 = percentile(figures["like"], 99) / percentile(
                figures["search"][:like_count], 99
            )
            print(
                f"\n{size:,} papers ({path.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.0f} s)"
            )
            print(f"  ingest                       {ingest_rate(rate)}")
            print(row("keyword search (FTS5, bm25)", figures["search"]))
            print(row("author lookup", figures["author"]))
            print(row(f"LIKE scan ({like_count} queries)", figures["like"]))
            print(f"  LIKE / FTS ratio             p50 {ratio50:,.1f}x   p99 {ratio99:,.1f}x")
            print(f"  queries with results         {figures['hits']}/{len(queries)}")
            if args.engines:
                print("  engines, same file, same queries:")
                for line in report(await compare(path, queries)):
                    print(line)
            summary.append((size, rate, figures, ratio50, ratio99))
            if not args.keep:
                path.unlink()
    if not summary:
        return
    print(
        "\n(p50 is the median)\n| papers | ingest rows/s | search p50 / p99 ms | author p50 / p99 ms"
        " | LIKE p50 / p99 ms | LIKE/FTS p50 / p99 |"
    )
    print("|---|---|---|---|---|---|")
    for size, rate, figures, ratio50, ratio99 in summary:
        s, a, like = figures["search"], figures["author"], figures["like"]
        print(
            f"| {size:,} | {ingest_rate(rate)} | {statistics.median(s):.2f} / {percentile(s, 99):.2f}"
            f" | {statistics.median(a):.2f} / {percentile(a, 99):.2f}"
            f" | {statistics.median(like):.1f} / {percentile(like, 99):.1f}"
            f" | {ratio50:,.1f}x / {ratio99:,.1f}x |"
        )


if __name__ == "__main__":
    asyncio.run(main())
