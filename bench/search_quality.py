"""What forgiving search changes on real text: singular/plural forms, typo corrections, related.

    python bench/search_quality.py [--queries 200] [--related-only]

Ingests the shared corpus (real titles and summaries; the seeds without it) into a temporary
database and runs the 200 realistic queries of bench/search.py:

- plural forms: matches per query with and without the other-number forms, and precision: the
  share of added matches that hold the other number of a query word (the ones meant). Beside it,
  the same queries on a Porter-stemmed copy of the index, whose added matches are checked alike
  (the rest are stem collisions such as general/generative);
- typos: one slip (a letter dropped, doubled, or two swapped) in each query's longest plain word:
  how often the search finds nothing as typed, how often the correction is the original word,
  and how often an untouched query is "corrected" at all (false corrections);
- related: the shared corpus carries no arXiv categories, so the 100 real arXiv records of
  ARXIV_FEED (a recorded answer to the search "testing": titles, abstracts, primary categories)
  join it, through the project's arXiv parser and store, each listed on a random day of the
  archive; for the first 50 of them, the share of their top 5 related papers in the same primary
  category, counting the corpus's papers (no category) as misses, and among the first 5
  candidates that have a category; on the derived index and on FTS5, beside the rate a random
  categorised paper would reach.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engines import typo
from bench.search import realistic_queries
from bot.db import Database, PaperStore
from bot.db.arxiv import ArxivStore
from bot.discover import DiscoverService
from bot.ingest import ingest_paths
from bot.models import Paper
from bot.query import Query, parse_query
from bot.search import SearchService
from bot.sources.arxiv import parse_feed
from bot.spelling import plural_forms
from bot.text import fold
from bot.textindex import open_index
from synthetic_corpus import CORPUS, ROOT, load_vocabulary

DEEP = 50  # related papers asked for, to find the first 5 candidates with a category
ARXIV_FEED = next(
    (ROOT.parent / "shared" / "fixtures" / "arxiv-api").glob("q_testing_s0_m100_*.json"), None
)


def words_of(query: Query) -> list[str]:
    return [fold(term.words[0]) for term in query.terms if term.bare]


def holds_other_number(text: str, query: Query) -> bool:
    """Whether ``text`` holds the other grammatical number of some plain word of ``query``."""
    folded = set(re.findall(r"\w+", fold(text)))
    return any(form in folded for word in words_of(query) for form in plural_forms(word))


def porter_copy(path: Path) -> sqlite3.Connection:
    """The same papers under FTS5's Porter stemmer, for comparison."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS porter USING fts5 (title, summary, authors,"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    connection.execute(
        "INSERT INTO porter (rowid, title, summary, authors) SELECT id, title, summary, authors"
        " FROM papers"
    )
    connection.commit()
    return connection


def matched(connection: sqlite3.Connection, table: str, match: str) -> set[int]:
    return {
        row[0]
        for row in connection.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (match,))
    }


async def plurals(service: SearchService, path: Path, queries: list[str]) -> list[str]:
    porter = porter_copy(path)
    texts = dict(porter.execute("SELECT id, title || ' ' || summary FROM papers").fetchall())
    gained = porter_gained = 0
    added: list[int] = []
    porter_added: list[int] = []
    meant = porter_meant = 0
    for text in queries:
        query = parse_query(text)
        plain = query.fts()
        if plain is None:
            continue
        before = matched(porter, "papers_fts", plain)
        after = matched(porter, "papers_fts", query.fts(await service.variants(query)) or plain)
        stemmed = matched(porter, "porter", plain)
        new, porter_new = after - before, stemmed - before
        gained += bool(new)
        porter_gained += bool(porter_new)
        added += list(new)
        porter_added += list(porter_new)
        meant += sum(holds_other_number(texts[i], query) for i in new)
        porter_meant += sum(holds_other_number(texts[i], query) for i in porter_new)
    porter.close()
    return [
        f"  plural forms: {gained}/{len(queries)} queries gain matches, +{len(added)} matches;"
        f" precision {meant / max(1, len(added)):.2f} (added matches holding the other number)",
        f"  Porter stemmer, same queries: {porter_gained}/{len(queries)} queries gain,"
        f" +{len(porter_added)} matches; precision {porter_meant / max(1, len(porter_added)):.2f}",
    ]


async def typos(service: SearchService, queries: list[str]) -> list[str]:
    tried = empty = recovered = same_top = false = 0
    for n, text in enumerate(queries):
        query = parse_query(text)
        words = [w for w in words_of(query) if len(w) >= 4 and w.isalpha()]
        untouched = await service.search(text)
        false += untouched.corrected is not None
        if not words:
            continue
        word = max(words, key=len)
        slipped = typo(word, n)
        if slipped == word:
            continue
        tried += 1
        typed = re.sub(rf"\b{re.escape(word)}\b", slipped, fold(text), count=1)
        empty += not (await service.search(typed, correct=False)).items
        page = await service.search(typed)
        recovered += page.corrected is not None and word in page.corrected.split()
        tops = [p.arxiv_id for p in page.items]
        same_top += bool(untouched.items) and untouched.items[0].arxiv_id in tops
    return [
        f"  typos: {tried} queries with one slip; {empty} find nothing as typed;"
        f" corrected back to the original word {recovered} ({recovered / max(1, tried):.0%});"
        f" original top result in the top 10 {same_top} ({same_top / max(1, tried):.0%})",
        f"  false corrections: {false}/{len(queries)} untouched queries were 'corrected'",
    ]


