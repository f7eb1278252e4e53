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
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import aiosqlite

log = logging.getLogger(__name__)

CHUNK = 500  # SQLite allows 32766 parameters; smaller IN lists keep plans cheap.
MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


class DatabaseError(Exception):
    """The database file cannot be opened or upgraded; the message says why."""


class DatabaseBusy(DatabaseError):
    """Another process held the write lock for longer than we wait."""


# SQLite's page cache per connection. Bulk ingest (the CLI, benchmarks) gets 64 MiB: FTS5 merges
# thrash the 2 MiB default. The bot serves searches and ingests a few dozen papers a day, so it
# keeps SQLite's default 2 MiB (bench/memory.py): the file's pages stay in the OS page cache
# anyway, and at 100k papers the 64 MiB cache was half of the bot's growth over 1,000 searches.
CACHE_MIB = 64
SERVING_CACHE_MIB = 2
INLINE_CACHE_KIB = 256  # fetch_inline's page cache: a page of rows by id reads a few dozen pages
BUSY_SECONDS = 30.0  # how long a write waits for another process's write lock


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

    def __init__(
        self, connection: aiosqlite.Connection, path: str, busy_seconds: float = BUSY_SECONDS
    ) -> None:
        self.connection = connection
        self.path = path
        self.busy_seconds = busy_seconds
        self.readonly = False
        self._write_lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None  # the task inside the open transaction
        self._depth = 0
        self.closed = False
        self.commits = 0  # committed write transactions on this connection: a free freshness check
        self._reader: sqlite3.Connection | None = None  # fetch_inline's, opened on first use
        self._inline = path != ":memory:"  # False once fetch_inline's connection failed to open

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        readonly: bool = False,
        migrate: bool = True,
        busy_seconds: float = BUSY_SECONDS,
    ) -> Database:
        """Open and migrate ``path``. ``readonly`` opens an up-to-date file for reading only (a
        read-only file or folder still serves reads); a file that needs migrating is opened for
        writing once to upgrade it. ``migrate=False`` takes an existing file as it is."""
        path = str(path)
        if path != ":memory:":
            parent = Path(path).parent
            if not parent.is_dir():
                raise DatabaseError(f"cannot open database {path}: folder {parent} does not exist")
        if (readonly or not migrate) and path != ":memory:" and not Path(path).is_file():
            raise DatabaseError(f"no database at {path}; run `python -m bot ingest` first")
        if readonly and path != ":memory:":
            reader, current = await cls._open_readonly(path, busy_seconds)
            if current:
                return reader
            try:  # upgrade it first, if the file lets us
                upgraded = await cls.open(path, busy_seconds=busy_seconds)
            except DatabaseError as error:
                log.warning("%s; reading it as it is", error)
                return reader
            await reader.close()
            return upgraded
        connection = await _connect(path, path)
        connection.row_factory = aiosqlite.Row
        database = cls(connection, path, busy_seconds)
        try:
            await database._configure()
            if migrate:
                await database.migrate()
        except Exception as error:
            await connection.close()
            raise _database_error(path, error, busy_seconds) from error
        return database

    @classmethod
    async def _open_readonly(cls, path: str, busy_seconds: float) -> tuple[Database, bool]:
        """A read-only connection, and whether the file has every migration."""
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        try:
            database, done = await cls._read_versions(uri, path, busy_seconds)
        except sqlite3.OperationalError:
            # A WAL file in a folder we may not write (no -shm to share): read it as it is.
            database, done = await cls._read_versions(uri + "&immutable=1", path, busy_seconds)
        return database, {version for version, _, _ in migrations()} <= done

    @classmethod
    async def _read_versions(
        cls, uri: str, path: str, busy_seconds: float
    ) -> tuple[Database, set[int]]:
        connection = await _connect(uri, path)
        connection.row_factory = aiosqlite.Row
        database = cls(connection, path, busy_seconds)
        database.readonly = True
        try:
            await connection.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
            await connection.execute("PRAGMA query_only = ON")
            rows = await database.fetchall("SELECT version FROM schema_migrations")
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return database, set()  # a new, empty file: opened for writing, it is migrated
            await connection.close()
            if "unable to open" in str(error):
                raise  # the caller tries another way in
            raise _database_error(path, error, busy_seconds) from error
        except Exception as error:
            await connection.close()
            raise _database_error(path, error, busy_seconds) from error
        return database, {row[0] for row in rows}

    async def _configure(self) -> None:
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            f"busy_timeout = {int(self.busy_seconds * 1000)}",
            "temp_store = MEMORY",
            f"cache_size = {-1024 * CACHE_MIB}",
        ):
            await self.connection.execute(f"PRAGMA {pragma}")

    async def limit_cache(self, mib: int) -> None:
        """Keep at most ``mib`` MiB of pages in this connection's cache (pages above are freed)."""
        await self.connection.execute(f"PRAGMA cache_size = {-1024 * int(mib)}")

    async def close(self) -> None:
        """Checkpoint the WAL into the main file (a clean stop leaves one file to copy), close."""
        if self.closed:
            return
        self.closed = True
        if self._reader is not None:
            self._reader.close()
            self._reader = None
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
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                self._owner, self._depth = None, 0
                raise _database_error(self.path, error, self.busy_seconds) from error
            except asyncio.CancelledError:
                # Cancelled (a scheduler shutdown, a timeout) while aiosqlite's thread runs the
                # BEGIN, which then begins anyway: roll it back (queued after it; a no-op when
                # nothing began) before the lock lets another writer in.
                self._owner, self._depth = None, 0
                await self.connection.rollback()
                raise
            try:
                yield self.connection
            except BaseException:
                await self.connection.rollback()
                raise
            else:
                await self.connection.commit()
                self.commits += 1
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

    async def fetch_inline(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """``fetchall`` for a short read (a page of rows by id), run in the calling thread on a
        read-only connection of its own: no hop to the worker thread and back, which costs
        more than such a read. It sees what is committed (WAL: a writer never blocks it);
        when it cannot answer at once (busy, in-memory, not openable) ``fetchall`` does."""
        reader = self._inline_reader()
        if reader is not None:
            try:
                return reader.execute(sql, params).fetchall()
            except sqlite3.ProgrammingError:
                pass  # called from another thread than the one that opened it
            except sqlite3.OperationalError as error:
                log.debug("database %s: inline read failed, using the worker: %s", self.path, error)
                if not _transient(error):  # say, a WAL in a folder it may not write: not again
                    self._inline, self._reader = False, None
                    reader.close()
        return await self.fetchall(sql, params)

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Call ``callback`` with every statement this database runs, on either connection
        (None stops it)."""
        # aiosqlite types the handler as never None; sqlite3 takes None as "stop"
        await self.connection.set_trace_callback(cast(Callable[..., Any], callback))
        reader = self._inline_reader()
        if reader is not None:
            reader.set_trace_callback(callback)

    def _inline_reader(self) -> sqlite3.Connection | None:
        if self._reader is None and self._inline and not self.closed:
            uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro"
            try:
                reader = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
                reader.execute("PRAGMA query_only = ON")
                reader.execute(f"PRAGMA cache_size = {-INLINE_CACHE_KIB}")
            except sqlite3.Error as error:
                log.debug("database %s: no inline reader: %s", self.path, error)
                self._inline = False
                return None
            reader.row_factory = sqlite3.Row
            self._reader = reader
        return self._reader

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return row[0] if row else None


async def _connect(target: str, path: str) -> aiosqlite.Connection:
    """An aiosqlite connection; a failure is one DatabaseError, its worker thread ended first (else
    it reports into a closed event loop with a traceback after the clean error)."""
    connection = aiosqlite.connect(target, isolation_level=None, uri=target.startswith("file:"))
    try:
        return await connection
    except Exception as error:  # sqlite3 reports a bad path as OperationalError
        await asyncio.to_thread(connection._thread.join, 5.0)  # stopped by aiosqlite already
        raise DatabaseError(f"cannot open database {path}: {error}") from error


def _transient(error: sqlite3.OperationalError) -> bool:
    """Whether ``error`` is another connection holding a lock for now (busy, locked)."""
    return "locked" in str(error) or "busy" in str(error)


def _database_error(path: str, error: BaseException, busy_seconds: float) -> DatabaseError:
    """One clear sentence for what went wrong with the file at ``path``."""
    if isinstance(error, DatabaseError):
        return error
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return DatabaseBusy(
            f"database {path} is busy: another process held its write lock for more than"
            f" {busy_seconds:g} s; try again when it is done"
        )
    read_only = "readonly" in text.replace("-", "").replace(" ", "")
    if isinstance(error, sqlite3.OperationalError) and (
        read_only or ("unable to open" in text and Path(path).is_file())
    ):
        return DatabaseError(
            f"cannot write to database {path}: the file or its folder is read-only ({text});"
            " search, show, day and db info still work"
        )
    return DatabaseError(f"cannot use database {path}: {text}")


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
