"""The derived-index candidate: tantivy (tantivy-py), built from the SQLite store, for bench/search.py.

SQLite stays the store of record: the index holds only what ranking needs (title, summary,
authors, category; the row id stored) and ``search_and_fetch`` reads the rows back from SQLite,
so the figures compare like with like: paperboy's answer against tantivy's answer plus the fetch.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.db import searchlog
from bot.db.core import Database
from bot.db.papers import PAPER_COLUMNS, PaperStore
from bot.models import PaperRow
from bot.query import Query

BOOSTS = {"title": 10.0, "summary": 1.0, "authors": 4.0, "category": 2.0}  # paperboy's bm25 weights


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def build_index(db_path: Path, folder: Path) -> tuple[Any, float]:
    """A tantivy index of every paper in ``db_path``; returns (index, rows per second)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in BOOSTS:
        builder.add_text_field(name, stored=False)
    schema = builder.build()
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    connection = sqlite3.connect(db_path)
    started = time.perf_counter()
    count = 0
    for row in connection.execute(
        "SELECT id, title, summary, authors, coalesce(category, '') FROM papers"
    ):
        writer.add_document(
            tantivy.Document(
                id=row[0], title=row[1], summary=row[2], authors=row[3], category=row[4]
            )
        )
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    elapsed = time.perf_counter() - started
    connection.close()
    return index, count / elapsed


def query_text(query: Query) -> str:
    """Our parsed query in tantivy's query language: every term required, exclusions barred."""
    parts = ['+"' + " ".join(term.words) + '"' for term in query.terms]
    parts += ['-"' + " ".join(term.words) + '"' for term in query.excluded]
    return " ".join(parts)


def top_ids(index: Any, query: Query, limit: int = 10) -> list[int]:
    """Row ids of the exact bm25 top ``limit`` (tantivy scores every match, block-max WAND)."""
    if not query.terms:
        return []
    parsed = index.parse_query(query_text(query), list(BOOSTS), field_boosts=BOOSTS)
    searcher = index.searcher()
    result = searcher.search(parsed, limit, count=False)
    return [searcher.doc(address)["id"][0] for _, address in result.hits]


async def search_and_fetch(
    index: Any, store: PaperStore, query: Query, limit: int = 10
) -> list[PaperRow]:
    """Tantivy's top ``limit`` with their rows (authors, days) read from SQLite, in rank order."""
    ids = top_ids(index, query, limit)
    if not ids:
        return []
    return await store.rows(
        f"WITH wanted (id, n) AS (VALUES {', '.join('(?, ?)' for _ in ids)})"
        f" SELECT {PAPER_COLUMNS} FROM wanted JOIN papers p ON p.id = wanted.id ORDER BY wanted.n",
        [value for n, paper_id in enumerate(ids) for value in (paper_id, n)],
    )


async def search_and_fetch_once(
    index: Any, db: Database, query: Query, limit: int = 10
) -> list[PaperRow]:
    """search_and_fetch with the rows read in one round trip (paperboy's page query, unmarked)."""
    return await searchlog.page(db, top_ids(index, query, limit))


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def typo(word: str, seed: int) -> str:
    """``word`` with one deterministic slip: a letter dropped, doubled or two swapped."""
    if len(word) < 4:
        return word
    at = 1 + seed % (len(word) - 2)
    kind = seed % 3
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def fts_bytes(db_path: Path) -> int | None:
    """Bytes of the FTS5 index tables (None when SQLite lacks dbstat)."""
    connection = sqlite3.connect(db_path)
    try:
        value = connection.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        value = None
    connection.close()
    return value
