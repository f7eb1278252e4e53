"""SQL the derived search index (bot/textindex.py) reads: the change log, the documents, and
the rows of the papers it ranked.

The log is written by triggers (migration 0020), so every write path logs what it changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.db.core import Database, chunks, marks
from bot.db.papers import PAPER_COLUMNS

# One paper as the index takes it: text fields, the days that list it, its tags and author ids.
DOCUMENT_SQL = (
    "SELECT p.id, p.arxiv_id, p.title, p.summary, p.authors, coalesce(p.category, ''),"
    " p.abstract,"
    " (SELECT group_concat(day, ' ') FROM listings l WHERE l.paper_id = p.id),"
    " (SELECT group_concat(tag, char(31)) FROM paper_tags t WHERE t.paper_id = p.id),"
    " (SELECT group_concat(author_id, ' ') FROM paper_authors pa WHERE pa.paper_id = p.id)"
    " FROM papers p"
)

# Read from sqlite_sequence, not max(seq): the log is emptied as the index applies it.
LAST_SQL = "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'search_changes'"


async def last_change(db: Database) -> int:
    """The newest change's sequence number (0 before any)."""
    return int(await db.fetchval(LAST_SQL))


async def changes(db: Database, after: int, upto: int) -> list[int]:
    """Ids of the papers changed after sequence ``after`` up to ``upto``."""
    rows = await db.fetchall(
        "SELECT DISTINCT paper_id FROM search_changes WHERE seq > ? AND seq <= ?", (after, upto)
    )
    return [row[0] for row in rows]


async def documents(db: Database, paper_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The DOCUMENT_SQL rows of ``paper_ids`` that still exist."""
    found: list[tuple[Any, ...]] = []
    for chunk in chunks(paper_ids):
        rows = await db.fetchall(f"{DOCUMENT_SQL} WHERE p.id IN ({marks(len(chunk))})", chunk)
        found.extend(tuple(row) for row in rows)
    return found


async def forget_changes(db: Database, upto: int) -> None:
    """Drop the log rows the index has committed (a read-only database keeps them)."""
    if not db.readonly:
        await db.execute("DELETE FROM search_changes WHERE seq <= ?", (upto,))


def all_documents(path: str) -> tuple[int, Iterator[tuple[Any, ...]]]:
    """(the log's newest sequence number, every paper's DOCUMENT_SQL row), read in one snapshot
    on a connection of its own, so a rebuild can run in a thread while the bot goes on."""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("BEGIN")
    seq = connection.execute(LAST_SQL).fetchone()[0]

    def rows() -> Iterator[tuple[Any, ...]]:
        try:
            yield from connection.execute(DOCUMENT_SQL)
        finally:
            connection.close()

    return int(seq), rows()


def marked_sql(
    paper_ids: Sequence[int], match: str, highlight: tuple[str, str] = ("**", "**")
) -> tuple[str, list[Any]]:
    """The papers ``paper_ids`` in that order, with ``match``'s terms marked as ranked_sql does
    (the derived index ranked them; FTS5 only marks the page's rows, probed by row id)."""
    values = ", ".join("(?, ?)" for _ in paper_ids)
    return (
        f"WITH wanted (id, n) AS (VALUES {values}),"
        " marked AS (SELECT papers_fts.rowid AS id, highlight(papers_fts, 0, ?, ?) AS title_marked,"
        " snippet(papers_fts, 1, ?, ?, '…', 24) AS snippet"
        " FROM wanted CROSS JOIN papers_fts WHERE papers_fts MATCH ? AND papers_fts.rowid = wanted.id)"
        f" SELECT {PAPER_COLUMNS}, marked.title_marked, marked.snippet"
        " FROM wanted JOIN papers p ON p.id = wanted.id LEFT JOIN marked ON marked.id = p.id"
        " ORDER BY wanted.n",
        [
            *(value for n, paper_id in enumerate(paper_ids) for value in (paper_id, n)),
            *highlight,
            *highlight,
            match,
        ],
    )
