"""One corpus, one query set: paperboy's search on its derived tantivy index (bot.textindex),
the same search on FTS5 (its fallback), and bare tantivy plus a SQLite fetch (the baseline).

Called by bench/search.py for each corpus size; every figure is measured in the same run on the
same file. Also measures what issue 12 asks of ranking (top-10 overlap of broad queries with the
exact bm25 x recency top 10: every match scored), typo, related and top latencies, and
rare-term overhead against a bare FTS5 query.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import engines
from bot.db import Database, PaperStore
from bot.db.papers import RANK_WINDOW, Filters, ranked_sql
from bot.discover import DiscoverService
from bot.query import parse_query
from bot.search import SearchService
from bot.textindex import TextIndex


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = await call
    return result, (time.perf_counter() - start) * 1000


async def exact_top(store: PaperStore, match: str, limit: int = 10) -> list[str]:
    """The exact bm25 x recency top ``limit``: every match scored (slow; for measuring only)."""
    return [row.arxiv_id for row in await store.rows(*ranked_sql(match, Filters(), None, limit, 0))]


async def exhaustive_top(service: SearchService, text: str, limit: int = 10) -> list[int]:
    """The index's bm25 x recency top ``limit`` with every match scored (for measuring only)."""
    index = service.index
    assert index is not None
    query = service.parse(text)
    filters = await service.filters(query)
    assert filters is not None
    compiled = index.compile(query, await service.variants(query), filters)
    if compiled is None:
        return []
    total = index.index.searcher().search(compiled, 1, count=True).count
    return index.ranked_ids(compiled, await service.papers.latest_day(), max(total, limit))[:limit]


async def compare(path: Path, queries: list[str], seed: int = 5) -> dict[str, Any]:
    """Every figure for one corpus (see the module docstring)."""
    figures: dict[str, Any] = {"fts_bytes": engines.fts_bytes(path)}
    with tempfile.TemporaryDirectory() as folder:
        index, figures["tantivy_rate"] = engines.build_index(path, Path(folder) / "index")
        figures["tantivy_bytes"] = engines.folder_size(Path(folder) / "index")
        database = await Database.open(path)
        store = PaperStore(database)
        derived = TextIndex(database, Path(folder) / "derived")
        started = time.perf_counter()
        await derived.open()
        figures["derived_rate"] = await database.fetchval("SELECT count(*) FROM papers") / (
            time.perf_counter() - started
        )
        service = SearchService(store, index=derived)
        fallback = SearchService(store)
        parsed = [parse_query(q) for q in queries]
        for q, query in zip(queries[:20], parsed[:20], strict=True):  # warm every cache
            await service.search(q)
            await fallback.search(q)
            await engines.search_and_fetch(index, store, query)
        ours, fts, theirs, bare, counts = [], [], [], [], []
        overlaps, fts_overlaps = [], []
        for q, query in zip(queries, parsed, strict=True):
            page, took = await timed(service.search(q))
            ours.append(took)
            fts_page, took = await timed(fallback.search(q))
            fts.append(took)
            _, took = await timed(engines.search_and_fetch(index, store, query))
            theirs.append(took)
            match = query.fts(await service.variants(query))
            if match is None:
                counts.append(0)
                continue
            start = time.perf_counter()
            await database.fetchall(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT 10", (match,)
            )
            bare.append((time.perf_counter() - start) * 1000)
            count = await database.fetchval(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (match,)
            )
            counts.append(count)
            if count > RANK_WINDOW and not page.corrected:
                exact = await exact_top(store, match)
                got = [paper.arxiv_id for paper in fts_page.items]
                fts_overlaps.append(len(set(exact) & set(got)) / max(1, len(exact)))
                exact_ids = await exhaustive_top(service, q)
                got_ids = await database.fetchall(
                    f"SELECT id FROM papers WHERE arxiv_id IN ({', '.join('?' for _ in page.items)})",
                    [paper.arxiv_id for paper in page.items],
                )
                overlaps.append(
                    len(set(exact_ids) & {row[0] for row in got_ids}) / max(1, len(exact_ids))
                )
        rare = [i for i, count in enumerate(counts) if 0 < count <= RANK_WINDOW and i < len(bare)]
        figures.update(
            ours=ours,
            fts=fts,
            theirs=theirs,
            bare=bare,
            overlaps=overlaps,
            fts_overlaps=fts_overlaps,
            broad=len(overlaps),
            rare=rare,
        )
        rng = random.Random(seed)
        typos = []
        for n, q in enumerate(queries[:100]):
            words = q.replace('"', "").split()
            words[0] = engines.typo(words[0], n)
            _, took = await timed(service.search(" ".join(words)))
            typos.append(took)
        discover = DiscoverService(store, derived)
        top_id = await database.fetchval("SELECT max(id) FROM papers")
        picks = await database.fetchall(
            "SELECT arxiv_id FROM papers WHERE id IN"
            f" ({', '.join(str(rng.randint(1, top_id)) for _ in range(50))})"
        )
        related = [(await timed(discover.related(row[0])))[1] for row in picks]
        tops = [(await timed(discover.top(period, 1)))[1] for period in ("day", "week", "month")]
        figures.update(typos=typos, related=related, tops=tops)
        await database.close()
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    """Lines for one corpus: both engines, their ratios and the issue's targets."""
    ours, theirs, bare, rare = (figures[k] for k in ("ours", "theirs", "bare", "rare"))
    p50 = statistics.median(ours) / statistics.median(theirs)
    p99 = percentile(ours, 99) / percentile(theirs, 99)
    rare_ours = [ours[i] for i in rare]
    rare_bare = [bare[i] for i in rare]
    fts = figures["fts"]
    lines = [
        f"  paperboy on FTS5 (fallback)   p50 {statistics.median(fts):8.2f} ms   p99 {percentile(fts, 99):8.2f} ms",
        f"  paperboy search               p50 {statistics.median(ours):8.2f} ms   p99 {percentile(ours, 99):8.2f} ms",
        f"  tantivy + SQLite fetch        p50 {statistics.median(theirs):8.2f} ms   p99 {percentile(theirs, 99):8.2f} ms",
        f"  paperboy / tantivy            p50 {p50:8.2f}x    p99 {p99:8.2f}x   (target <= 1.0x)",
        f"  tantivy build                 {figures['tantivy_rate']:,.0f} rows/s,"
        f" index {figures['tantivy_bytes'] / 1e6:.0f} MB;"
        f" paperboy's index (open + build) {figures['derived_rate']:,.0f} rows/s"
        + (f" (FTS5 index {figures['fts_bytes'] / 1e6:.0f} MB)" if figures["fts_bytes"] else ""),
    ]
    if rare:
        overhead = statistics.median(rare_ours) / statistics.median(rare_bare)
        lines.append(
            f"  rare terms ({len(rare)} queries)       paperboy / bare FTS5 p50 {overhead:.1f}x"
            " (target <= 2x)"
        )
    if figures["overlaps"]:
        lines.append(
            f"  broad queries ({figures['broad']})            top-10 overlap with exact"
            f" bm25 x recency: {statistics.mean(figures['overlaps']):.2f} (target >= 0.9);"
            f" FTS5 fallback vs FTS5's exact: {statistics.mean(figures['fts_overlaps']):.2f}"
        )
    for name in ("typos", "related", "tops"):
        values = figures[name]
        lines.append(
            f"  {name:<28}  p50 {statistics.median(values):8.2f} ms   p99 {percentile(values, 99):8.2f} ms"
            " (target p99 <= 20 ms at 100k)"
        )
    return lines
