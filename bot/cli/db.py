"""``python -m bot db ACTION``: database maintenance."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import open_store, require_database
from bot.config import Config
from bot.db import Database, DatabaseError, health, maintenance
from bot.textindex import index_folder


def add_parsers(commands: Any) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("info", help="schema version and counts").set_defaults(handler=_info)
    check = actions.add_parser(
        "check", help="SQLite and search-index integrity; exit status 1 on any problem"
    )
    check.add_argument(
        "--rebuild-index", action="store_true", help="rebuild the search indexes, then check"
    )
    check.set_defaults(handler=_check)
    backup = actions.add_parser(
        "backup", help="a consistent copy, safe while the bot runs (SQLite online backup)"
    )
    backup.add_argument(
        "path", metavar="PATH", help="the new file, or a folder for paperboy-YYYYMMDD-HHMMSS.db"
    )
    backup.set_defaults(handler=_backup)
    actions.add_parser(
        "vacuum", help="reclaim free space and merge the search index (safe while the bot runs)"
    ).set_defaults(handler=_vacuum)


async def _info(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config, readonly=True) as papers:
        version = await papers.db.schema_version()
        counts = await papers.counts()
    print(f"database: {config.database.path}")
    print(f"schema version: {version}")
    for key, value in counts.items():
        print(f"{key}: {value if value is not None else '-'}")
    return 0


async def _check(config: Config, args: argparse.Namespace) -> int:
    """The file as it is (no migration first: that could hide what it found)."""
    database = await Database.open(
        config.database.path, migrate=False, busy_seconds=config.database.busy_seconds
    )
    try:
        if args.rebuild_index:
            await health.rebuild_indexes(database)
            # The derived tantivy index: the bot rebuilds it from SQLite (at start, or at its
            # next search if it is running) once the folder is gone.
            shutil.rmtree(index_folder(database), ignore_errors=True)
            print("search indexes rebuilt (the tantivy index is rebuilt by the bot)")
        found = await health.problems(database)
        waiting = await health.pending(database)
    except sqlite3.Error as error:
        raise DatabaseError(f"cannot check database {config.database.path}: {error}") from error
    finally:
        await database.close()
    print(f"database: {config.database.path}")
    for problem in found:
        print(f"problem: {problem}")
    if waiting:
        print(f"migrations not applied yet (they apply at the next start): {', '.join(waiting)}")
    if found:
        print(f"{len(found)} problem{'s' if len(found) > 1 else ''} found")
        return 1
    print("ok: integrity check and search indexes")
    return 0


async def _backup(config: Config, args: argparse.Namespace) -> int:
    source = require_database(config)
    target = Path(args.path)
    if target.is_dir():
        target = target / f"paperboy-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    result = await maintenance.backup(source, target)
    print(f"backed up {source} to {result.path}: {result.papers} papers, {_mb(result.size)}")
    return 0


async def _vacuum(config: Config, args: argparse.Namespace) -> int:
    path = require_database(config)
    result = await maintenance.vacuum(path)
    print(f"vacuumed {path}: {_mb(result.before)} -> {_mb(result.after)}")
    return 0


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
