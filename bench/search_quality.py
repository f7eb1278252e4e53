"""What forgiving search changes on real text: singular/plural forms, typo corrections, related.

    python bench/search_quality.py [--queries 200]

Ingests the shared corpus (real titles and summaries; the seeds without it) into a temporary
database and runs the 200 realistic queries of bench/search.py:

- plural forms: matches per query with and without the other-number forms, and precision: the
  share of added matches that hold the other number of a query word (the ones meant). Beside it,
  the same queries on a Porter-stemmed copy of the index, whose added matches are checked alike
  (the rest are stem collisions such as general/generative);
- typos: one slip (a letter dropped, doubled, or two swapped) in each query's longest plain word:
  how often the search finds nothing as typed, how often the correction is the original word,
  and how often an untouched query is "corrected" at all (false corrections);
- related: for papers with an arXiv primary category, the share of their top 5 related papers
  in the same primary category.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engines import typo
from bench.search import realistic_queries
from bot.db import Database, PaperStore
from bot.discover import DiscoverService
from bot.ingest import ingest_paths
from bot.query import Query, parse_query
from bot.search import SearchService, plural_forms
from bot.text import fold
from synthetic_corpus import CORPUS, ROOT, load_vocabulary


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


async def related(store: PaperStore, count: int = 50) -> list[str]:
    rows = await store.db.fetchall(
        "SELECT arxiv_id, primary_category FROM papers WHERE primary_category IS NOT NULL"
        " ORDER BY id LIMIT ?",
        (count,),
    )
    if not rows:
        return ["  related: no paper here has an arXiv primary category: figure not available"]
    discover = DiscoverService(store)
    shares = []
    for arxiv_id, primary in rows:
        _, similar = await discover.related(arxiv_id, 5)
        if similar:
            shares.append(sum(p.primary_category == primary for p in similar) / len(similar))
    return [
        f"  related: {len(shares)} papers with a primary category; top 5 sharing it:"
        f" {statistics.mean(shares):.0%} (target >= 60%)"
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
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
        for line in [
            *await plurals(service, path, queries),
            *await typos(service, queries),
            *await related(store),
        ]:
            print(line)
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