async def add_arxiv_papers(store: PaperStore) -> list[tuple[str, str]]:
    """The 100 real arXiv records of ARXIV_FEED, each listed on a day of the archive drawn at
    random (a digest listing: otherwise they would have no day, and so no recency bonus, unlike
    every distractor), then completed as arXiv completion does it (the project's Atom parser,
    then ArxivStore.record): (arXiv id, primary category), in feed order."""
    if ARXIV_FEED is None:
        return []
    recorded = json.loads(ARXIV_FEED.read_text(encoding="utf-8"))
    feed = parse_feed(recorded["body"].encode("latin-1"))  # the recorder decoded UTF-8 as Latin-1
    days = await store.days()
    rng = random.Random(3)
    for n, entry in enumerate(feed.entries):
        day = rng.choice(days) if days else date(2025, 1, 1)
        listed = Paper(
            arxiv_id=entry.arxiv_id,
            title=entry.title,
            authors=entry.authors,
            summary=entry.abstract,
            day=day,
            position=1000 + n,
            arxiv_url=f"https://arxiv.org/abs/{entry.arxiv_id}",
        )
        await store.ingest(day, [listed], source=f"bench:arxiv:{entry.arxiv_id}")
    fields = {entry.arxiv_id: entry.fields() for entry in feed.entries}
    await ArxivStore(store.db).record(fields, [], datetime(2025, 1, 1, tzinfo=UTC))
    return [(e.arxiv_id, e.primary_category) for e in feed.entries if e.primary_category]


async def related(store: PaperStore, papers: list[tuple[str, str]], count: int = 50) -> list[str]:
    """For ``count`` of ``papers``, the share of their top 5 related papers in the same primary
    category, on the derived index (what the bot uses) and on FTS5 (its fallback)."""
    if not papers:
        return ["  related: no paper here has an arXiv primary category: figure not available"]
    categories = dict(
        (row[0], row[1])
        for row in await store.db.fetchall(
            "SELECT arxiv_id, primary_category FROM papers WHERE primary_category IS NOT NULL"
        )
    )
    sizes = Counter(categories.values())
    chance = statistics.mean(
        (sizes[categories[arxiv_id]] - 1) / (len(categories) - 1) for arxiv_id, _ in papers[:count]
    )
    index = await open_index(store.db)
    total = await store.db.fetchval("SELECT count(*) FROM papers")
    lines = [
        f"  related: the first {min(count, len(papers))} of {len(papers)} real arXiv papers"
        f" ({ARXIV_FEED.name if ARXIV_FEED else '-'}) among {total} papers (the others are"
        f" distractors without a category); by chance a categorised paper shares it {chance:.0%}"
    ]
    engines = [("index", DiscoverService(store, index))] if index is not None else []
    for engine, discover in [*engines, ("FTS5", DiscoverService(store))]:
        overall, categorised, distractors = [], [], 0
        for arxiv_id, primary in papers[:count]:
            _, similar = await discover.related(arxiv_id, DEEP)
            top = similar[:5]
            distractors += sum(p.arxiv_id not in categories for p in top)
            overall.append(sum(categories.get(p.arxiv_id) == primary for p in top) / 5)
            known = [p for p in similar if p.arxiv_id in categories][:5]
            if known:
                categorised.append(
                    sum(categories[p.arxiv_id] == primary for p in known) / len(known)
                )
        lines.append(
            f"  related on {engine}: top 5 sharing the primary category {statistics.mean(overall):.0%}"
            f" with distractors counted as misses ({distractors} of {5 * len(overall)} places);"
            f" {statistics.mean(categorised):.0%} among candidates with a category (target >= 60%)"
        )
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--related-only", action="store_true", help="only the related figure")
    args = parser.parse_args()
    queries = realistic_queries(load_vocabulary(), args.queries)
    folder = CORPUS if CORPUS.is_dir() else ROOT / "seeds"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quality.db"
        database = await Database.open(path)
        store = PaperStore(database)
        await ingest_paths(store, [folder])
        papers = await database.fetchval("SELECT count(*) FROM papers")
        print(f"{papers} papers from {folder}; {len(queries)} queries")
        service = SearchService(store)
        if not args.related_only:
            for line in [*await plurals(service, path, queries), *await typos(service, queries)]:
                print(line)
        # Only now: the plural and typo figures are the shared corpus's own.
        print("\n".join(await related(store, await add_arxiv_papers(store))))
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
