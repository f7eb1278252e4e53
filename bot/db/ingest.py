"""SQL that writes papers: one day's list from one source, stored all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import aiosqlite

from bot.db.core import Database, chunks, marks
from bot.models import IngestResult, Paper
from bot.text import fold

PAPER_FIELDS = (
    "title",
    "summary",
    "authors",
    "category",
    "arxiv_url",
    "hf_url",
    "upvotes",
    "github_repo",
    "keywords",
)


def _values(paper: Paper) -> tuple[Any, ...]:
    return (
        paper.title,
        paper.summary,
        ", ".join(paper.authors),
        paper.category,
        paper.arxiv_url,
        paper.hf_url,
        paper.upvotes,
        paper.github_repo,
        ", ".join(paper.keywords),
    )


async def source_hash(db: Database, key: str) -> str | None:
    """The sha256 of what the source ``key`` held when it was last stored."""
    value = await db.fetchval("SELECT sha256 FROM sources WHERE key = ?", (key,))
    return str(value) if value is not None else None


async def ingest(
    db: Database, day: date, papers: Sequence[Paper], source: str, sha256: str | None = None
) -> IngestResult:
    """Store one day's papers from one source, all or nothing.

    A paper is stored once by arXiv id; its fields come from the latest day that lists it.
    Papers this source listed for this day before but no longer lists lose that listing.
    ``sha256``, when given, is recorded as what ``source`` now holds.
    """
    iso = day.isoformat()
    async with db.transaction() as connection:
        existing = await _existing(db, [paper.arxiv_id for paper in papers])
        inserts, updates, changed = [], [], set()
        for paper in papers:
            values = _values(paper)
            row = existing.get(paper.arxiv_id)
            if row is None:
                inserts.append((paper.arxiv_id, *values, iso))
            elif tuple(row[name] for name in PAPER_FIELDS) != values and iso >= row["source_day"]:
                updates.append((*values, iso, row["id"]))
                changed.add(paper.arxiv_id)
        fields = ", ".join(PAPER_FIELDS)
        last_id = await db.fetchval("SELECT coalesce(max(id), 0) FROM papers")
        await connection.executemany(
            f"INSERT INTO papers (arxiv_id, {fields}, source_day)"
            f" VALUES ({marks(len(PAPER_FIELDS) + 2)})",
            inserts,
        )
        await connection.execute(
            "INSERT INTO papers_fts (rowid, title, summary, authors, category)"
            " SELECT id, title, summary, authors, coalesce(category, '') FROM papers WHERE id > ?",
            (last_id,),
        )
        assignments = ", ".join(f"{name} = ?" for name in (*PAPER_FIELDS, "source_day"))
        await connection.executemany(f"UPDATE papers SET {assignments} WHERE id = ?", updates)
        ids = await _ids(db, [paper.arxiv_id for paper in papers])
        authored = [p for p in papers if p.arxiv_id not in existing or p.arxiv_id in changed]
        await _write_authors(db, connection, authored, ids)
        removed = await _write_listings(db, connection, iso, papers, ids, source)
        if sha256 is not None:
            await connection.execute(
                "INSERT INTO sources (key, day, sha256) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET day = excluded.day, sha256 = excluded.sha256",
                (source, iso, sha256),
            )
    return IngestResult(
        papers=len(papers),
        new=len(inserts),
        updated=len(updates),
        unchanged=len(papers) - len(inserts) - len(updates),
        removed=removed,
    )


async def _existing(db: Database, arxiv_ids: Sequence[str]) -> dict[str, Any]:
    found = {}
    columns = ", ".join(PAPER_FIELDS)
    for chunk in chunks(arxiv_ids):
        rows = await db.fetchall(
            f"SELECT id, arxiv_id, source_day, {columns} FROM papers"
            f" WHERE arxiv_id IN ({marks(len(chunk))})",
            chunk,
        )
        found.update({row["arxiv_id"]: row for row in rows})
    return found


async def _ids(db: Database, arxiv_ids: Sequence[str]) -> dict[str, int]:
    ids = {}
    for chunk in chunks(arxiv_ids):
        rows = await db.fetchall(
            f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({marks(len(chunk))})", chunk
        )
        ids.update({row[0]: row[1] for row in rows})
    return ids


async def _write_authors(
    db: Database, connection: aiosqlite.Connection, papers: list[Paper], ids: dict[str, int]
) -> None:
    if not papers:
        return
    names = list(dict.fromkeys(name for paper in papers for name in paper.authors))
    last_id = await db.fetchval("SELECT coalesce(max(id), 0) FROM authors")
    await connection.executemany(
        "INSERT INTO authors (name, folded) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        [(name, fold(name)) for name in names],
    )
    await connection.execute(
        "INSERT INTO authors_fts (rowid, folded) SELECT id, folded FROM authors WHERE id > ?",
        (last_id,),
    )
    author_ids: dict[str, int] = {}
    for chunk in chunks(names):
        rows = await db.fetchall(
            f"SELECT name, id FROM authors WHERE name IN ({marks(len(chunk))})", chunk
        )
        author_ids.update({row[0]: row[1] for row in rows})
    await connection.executemany(
        "DELETE FROM paper_authors WHERE paper_id = ?", [(ids[p.arxiv_id],) for p in papers]
    )
    await connection.executemany(
        "INSERT INTO paper_authors (paper_id, position, author_id) VALUES (?, ?, ?)",
        [
            (ids[paper.arxiv_id], position, author_ids[name])
            for paper in papers
            for position, name in enumerate(paper.authors, 1)
        ],
    )


async def _write_listings(
    db: Database,
    connection: aiosqlite.Connection,
    iso: str,
    papers: Sequence[Paper],
    ids: dict[str, int],
    source: str,
) -> int:
    listed = {ids[paper.arxiv_id] for paper in papers}
    before = await db.fetchall(
        "SELECT paper_id FROM listings WHERE day = ? AND source = ?", (iso, source)
    )
    gone = [(iso, row[0]) for row in before if row[0] not in listed]
    await connection.executemany("DELETE FROM listings WHERE day = ? AND paper_id = ?", gone)
    await connection.executemany(
        "INSERT INTO listings (day, paper_id, position, source) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position,"
        " source = excluded.source"
        " WHERE position IS NOT excluded.position OR source IS NOT excluded.source",
        [(iso, ids[paper.arxiv_id], paper.position, source) for paper in papers],
    )
    return len(gone)
