"""SQL the derived search index (bot/textindex.py) reads: the change log, the documents, and
the rows of the papers it ranked.

The log is written by triggers (migration 0020), so every write path logs what it changed.
``ChangeWatch`` tells, with no round trip to SQLite, whether anything may have been committed
since its last token: this connection's commit count, and for any other connection or process
the WAL-index header at the start of the -shm file (SQLite rewrites it at every commit in WAL mode:
its change counter, last frame and salts; see SQLite's walformat.html).
"""

from __future__ import annotations

import json
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.db.core import Database, chunks, marks
from bot.db.papers import PAPER_COLUMNS, _paper_row
from bot.models import PaperRow

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


WAL_INDEX_HEADER = 96  # both copies of the WAL-index header


async def state(db: Database) -> tuple[int, date | None]:
    """(the newest change's sequence number, the newest listing day), in one round trip."""
    row = await db.fetchone(f"SELECT ({LAST_SQL}), (SELECT max(day) FROM listings)")
    assert row is not None
    return int(row[0]), date.fromisoformat(row[1]) if row[1] else None


class ChangeWatch:
    """Tells, with no round trip to SQLite, whether anything may have been committed since the
    last ``token()``: this connection's commit count, and for other connections and processes
    the WAL-index header (kept open: one pread) while the -shm file is the same; without one
    (not yet created, or unreadable) the stat of the database and its -wal file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.shm = db.path + "-shm"
        self.handle: int | None = None
        self.inode = -1
        self.closer: weakref.finalize[Any, Any] | None = None  # the handle closes with us

    def token(self) -> tuple[Any, ...]:
        try:
            inode = os.stat(self.shm).st_ino
            if inode != self.inode or self.handle is None:
                self.close()
                self.handle, self.inode = os.open(self.shm, os.O_RDONLY), inode
                self.closer = weakref.finalize(self, os.close, self.handle)
            return (self.db.commits, inode, os.pread(self.handle, WAL_INDEX_HEADER, 0))
        except OSError:
            self.close()
            return (self.db.commits, *(_stat(self.db.path + suffix) for suffix in ("", "-wal")))

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
        self.handle, self.inode, self.closer = None, -1, None


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


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


# The page's rows in rank order, authors and days included: one round trip (PaperStore.rows
# takes three) and no FTS5 MATCH (the caller marks the terms). Authors come as [position, name]
# pairs and days unsorted, put in order in Python: cheaper than ordering each row's subquery.
PAGE_SQL = (
    "SELECT {columns},"
    " (SELECT json_group_array(json_array(pa.position, a.name)) FROM paper_authors pa"
    " JOIN authors a ON a.id = pa.author_id WHERE pa.paper_id = p.id AND pa.alias = 0)"
    " AS author_names,"
    " (SELECT group_concat(day, ' ') FROM listings l WHERE l.paper_id = p.id) AS listed"
    " FROM wanted JOIN papers p ON p.id = wanted.id ORDER BY wanted.n"
)


def page_sql(paper_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The papers ``paper_ids`` in that order, with their authors (as JSON) and days."""
    values = ", ".join("(?, ?)" for _ in paper_ids)
    return (
        f"WITH wanted (id, n) AS (VALUES {values}) " + PAGE_SQL.format(columns=PAPER_COLUMNS),
        [value for n, paper_id in enumerate(paper_ids) for value in (paper_id, n)],
    )


Mark = Callable[[str, str], tuple[str | None, str | None]]


async def page(db: Database, paper_ids: Sequence[int], mark: Mark | None = None) -> list[PaperRow]:
    """The rows of ``paper_ids`` in that order; ``mark(title, summary)`` gives each row's
    marked title and snippet."""
    if not paper_ids:
        return []
    rows = []
    for record in await db.fetch_inline(*page_sql(paper_ids)):
        marked, snippet = mark(record["title"], record["summary"] or "") if mark else (None, None)
        days = tuple(
            date.fromisoformat(day) for day in sorted(set((record["listed"] or "").split()))
        )
        authors = tuple(name for _, name in sorted(json.loads(record["author_names"])))
        rows.append(_paper_row(record, authors, days, marked, snippet))
    return rows
