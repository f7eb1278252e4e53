"""The SQLite connection: opening, migrations and transactions.

One aiosqlite connection per process, in WAL mode. Migrations are numbered ``.sql`` files in
``migrations/``; each runs in its own transaction and is recorded in ``schema_migrations`` inside the
database, so an existing file is upgraded in place and a half-applied migration never sticks.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

CHUNK = 500  # SQLite allows 32766 parameters; smaller IN lists keep plans cheap.
MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


class DatabaseError(Exception):
    """The database file cannot be opened or upgraded; the message says why."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with the bot, in order."""
    found = []
    for entry in resources.files("bot.db").joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """A migrated SQLite database. Writers take ``transaction()``; readers call ``fetch*``."""

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self.connection = connection
        self.path = path
        self._write_lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None  # the task inside the open transaction
        self._depth = 0
        self.closed = False

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = str(path)
        if path != ":memory:":
            parent = Path(path).parent
            if not parent.is_dir():
                raise DatabaseError(f"cannot open database {path}: folder {parent} does not exist")
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
        except Exception as error:  # sqlite3 reports a bad path as OperationalError
            raise DatabaseError(f"cannot open database {path}: {error}") from error
        connection.row_factory = aiosqlite.Row
        database = cls(connection, path)
        try:
            await database._configure()
            await database.migrate()
        except Exception as error:
            await connection.close()
            if isinstance(error, DatabaseError):
                raise
            raise DatabaseError(f"cannot use database {path}: {error}") from error
        return database

    async def _configure(self) -> None:
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            "busy_timeout = 5000",
            "temp_store = MEMORY",
            "cache_size = -65536",  # 64 MiB: FTS5 merges and bulk ingest thrash the 2 MiB default
        ):
            await self.connection.execute(f"PRAGMA {pragma}")

    async def close(self) -> None:
        """Checkpoint the WAL into the main file (a clean stop leaves one file to copy), close."""
        if self.closed:
            return
        self.closed = True
        try:
            await self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as error:  # busy or read-only: SQLite checkpoints again on open
            log.warning("database %s: WAL checkpoint skipped: %s", self.path, error)
        await self.connection.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT coalesce(max(version), 0) AS v FROM schema_migrations")
        return int(row["v"]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply the migrations this file has not seen yet; return their names."""
        await self.connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
        )
        # By what is recorded, not by the highest number: a migration numbered below one already
        # applied (work that landed in another order) still runs.
        done = {row[0] for row in await self.fetchall("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in migrations():
            if version in done:
                continue
            # executescript() would commit on its own; run the statements inside one transaction.
            async with self.transaction():
                for statement in _statements(sql):
                    await self.connection.execute(statement)
                await self.connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
                )
            log.info("database %s: applied migration %s", self.path, name)
            applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All-or-nothing writes. Nested calls become SAVEPOINTs inside the outer transaction.

        Nesting is per task: another task's writes wait for the lock instead of joining (and
        possibly rolling back part of) a transaction that is not theirs.
        """
        if self._depth and self._owner is asyncio.current_task():
            name = f"sp{self._depth}"
            self._depth += 1
            await self.connection.execute(f"SAVEPOINT {name}")
            try:
                yield self.connection
            except BaseException:
                await self.connection.execute(f"ROLLBACK TO {name}")
                await self.connection.execute(f"RELEASE {name}")
                raise
            else:
                await self.connection.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        async with self._write_lock:
            self._owner, self._depth = asyncio.current_task(), 1
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                await self.connection.rollback()
                raise
            else:
                await self.connection.commit()
            finally:
                self._owner, self._depth = None, 0

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write in its own transaction (or the open one); return the rows changed."""
        async with self.transaction() as connection:
            cursor = await connection.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as connection:
            await connection.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.connection.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return row[0] if row else None


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices small enough for an ``IN (...)`` list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(count: int) -> str:
    """``?, ?, ...``: ``count`` placeholders."""
    return ", ".join("?" * count)


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
