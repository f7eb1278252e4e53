"""SQL that writes papers: one day's list from one source, stored all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import aiosqlite

from bot.db.core import Database
from bot.db.records import store_values
from bot.models import IngestResult, Paper
from bot.records import Value, Values, carried, source_kind


async def source_hash(db: Database, key: str) -> str | None:
    """The sha256 of what the source ``key`` held when it was last stored."""
    value = await db.fetchval("SELECT sha256 FROM sources WHERE key = ?", (key,))
    return str(value) if value is not None else None


async def ingest(
    db: Database, day: date, papers: Sequence[Paper], source: str, sha256: str | None = None
) -> IngestResult:
    """Store one day's papers from one source, all or nothing.

    Each paper's fields join the values this kind of source gave before (bot.db.records); what is
    shown is recomputed from every source's values. Papers this source listed for this day before
    but no longer lists lose that listing. ``sha256``, when given, is recorded as what ``source``
    now holds.
    """
    iso = day.isoformat()
    kind = source_kind(source)
    incoming: dict[str, Values] = {}
    for paper in papers:
        fields = carried(paper, kind)
        incoming[paper.arxiv_id] = {
            (kind, name): Value(value, iso, source) for name, value in fields.items()
        }
    async with db.transaction() as connection:
        stored = await store_values(db, connection, incoming, iso)
        removed = await _write_listings(db, connection, iso, papers, stored.ids, source, kind)
        if sha256 is not None:
            await connection.execute(
                "INSERT INTO sources (key, day, sha256) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET day = excluded.day, sha256 = excluded.sha256",
                (source, iso, sha256),
            )
    return IngestResult(
        papers=len(papers),
        new=len(stored.new),
        updated=len(stored.changed),
        unchanged=len(papers) - len(stored.new) - len(stored.changed),
        removed=removed,
    )


async def _write_listings(
    db: Database,
    connection: aiosqlite.Connection,
    iso: str,
    papers: Sequence[Paper],
    ids: dict[str, int],
    source: str,
    kind: str,
) -> int:
    """This source's positions for this day; other sources' positions are their own."""
    listed = {ids[paper.arxiv_id] for paper in papers}
    before = await db.fetchall(
        "SELECT paper_id FROM listings WHERE day = ? AND source = ?", (iso, source)
    )
    gone = [(iso, source, row[0]) for row in before if row[0] not in listed]
    await connection.executemany(
        "DELETE FROM listings WHERE day = ? AND source = ? AND paper_id = ?", gone
    )
    await connection.executemany(
        "INSERT INTO listings (day, source, paper_id, position, kind) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (day, source, paper_id) DO UPDATE SET position = excluded.position"
        " WHERE position IS NOT excluded.position",
        [(iso, source, ids[paper.arxiv_id], paper.position, kind) for paper in papers],
    )
    return len(gone)
