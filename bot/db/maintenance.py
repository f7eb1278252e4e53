"""Backup and vacuum of the database file, safe while the bot runs.

Both work on their own plain sqlite3 connection (in a thread): the bot may be writing through
its own connection, in another process, at the same time.
- ``backup`` uses SQLite's online backup API in one step: the copy is the database as of one
  committed transaction, WAL content included, and the bot's writes go on meanwhile (WAL readers
  never block the writer). The copy is written beside the target, checked, then renamed into
  place, so a half-written backup never carries the target's name.
- ``vacuum`` rebuilds the file without its free pages and merges the FTS5 index segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.db.core import DatabaseError

FTS_TABLES = ("papers_fts", "authors_fts")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    papers: int


@dataclass(frozen=True)
class VacuumResult:
    before: int  # bytes, WAL included
    after: int


def _connect(path: Path) -> sqlite3.Connection:
    """An existing database only: a missing file is an error, never a new empty one."""
    if not path.is_file():
        raise DatabaseError(f"no database at {path}; run `python -m bot ingest` first")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise DatabaseError(f"cannot open database {path}: {error}") from None
    return connection


def _backup(source: Path, target: Path) -> BackupResult:
    if target.exists():
        raise DatabaseError(f"{target} already exists; choose a new name or remove it first")
    if not target.parent.is_dir():
        raise DatabaseError(f"cannot write {target}: folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    with contextlib.closing(_connect(source)) as connection:
        try:
            with contextlib.closing(sqlite3.connect(partial)) as copy:
                connection.backup(copy)  # pages=-1: all at once, one consistent snapshot
                copy.execute("PRAGMA journal_mode = DELETE")  # the copy is one self-contained file
                # integrity_check, not quick_check: SQLite 3.40's quick_check misreads the
                # WITHOUT ROWID paper_tags (key order differs from column order) as NULLs.
                verdict = copy.execute("PRAGMA integrity_check(1)").fetchone()[0]
                if verdict != "ok":
                    raise DatabaseError(f"the copy of {source} failed its check: {verdict}")
                papers = _papers(copy)
            os.replace(partial, target)
        except sqlite3.Error as error:
            raise DatabaseError(f"cannot back up {source} to {target}: {error}") from None
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, papers)


def _papers(connection: sqlite3.Connection) -> int:
    try:
        return int(connection.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.OperationalError:  # a database from before the papers table: still a backup
        return 0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.is_file())


def _vacuum(path: Path) -> VacuumResult:
    before = _size(path)
    with contextlib.closing(_connect(path)) as connection:
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            for table in FTS_TABLES:
                if table in tables:  # names are constants, never user text
                    connection.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
                    connection.commit()
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA optimize")
        except sqlite3.Error as error:
            raise DatabaseError(f"cannot vacuum {path}: {error}") from None
    return VacuumResult(before, _size(path))


async def backup(source: str | Path, target: str | Path) -> BackupResult:
    """Copy ``source`` to ``target`` (a new file) while it may be in use; DatabaseError says why not."""
    return await asyncio.to_thread(_backup, Path(source), Path(target))


async def vacuum(path: str | Path) -> VacuumResult:
    """Compact ``path`` in place; the bot may run meanwhile (its writes wait, up to 10 s)."""
    return await asyncio.to_thread(_vacuum, Path(path))
