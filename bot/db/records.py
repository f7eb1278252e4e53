"""SQL that keeps every source's values of a paper and the record shown from them.

``store_values`` is the one way values enter: it merges what a source says into ``paper_values``
(bot.records.merge), recomputes the shown record (bot.records.shown) and writes the ``papers`` row,
its authors (shown names, then other sources' names as aliases) and its tags only when they
changed. Callers hold the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from bot.db.core import Database, chunks, marks
from bot.records import RECORD_COLUMNS, Record, Value, Values, merge, shown
from bot.text import fold


@dataclass
class Stored:
    """What ``store_values`` did: the row id of each paper, and which were new or now read
    differently."""

    ids: dict[str, int] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)


async def load_values(db: Database, paper_ids: Sequence[int]) -> dict[int, Values]:
    """Every source's values of these papers."""
    found: dict[int, Values] = {paper_id: {} for paper_id in paper_ids}
    for chunk in chunks(paper_ids):
        for row in await db.fetchall(
            "SELECT paper_id, source, field, value, day, origin FROM paper_values"
            f" WHERE paper_id IN ({marks(len(chunk))})",
            chunk,
        ):
            found[row[0]][(row[1], row[2])] = Value(json.loads(row[3]), row[4], row[5])
    return found


async def store_values(
    db: Database,
    connection: aiosqlite.Connection,
    incoming: Mapping[str, Values],
    day: str,
) -> Stored:
    """Merge ``incoming`` (arXiv id -> values) into the store; papers not stored yet are created
    (``day`` is their first listing day). Run inside ``db.transaction()``."""
    result = Stored()
    columns = ", ".join(RECORD_COLUMNS)
    existing: dict[str, Any] = {}
    for chunk in chunks(list(incoming)):
        rows = await db.fetchall(
            f"SELECT id, arxiv_id, {columns} FROM papers WHERE arxiv_id IN ({marks(len(chunk))})",
            chunk,
        )
        existing.update({row["arxiv_id"]: row for row in rows})
    stored = await load_values(db, [row["id"] for row in existing.values()])
    records: dict[str, Record] = {}
    value_rows: list[tuple[str, tuple[str, str], Value]] = []
    inserts, updates = [], []
    for arxiv_id, values in incoming.items():
        row = existing.get(arxiv_id)
        before = stored[row["id"]] if row is not None else {}
        merged = merge(before, values)
        value_rows.extend((arxiv_id, key, v) for key, v in merged.items() if before.get(key) != v)
        record = records[arxiv_id] = shown(arxiv_id, merged)
        if row is None:
            inserts.append((arxiv_id, *record.columns(), day))
            result.new.add(arxiv_id)
        elif tuple(row[name] for name in RECORD_COLUMNS) != record.columns():
            updates.append((*record.columns(), row["id"]))
            result.changed.add(arxiv_id)
    last_id = await db.fetchval("SELECT coalesce(max(id), 0) FROM papers")
    await connection.executemany(
        f"INSERT INTO papers (arxiv_id, {columns}, source_day)"
        f" VALUES ({marks(len(RECORD_COLUMNS) + 2)})",
        inserts,
    )
    # No insert trigger (bench/search.py: one INSERT ... SELECT per batch is 2-3x faster).
    await connection.execute(
        "INSERT INTO papers_fts (rowid, title, summary, authors, category, abstract)"
        " SELECT id, title, summary, authors, category, abstract FROM papers WHERE id > ?",
        (last_id,),
    )
    assignments = ", ".join(f"{name} = ?" for name in RECORD_COLUMNS)
    await connection.executemany(f"UPDATE papers SET {assignments} WHERE id = ?", updates)
    result.ids = {arxiv_id: row["id"] for arxiv_id, row in existing.items()}
    for chunk in chunks(sorted(result.new)):
        rows = await db.fetchall(
            f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({marks(len(chunk))})", chunk
        )
        result.ids.update({row[0]: row[1] for row in rows})
    await connection.executemany(
        "INSERT INTO paper_values (paper_id, source, field, value, day, origin)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (paper_id, source, field) DO UPDATE SET"
        " value = excluded.value, day = excluded.day, origin = excluded.origin",
        [
            (result.ids[arxiv_id], source, name, _json(v.value), v.day, v.origin)
            for arxiv_id, (source, name), v in value_rows
        ],
    )
    touched = {result.ids[arxiv_id]: records[arxiv_id] for arxiv_id in result.new | result.changed}
    await _write_authors(db, connection, touched)
    await _write_tags(connection, touched)
    return result


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def _write_authors(
    db: Database, connection: aiosqlite.Connection, records: dict[int, Record]
) -> None:
    """Each paper's shown authors in order, then its aliases (alias = 1), as author rows."""
    if not records:
        return
    names = list(dict.fromkeys(name for r in records.values() for name in (*r.authors, *r.aliases)))
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
        "DELETE FROM paper_authors WHERE paper_id = ?", [(paper_id,) for paper_id in records]
    )
    await connection.executemany(
        "INSERT INTO paper_authors (paper_id, position, author_id, alias) VALUES (?, ?, ?, ?)",
        [
            (paper_id, position, author_ids[name], int(position > len(record.authors)))
            for paper_id, record in records.items()
            for position, name in enumerate((*record.authors, *record.aliases), 1)
        ],
    )


async def _write_tags(connection: aiosqlite.Connection, records: dict[int, Record]) -> None:
    await connection.executemany(
        "DELETE FROM paper_tags WHERE paper_id = ?", [(paper_id,) for paper_id in records]
    )
    await connection.executemany(
        "INSERT INTO paper_tags (paper_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(paper_id, tag) for paper_id, record in records.items() for tag in record.categories],
    )
