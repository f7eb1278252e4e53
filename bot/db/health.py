"""What ``db check`` asks of a database file: SQLite's integrity check, FTS5's check of each
search index against its content table, and the known defects a migration repairs."""

from __future__ import annotations

import sqlite3

from bot.db.core import Database, migrations

FTS_TABLES = ("papers_fts", "authors_fts")
# Insert triggers that index every new row a second time (dropped from 0001; 0010 repairs them).
STALE_TRIGGERS = ("papers_ai", "authors_ai")


async def _tables(db: Database) -> set[str]:
    return {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master")}


async def problems(db: Database) -> list[str]:
    """Every problem found, one sentence each; empty when the file is sound."""
    found = [
        f"integrity_check: {row[0]}"
        for row in await db.fetchall("PRAGMA integrity_check")
        if row[0] != "ok"
    ]
    tables = await _tables(db)
    if "schema_migrations" not in tables:
        return [*found, "not a paperboy database: it has no schema_migrations table"]
    for table in FTS_TABLES:
        if table not in tables:
            found.append(f"{table}: the search index is missing")
            continue
        try:
            # rank = 1 also compares the index with the content table it is built from.
            await db.connection.execute(
                f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError as error:
            found.append(f"{table}: the search index disagrees with its table ({error})")
    triggers = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", STALE_TRIGGERS
    )
    found.extend(
        f"trigger {row[0]} indexes every new row twice (opening the database with"
        " this version repairs it: migration 0010)"
        for row in triggers
    )
    return found


async def pending(db: Database) -> list[str]:
    """The migrations this file has not had yet."""
    if "schema_migrations" not in await _tables(db):
        return []  # not a paperboy database: problems() says so
    done = {row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    return [name for version, name, _ in migrations() if version not in done]


async def rebuild_indexes(db: Database) -> None:
    """Rebuild both search indexes from their tables."""
    async with db.transaction() as connection:
        for table in FTS_TABLES:
            await connection.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
